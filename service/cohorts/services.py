"""Programs and cohorts, always seen through the actor's partner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from service.cohorts.models import CertificateType, Cohort, Program
from service.cohorts.rules import check_date_range
from service.errors import NotFound
from service.partners.models import Partner
from service.users.actor import Actor


@dataclass(frozen=True, slots=True)
class ProgramCohorts:
    program: Program
    cohorts: list[Cohort]


async def programs_with_cohorts_ending_between(
    *,
    actor: Actor,
    start: date,
    end: date,
    partner_id: int | None = None,
    field: tuple[str, ...] = ("cohortsEndingBetween",),
) -> list[ProgramCohorts]:
    """Step 1 of both wizards: programs with exactly their cohorts ending in [start, end]."""
    check_date_range(start, end, field=field)
    cohorts = actor.scope(Cohort.filter(ends_on__gte=start, ends_on__lte=end))
    if partner_id is not None:
        if not (actor.can_see_partner(partner_id) and await Partner.exists(id=partner_id)):
            raise NotFound("Partner", field=("partnerId",))
        cohorts = cohorts.filter(partner_id=partner_id)
    found = await cohorts.order_by("ends_on", "name", "id")
    programs = {
        program.id: program
        for program in await Program.filter(id__in={cohort.program_id for cohort in found})
    }
    grouped: dict[int, list[Cohort]] = {}
    for cohort in found:
        grouped.setdefault(cohort.program_id, []).append(cohort)
    return sorted(
        (
            ProgramCohorts(program=programs[program_id], cohorts=items)
            for program_id, items in grouped.items()
        ),
        key=lambda entry: (entry.program.name, entry.program.id),
    )


async def programs_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, Program]:
    """The programs among ``ids`` the actor may see, by id."""
    return {program.id: program for program in await actor.scope(Program.filter(id__in=set(ids)))}


async def cohorts_by_ids(
    *, actor: Actor, ids: Iterable[int], with_programs: bool = False
) -> dict[int, Cohort]:
    """The cohorts among ``ids`` the actor may see, by id; ``with_programs``: each with its program
    and the program's certificate type, in the same query (a visible cohort's program is visible)."""
    query = actor.scope(Cohort.filter(id__in=set(ids)))
    if with_programs:
        query = query.select_related("program__certificate_type")
    return {cohort.id: cohort for cohort in await query}


async def cohorts_by_program_ids(*, actor: Actor, program_ids: Iterable[int]) -> dict[int, list[Cohort]]:
    """Every visible cohort of each program, by program id, in end-date order."""
    grouped: dict[int, list[Cohort]] = {program_id: [] for program_id in program_ids}
    query = actor.scope(Cohort.filter(program_id__in=set(grouped))).order_by("ends_on", "name", "id")
    for cohort in await query:
        grouped[cohort.program_id].append(cohort)
    return grouped


async def certificate_types_by_ids(*, ids: Iterable[int]) -> dict[int, CertificateType]:
    """Certificate types are shared by every partner, so anyone signed in may read them."""
    return {item.id: item for item in await CertificateType.filter(id__in=set(ids))}
