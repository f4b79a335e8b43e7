from __future__ import annotations

from typing import TYPE_CHECKING

from service.cohorts.models import CertificateType, Cohort, Program
from service.cohorts.services import (
    certificate_types_by_ids,
    cohorts_by_ids,
    cohorts_by_program_ids,
    programs_by_ids,
)
from service.graphql.dataloader import ScopedLoader

if TYPE_CHECKING:
    from service.graphql.context import Context


class ProgramByIdLoader(ScopedLoader[int, Program]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: programs_by_ids(actor=actor, ids=ids))


class CohortByIdLoader(ScopedLoader[int, Cohort]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: cohorts_by_ids(actor=actor, ids=ids))


class CohortsByProgramIdLoader(ScopedLoader[int, list[Cohort]]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: cohorts_by_program_ids(actor=actor, program_ids=ids))


class CertificateTypeByIdLoader(ScopedLoader[int, CertificateType]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda _actor, ids: certificate_types_by_ids(ids=ids))
