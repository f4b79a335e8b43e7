from __future__ import annotations

import strawberry
from strawberry import relay

from service.certificate_files.models import CertificateFileJob as JobModel
from service.certificate_files.requests import regenerate_file, request_file
from service.graphql.certificate_files.types import CertificateFileJob
from service.graphql.certificates.mutations import recognition_key
from service.graphql.context import context_of
from service.graphql.payloads import UserError, attempt, key_of


@strawberry.input
class CertificateFileRequestInput:
    recognition_id: relay.GlobalID
    enrollment_ids: list[relay.GlobalID] = strawberry.field(
        description="1 to 5,000 candidates' `enrollmentId`s, in the page's order; repeats are dropped."
    )


@strawberry.input
class CertificateFileRegenerateInput:
    recognition_id: relay.GlobalID


@strawberry.type
class CertificateFileJobPayload:
    job: CertificateFileJob | None
    errors: list[UserError]

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
        self, info: strawberry.Info, input: CertificateFileRequestInput
    ) -> CertificateFileJobPayload:
        context = context_of(info)
        return CertificateFileJobPayload.of(
            await attempt(
                request_file(
                    actor=await context.actor(),
                    recognition_id=recognition_key(input.recognition_id),
                    enrollment_ids=[
                        key_of(enrollment_id, "Enrollment") for enrollment_id in input.enrollment_ids
                    ],
                    now=context.clock.now(),
                )
            )
        )

    @strawberry.mutation(description="Make the last certificates file again, from the same selection.")
    async def certificate_file_regenerate(
        self, info: strawberry.Info, input: CertificateFileRegenerateInput
    ) -> CertificateFileJobPayload:
        context = context_of(info)
        return CertificateFileJobPayload.of(
            await attempt(
                regenerate_file(
                    actor=await context.actor(),
                    recognition_id=recognition_key(input.recognition_id),
                    now=context.clock.now(),
                )
            )
        )
