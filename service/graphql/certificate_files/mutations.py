from __future__ import annotations

import strawberry
from strawberry import relay

from service.certificate_files.models import CertificateFileJob as JobModel
from service.certificate_files.requests import FileLimits, SelectionChanged, regenerate_file, request_file
from service.certificates.candidates import NotListed
from service.errors import DomainError
from service.graphql.certificate_files.inputs import (
    CertificateFileRegenerateInput,
    CertificateFileRequestInput,
)
from service.graphql.certificate_files.types import CertificateFileJob
from service.graphql.certificates.inputs import CertificateCandidateFilter
from service.graphql.certificates.types import Listing
from service.graphql.core.context import Info
from service.graphql.core.node import key_of
from service.graphql.core.payloads import UserError, attempt, both_selection_and_filter
from service.graphql.recognitions.inputs import recognition_key


@strawberry.type(description="A course-taker of the last file who is no longer listed, and why.")
class CertificateFileDropout:
    enrollment_id: relay.GlobalID
    name: str
    email: str
    why: Listing  # type: ignore[valid-type]

    @classmethod
    def of(cls, person: NotListed) -> CertificateFileDropout:
        return cls(
            enrollment_id=relay.GlobalID("Enrollment", str(person.enrollment_id)),
            name=person.name,
            email=person.email,
            why=person.why,
        )


@strawberry.type
class CertificateFileJobPayload:
    job: CertificateFileJob | None
    errors: list[UserError]
    dropped_out: list[CertificateFileDropout] = strawberry.field(
        default_factory=list,
        description="Regenerating: the last file's course-takers who are no longer listed (left out of "
        "the new file with `withoutDroppedOut`, else the reason for its refusal).",
    )

    @classmethod
    def of(cls, result: tuple[JobModel | None, list[UserError]]) -> CertificateFileJobPayload:
        model, errors = result
        return cls(job=None if model is None else CertificateFileJob.from_model(model), errors=errors)


@strawberry.type
class CertificateFileMutations:
    @strawberry.mutation(
        description="Download Certificates: request one PDF of the selected course-takers' certificates. "
        "It is made in the background; the same selection already queued or running returns that job."
    )
    async def certificate_file_request(
        self, info: Info, input: CertificateFileRequestInput
    ) -> CertificateFileJobPayload:
        context = info.context
        if errors := both_selection_and_filter(input.enrollment_ids, input.filter):
            return CertificateFileJobPayload(job=None, errors=errors)
        return CertificateFileJobPayload.of(
            await attempt(
                request_file(
                    actor=await context.actor(),
                    recognition_id=recognition_key(input.recognition_id),
                    enrollment_ids=(
                        None
                        if input.enrollment_ids is None
                        else [key_of(enrollment_id, "Enrollment") for enrollment_id in input.enrollment_ids]
                    ),
                    candidate_filter=(input.filter or CertificateCandidateFilter()).to_domain(),
                    now=context.clock.now(),
                    limits=FileLimits(*context.settings.file_limits()),
                    stall=context.settings.job_stall,
                )
            )
        )

    @strawberry.mutation(description="Make the last certificates file again, from the same selection.")
    async def certificate_file_regenerate(
        self, info: Info, input: CertificateFileRegenerateInput
    ) -> CertificateFileJobPayload:
        context = info.context
        try:
            result = await regenerate_file(
                actor=await context.actor(),
                recognition_id=recognition_key(input.recognition_id),
                now=context.clock.now(),
                without_dropped_out=input.without_dropped_out,
                limits=FileLimits(*context.settings.file_limits()),
                stall=context.settings.job_stall,
            )
        except SelectionChanged as refusal:
            return CertificateFileJobPayload(
                job=None,
                errors=[UserError.from_problem(problem) for problem in refusal.problems],
                dropped_out=[CertificateFileDropout.of(person) for person in refusal.dropped_out],
            )
        except DomainError as error:
            return CertificateFileJobPayload(
                job=None, errors=[UserError.from_problem(problem) for problem in error.problems]
            )
        return CertificateFileJobPayload(
            job=CertificateFileJob.from_model(result.job),
            errors=[],
            dropped_out=[CertificateFileDropout.of(person) for person in result.dropped_out],
        )
