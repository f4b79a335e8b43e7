from __future__ import annotations

import datetime

import strawberry
from strawberry import relay

from service.certificates.candidates import kind_of
from service.certificates.rules import CandidateKind as CandidateKindValue
from service.enrollments.models import Enrollment
from service.graphql.cohorts.types import CertificateType, Cohort, Program
from service.graphql.context import context_of

CandidateKind = strawberry.enum(
    CandidateKindValue,
    name="CandidateKind",
    description="COMPLETER: completed and certified. APPROACHING: course still open, not completed yet.",
)


@strawberry.type(description="Progress in the course, as the LMS last reported it.")
class Progress:
    percent: float
    modules_completed: int
    modules_required: int
    synced_at: datetime.datetime | None = strawberry.field(description="When the LMS last reported it.")


@strawberry.type(description="A course-taker the certificates step lists.")
class CertificateCandidate:
    enrollment: strawberry.Private[Enrollment]

    @strawberry.field(description="Global id of the enrolment: what certificate mutations take.")
    def enrollment_id(self) -> relay.GlobalID:
        return relay.GlobalID("Enrollment", str(self.enrollment.id))

    @strawberry.field
    def name(self) -> str:
        return self.enrollment.course_taker.name

    @strawberry.field
    def email(self) -> str:
        return self.enrollment.course_taker.email

    @strawberry.field
    def kind(self) -> CandidateKind:  # type: ignore[valid-type]
        return kind_of(self.enrollment)

    @strawberry.field
    def cohort(self) -> Cohort:
        return Cohort.from_model(self.enrollment.cohort)

    @strawberry.field
    async def program(self, info: strawberry.Info) -> Program:
        program = await context_of(info).loaders.program_by_id.load(self.enrollment.cohort.program_id)
        assert program is not None, "a listed cohort's program is visible"
        return Program.from_model(program)

    @strawberry.field(description="Earned (completers) or to be earned on completion (approaching).")
    async def certificate_type(self, info: strawberry.Info) -> CertificateType:
        loaded = await context_of(info).loaders.certificate_type_by_id.load(
            self.enrollment.certificate_type_id
        )
        assert loaded is not None
        return CertificateType.from_model(loaded)

    @strawberry.field(description="When they completed the course; null while approaching.")
    def completed_at(self) -> datetime.datetime | None:
        return self.enrollment.completed_at

    @strawberry.field
    def progress(self) -> Progress:
        enrollment = self.enrollment
        return Progress(
            percent=float(enrollment.percent_complete),
            modules_completed=enrollment.modules_completed,
            modules_required=enrollment.modules_required,
            synced_at=enrollment.progress_synced_at,
        )


@strawberry.type
class CertificateCandidateEdge:
    node: CertificateCandidate
    cursor: str


@strawberry.type
class CertificateCandidateConnection:
    edges: list[CertificateCandidateEdge]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="Candidates matching the filter, on every page.")
    completer_count: int = strawberry.field(description="Completers matching the filter, whatever its kind.")
    approaching_count: int = strawberry.field(
        description="Approaching matching the filter, whatever its kind."
    )
