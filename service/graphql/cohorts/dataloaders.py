from __future__ import annotations

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
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Cohort]:
        return await cohorts_by_ids(actor=actor, ids=ids)


class CohortsByProgramIdLoader(ScopedLoader[int, list[Cohort]]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, list[Cohort]]:
        return await cohorts_by_program_ids(actor=actor, program_ids=ids)


class CertificateTypeByIdLoader(ScopedLoader[int, CertificateType]):
    """Certificate types are shared by every partner: anyone signed in may read them."""

    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, CertificateType]:
        return await certificate_types_by_ids(ids=ids)
