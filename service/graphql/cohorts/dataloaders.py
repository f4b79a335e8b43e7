from __future__ import annotations

from collections.abc import Iterable

from service.cohorts.models import CertificateType, Cohort, Program
from service.cohorts.services import (
    certificate_types_by_ids,
    cohorts_by_ids,
    cohorts_by_program_ids,
    programs_by_ids,
)
from service.graphql.core.dataloader import ScopedLoader
from service.users.actor import Actor


class ProgramByIdLoader(ScopedLoader[int, Program]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Program]:
        return await programs_by_ids(actor=actor, ids=ids)


class CohortByIdLoader(ScopedLoader[int, Cohort]):
    """Cohorts come with their programs and those programs' certificate types (one query), which
    it gives to this request's loaders of those: a cohort's ``program`` and a program's
    ``certificateType`` then resolve at once, without a query, a coroutine or a task per row."""

    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Cohort]:
        cohorts = await cohorts_by_ids(actor=actor, ids=ids, with_programs=True)
        self.prime_programs(cohorts.values())
        return cohorts

    def prime_programs(self, cohorts: Iterable[Cohort]) -> None:
        """The programs and certificate types of cohorts read with them, given to their loaders."""
        programs = ProgramByIdLoader.for_context(self._context)
        certificate_types = CertificateTypeByIdLoader.for_context(self._context)
        for cohort in cohorts:
            programs.prime(cohort.program_id, cohort.program)
            certificate_types.prime(cohort.program.certificate_type_id, cohort.program.certificate_type)


class CohortsByProgramIdLoader(ScopedLoader[int, list[Cohort]]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, list[Cohort]]:
        return await cohorts_by_program_ids(actor=actor, program_ids=ids)


class CertificateTypeByIdLoader(ScopedLoader[int, CertificateType]):
    """Certificate types are shared by every partner: anyone signed in may read them."""

    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, CertificateType]:
        return await certificate_types_by_ids(ids=ids)
