"""Reading recognitions: the dashboard's filtered, keyset-paged list, and what each row shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, RawSQL

from service.cohorts.models import Cohort
from service.errors import NotFound
from service.paging import Page
from service.prepared import Prepared
from service.recognitions import rules
from service.recognitions.models import (
    Recognition,
    RecognitionCohort,
    RecognitionEvent,
    RecognitionKind,
    StoredStatus,
)
from service.recognitions.rules import Action, Status
from service.users.actor import Actor, scoped

TOTAL = "matching_total"
"""The first page's rows carry the count of every matching row under this name."""
ORDERINGS = {
    "CREATED_AT_DESC": ("-created_at", "-id"),
    "CREATED_AT_ASC": ("created_at", "id"),
    "NAME_ASC": ("name", "id"),
    "NAME_DESC": ("-name", "-id"),
}


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """What the dashboard is narrowed to; every part left out (None) lets everything through, and
    ``statuses`` given empty lets nothing through (no status is wanted)."""

    kind: RecognitionKind | None = None
    statuses: Sequence[Status] | None = None
    search: str | None = None
    ceremony_date_from: date | None = None
    ceremony_date_to: date | None = None


def visible(actor: Actor) -> Any:
    """Recognitions the actor may see: their partner's (every partner's for staff), not deleted."""
    return _visible(actor.seen_partner_id)


def _visible(partner_id: int | None) -> Any:
    return scoped(Recognition.filter(deleted_at__isnull=True), partner_id)


def is_visible(recognition: Recognition, actor: Actor) -> bool:
    """``visible``'s rule, on a recognition in hand (read in this request already)."""
    return recognition.deleted_at is None and actor.can_see_partner(recognition.partner_id)


async def recognitions_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, Recognition]:
    """The recognitions among ``ids`` the actor may see, by id."""
    return {item.id: item for item in await visible(actor).filter(id__in=set(ids))}


async def get_recognition(
    *, actor: Actor, recognition_id: int, field: tuple[str, ...] = ("id",)
) -> Recognition:
    """One recognition the actor may see; NotFound for another partner's, as for a missing one."""
    recognition = (await recognitions_by_ids(actor=actor, ids=[recognition_id])).get(recognition_id)
    if recognition is None:
        raise NotFound("Recognition", field=field)
    return recognition


def status_filter(statuses: Iterable[Status], now: datetime) -> Q:
    """SQL for the shown statuses (``rules.status_of``'s rule): PAST and the scheduled ones are told
    apart by ``past_from``, the instant the ceremony's day is over in its own time zone, stored so
    that the comparison is the same on every engine (SQLite knows no time zones). No status, no row."""
    day_over = Q(past_from__lte=now)
    conditions = []
    for status in set(statuses):
        if status is Status.PAST:
            conditions.append(Q(status__in=list(rules.SCHEDULED)) & day_over)
        elif status in (Status.SCHEDULED_PENDING, Status.SCHEDULED_PINS_MAILED):
            conditions.append(Q(status=StoredStatus(status.value)) & ~day_over)
        else:
            conditions.append(Q(status=StoredStatus(status.value)))
    if not conditions:
        return Q(id__in=[])  # Tortoise writes an empty IN as a condition no row meets
    return Q(*conditions, join_type=Q.OR)


async def dashboard_page(
    *,
    actor: Actor,
    now: datetime,
    filter: DashboardFilter,
    order_by: str,
    first: int,
    after: tuple[Any, int] | None,
) -> Page[Recognition]:
    """One page of the dashboard, with the total count, all decided in SQL.

    Paging is by keyset (the sort value and id of the last row seen), so pages stay stable
    while recognitions are added.
    """
    search = (filter.search or "").strip()
    statuses = None if filter.statuses is None else frozenset(filter.statuses)
    shape = (filter.kind, statuses)
    matching: dict[str, Any] = {
        "partner_id": actor.seen_partner_id,
        "now": None if statuses is None else now,
        "search": search or None,
        "date_from": filter.ceremony_date_from,
        "date_to": filter.ceremony_date_to,
    }
    ordering = ORDERINGS[order_by]
    if after is None:
        # The first page (the one a dashboard opens on) counted in its own statement: the window's
        # count is of every row the filter matches, before the limit; no row, no match.
        rows = await _FIRST_PAGE(*shape, ordering, limit=first + 1, **matching)
        return Page.of(rows, first, total=getattr(rows[0], TOTAL) if rows else 0)
    query = _matching(*shape, **matching)
    total = await query.count()
    query = query.filter(_after(ordering, after))
    return Page.of(await query.order_by(*ordering).limit(first + 1), first, total=total)


