from __future__ import annotations

import datetime

import strawberry
from strawberry import relay

from service.cohorts.models import CertificateType as CertificateTypeModel
from service.cohorts.models import Cohort as CohortModel
from service.cohorts.models import Program as ProgramModel
from service.graphql.cohorts.dataloaders import (
    CertificateTypeByIdLoader,
    CohortByIdLoader,
    CohortsByProgramIdLoader,
    ProgramByIdLoader,
)
from service.graphql.core.context import Info
from service.graphql.core.node import LoadedNode
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.graphql.partners.types import Partner


@strawberry.type(description="A certificate a course-taker can earn.")
class CertificateType(LoadedNode):
    loader = CertificateTypeByIdLoader

    id: relay.NodeID[int]
    code: str = strawberry.field(
        description="A short code, unique among certificate types and stable (e.g. ECI): tell types apart "
        "by it, not by the name."
    )
    name: str = strawberry.field(
        description="Its name as printed on certificates, e.g. Certificate in Effective College Instruction."
    )

    @classmethod
    def from_model(cls, model: CertificateTypeModel) -> CertificateType:
        return cls(id=model.id, code=model.code, name=model.name)


@strawberry.type(description="One run of a program.")
class Cohort(LoadedNode):
    loader = CohortByIdLoader

    id: relay.NodeID[int]
    name: str = strawberry.field(description="Its name, unique within its program, e.g. Autumn 2026.")
    starts_on: datetime.date = strawberry.field(
        description="Its first day: a calendar date, with no time nor time zone."
    )
    ends_on: datetime.date = strawberry.field(
        description="Its last day: a calendar date, with no time nor time zone; step 1's date range is "
        "compared with it as it is."
    )
    closed_at: datetime.datetime | None = strawberry.field(
        description="When the course closed for submissions; null while it is open."
    )
    lms_course_id: str | None = strawberry.field(description="The course's id in Canvas.")
    program_id: strawberry.Private[int]

    @strawberry.field(description="Whether the course is closed for submissions.")
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @strawberry.field(description="The program it is a run of.")
    def program(self, info: Info) -> Program:
        return ProgramByIdLoader.for_context(info.context).then(self.program_id, visible_program)

    @classmethod
    def from_model(cls, model: CohortModel) -> Cohort:
        return cls(
            id=model.id,
            name=model.name,
            starts_on=model.starts_on,
            ends_on=model.ends_on,
            closed_at=model.closed_at,
            lms_course_id=model.lms_course_id,
            program_id=model.program_id,
        )


@strawberry.type(description="A course offering of a partner, run as cohorts.")
class Program(LoadedNode):
    loader = ProgramByIdLoader

    id: relay.NodeID[int]
    name: str = strawberry.field(
        description="Its name, unique within its partner, e.g. Effective Teaching Practices."
    )
    partner_id: strawberry.Private[int]
    certificate_type_id: strawberry.Private[int]
    matched_cohorts: strawberry.Private[list[CohortModel] | None] = None

    @strawberry.field(description="The partner that offers it.")
    async def partner(self, info: Info) -> Partner:
        partner = await PartnerByIdLoader.for_context(info.context).load(self.partner_id)
        assert partner is not None, "a visible program's partner is visible too"
        return Partner.from_model(partner)

    @strawberry.field(description="The certificate type this program's completers earn.")
    def certificate_type(self, info: Info) -> CertificateType:
        loader = CertificateTypeByIdLoader.for_context(info.context)
        return loader.then(self.certificate_type_id, known_certificate_type)

    @strawberry.field(
        description="The program's cohorts by end date. Reached through "
        "`programs(cohortsEndingBetween:)`, only the cohorts ending in that range."
    )
    async def cohorts(self, info: Info) -> list[Cohort]:
        if self.matched_cohorts is not None:
            models = self.matched_cohorts
        else:
            models = await CohortsByProgramIdLoader.for_context(info.context).load(self.id) or []
        return [Cohort.from_model(model) for model in models]

    @classmethod
    def from_model(cls, model: ProgramModel, *, matched_cohorts: list[CohortModel] | None = None) -> Program:
        return cls(
            id=model.id,
            name=model.name,
            partner_id=model.partner_id,
            certificate_type_id=model.certificate_type_id,
            matched_cohorts=matched_cohorts,
        )


# What a loaded id shows as, for ``ScopedLoader.then`` (resolvers that answer at once when they can).
def visible_program(model: ProgramModel | None) -> Program:
    assert model is not None, "a visible cohort's program is visible too"
    return Program.from_model(model)


def known_certificate_type(model: CertificateTypeModel | None) -> CertificateType:
    assert model is not None, "every program has a certificate type"
    return CertificateType.from_model(model)
