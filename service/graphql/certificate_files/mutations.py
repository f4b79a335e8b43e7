from __future__ import annotations

import strawberry
from strawberry import relay

from service.certificate_files.models import CertificateFileJob as JobModel
from service.certificate_files.regenerating import SelectionChanged, regenerate_file
from service.certificate_files.requests import FileLimits, FilteredFile, request_file, request_filtered_file
from service.certificates.candidates import NotListed
from service.errors import DomainError
from service.graphql.certificate_files.inputs import (
    CertificateFileRegenerateInput,
    CertificateFileRequestInput,
)
from service.graphql.certificate_files.types import CertificateFileJob, CertificateFileLeftOut
from service.graphql.certificates.inputs import CertificateCandidateFilter
from service.graphql.certificates.types import Listing
from service.graphql.core.context import Info
from service.graphql.core.node import key_of
from service.graphql.core.payloads import (
    ERRORS,
    UserError,
    attempt,
    both_selection_and_filter,
    exceptions_without_filter,
)
from service.graphql.recognitions.inputs import recognition_key


@strawberry.type(description="A course-taker of the last file who is no longer listed, and why.")
class CertificateFileDropout:
    enrollment_id: relay.GlobalID = strawberry.field(description="Their enrolment's id.")
    name: str = strawberry.field(description="Their name.")
    email: str = strawberry.field(description="Their email address.")
    why: Listing = strawberry.field(description="Why the page no longer lists them.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, person: NotListed) -> CertificateFileDropout:
        return cls(
            enrollment_id=relay.GlobalID("Enrollment", str(person.enrollment_id)),
            name=person.name,
            email=person.email,
            why=person.why,
        )


@strawberry.type(description="What a combined-file mutation did.")
class CertificateFileJobPayload:
    job: CertificateFileJob | None = strawberry.field(
        description="The job making the file (QUEUED at first; the same selection already queued or running "
        "answers that job); null when refused. Follow it with `certificateFileJobUpdated`."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)
    dropped_out: list[CertificateFileDropout] = strawberry.field(
        default_factory=list,
        description="Regenerating: the last file's course-takers who are no longer listed (left out of "
        "the new file with `withoutDroppedOut`, else the reason for its refusal).",
    )
    left_out: list[CertificateFileLeftOut] = strawberry.field(
        default_factory=list,
        description="Requesting by `filter`, or regenerating: the course-takers it matched whose certificate "
        "staff revoked, left out of the file (for anyone but staff; an `enrollmentIds` list naming one is "
        "refused). The job keeps them too (`CertificateFileJob.leftOut`).",
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
        errors = both_selection_and_filter(input.enrollment_ids, input.filter)
        if errors := errors or exceptions_without_filter(input.enrollment_ids, input.except_enrollment_ids):
            return CertificateFileJobPayload(job=None, errors=errors)
        actor = await context.actor()
        recognition_id = recognition_key(input.recognition_id)
        limits = FileLimits(*context.settings.file_limits())
        if input.enrollment_ids is not None:
            return CertificateFileJobPayload.of(
                await attempt(
                    request_file(
                        actor=actor,
                        recognition_id=recognition_id,
                        enrollment_ids=[key_of(key, "Enrollment") for key in input.enrollment_ids],
                        now=context.clock.now(),
                        limits=limits,
                        stall=context.settings.job_stall,
                    )
                )
            )
        filtered, errors = await attempt(
            request_filtered_file(
                actor=actor,
                recognition_id=recognition_id,
                candidate_filter=(input.filter or CertificateCandidateFilter()).to_domain(),
                except_ids=[key_of(key, "Enrollment") for key in input.except_enrollment_ids or []],
                now=context.clock.now(),
                limits=limits,
                stall=context.settings.job_stall,
            )
        )
        return _filtered_payload(filtered, errors)

    @strawberry.mutation(
        description="Make the last certificates file again, from the same selection: for anyone but staff, "
        "without those whose certificate staff revoked since (`leftOut` names them; FORBIDDEN at "
        "`recognitionId` when that is everyone)."
    )
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
            left_out=[CertificateFileLeftOut.of(person) for person in result.left_out],
        )


def _filtered_payload(filtered: FilteredFile | None, errors: list[UserError]) -> CertificateFileJobPayload:
    if filtered is None:
        return CertificateFileJobPayload(job=None, errors=errors)
    return CertificateFileJobPayload(
        job=CertificateFileJob.from_model(filtered.job),
        errors=errors,
        left_out=[CertificateFileLeftOut.of(person) for person in filtered.left_out],
    )