def _matching(
    kind: RecognitionKind | None,
    statuses: frozenset[Status] | None,
    *,
    partner_id: int | None,
    now: datetime | None,
    search: str | None,
    date_from: date | None,
    date_to: date | None,
) -> Any:
    """The recognitions a dashboard filter matches, among those of ``partner_id`` (None: staff's)."""
    query = _visible(partner_id)
    if kind is not None:
        query = query.filter(kind=kind)
    if statuses is not None:
        assert now is not None, "statuses are told apart by the time"
        query = query.filter(status_filter(statuses, now))
    if search is not None:
        query = query.filter(name__icontains=search)
    if date_from is not None:
        query = query.filter(ceremony_date__gte=date_from)
    if date_to is not None:
        query = query.filter(ceremony_date__lte=date_to)
    return query


def _first_page(
    kind: RecognitionKind | None,
    statuses: frozenset[Status] | None,
    ordering: tuple[str, str],
    *,
    limit: int,
    **matching: Any,
) -> Any:
    query = _matching(kind, statuses, **matching)
    return query.annotate(**{TOTAL: RawSQL("COUNT(*) OVER ()")}).order_by(*ordering).limit(limit)


_FIRST_PAGE: Prepared[list[Recognition]] = Prepared(_first_page)


def cursor_value(recognition: Recognition, order_by: str) -> tuple[Any, int]:
    """What identifies a row's place in an ordering, for the next page's keyset."""
    column = ORDERINGS[order_by][0].lstrip("-")
    return getattr(recognition, column), recognition.id


def _after(ordering: tuple[str, str], cursor: tuple[Any, int]) -> Q:
    value, last_id = cursor
    column, descending = ordering[0].lstrip("-"), ordering[0].startswith("-")
    beyond = "lt" if descending else "gt"
    past_value: dict[str, Any] = {f"{column}__{beyond}": value}
    same_value: dict[str, Any] = {column: value, f"id__{beyond}": last_id}
    return Q(**past_value) | Q(**same_value)


async def cohort_ids_by_recognition_ids(
    *, ids: Iterable[int], connection: BaseDBAsyncClient | None = None
) -> dict[int, list[int]]:
    """The selected cohorts of each recognition, in id order (the caller has already checked it may
    see them)."""
    grouped: dict[int, list[int]] = {recognition_id: [] for recognition_id in ids}
    for recognition_id, cohort_id in await _COHORT_LINKS(connection=connection, ids=list(grouped)):
        grouped[recognition_id].append(cohort_id)
    return grouped


_COHORT_LINKS: Prepared[list[tuple[int, int]]] = Prepared(
    lambda ids: (
        RecognitionCohort.filter(recognition_id__in=ids)
        .order_by("cohort_id")
        .values_list("recognition_id", "cohort_id")
    )
)


async def cohorts_selected_by(*, actor: Actor, ids: Iterable[int]) -> dict[int, Cohort]:
    """The cohorts these recognitions select that the actor may see, each with its program and the
    program's certificate type, by id."""
    cohorts = await _SELECTED_COHORTS(partner_id=actor.seen_partner_id, ids=list(ids))
    return {cohort.id: cohort for cohort in cohorts}


_SELECTED_COHORTS: Prepared[list[Cohort]] = Prepared(
    lambda partner_id, ids: (
        scoped(Cohort.filter(recognitions__recognition_id__in=ids), partner_id)
        .select_related("program__certificate_type")
        .distinct()
    )
)


async def events_by_recognition_ids(*, ids: Iterable[int]) -> dict[int, list[RecognitionEvent]]:
    """The history of each recognition, oldest first."""
    grouped: dict[int, list[RecognitionEvent]] = {recognition_id: [] for recognition_id in ids}
    for event in await RecognitionEvent.filter(recognition_id__in=list(grouped)).order_by("at", "id"):
        grouped[event.recognition_id].append(event)
    return grouped


async def ceremonies_in_unknown_zones() -> list[Recognition]:
    """Ceremonies kept with a time zone ``rules.zone_named`` refuses: saved before it refused the
    machine's own zone ("localtime") and tzdata's placeholders, their day depends on the server."""
    zones = await Recognition.filter(time_zone__isnull=False).distinct().values_list("time_zone", flat=True)
    unknown = [zone for zone in zones if rules.zone_named(str(zone), field=())[0] is None]
    return await Recognition.filter(time_zone__in=unknown).order_by("id") if unknown else []


def shown_status(recognition: Recognition, now: datetime) -> Status:
    return rules.status_of(recognition.status, recognition.past_from, now)


def actions_for(recognition: Recognition, actor: Actor, now: datetime) -> list[Action]:
    pending = recognition.status is StoredStatus.SCHEDULED_PENDING
    return rules.available_actions(
        recognition.kind, shown_status(recognition, now), actor, pins_pending=pending
    )
