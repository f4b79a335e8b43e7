from __future__ import annotations

import strawberry

from service.certificate_files.models import CertificateFileJob as JobModel
from service.certificate_files.requests import FileLimits, regenerate_file, request_file
from service.graphql.certificate_files.inputs import (
    CertificateFileRegenerateInput,
    CertificateFileRequestInput,
)
from service.graphql.certificate_files.types import CertificateFileJob
from service.graphql.core.context import Info
from service.graphql.core.node import key_of
from service.graphql.core.payloads import UserError, attempt
from service.graphql.recognitions.inputs import recognition_key


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
        self, info: Info, input: CertificateFileRequestInput
    ) -> CertificateFileJobPayload:
        context = info.context
        return CertificateFileJobPayload.of(
            await attempt(
                request_file(
                    actor=await context.actor(),
                    recognition_id=recognition_key(input.recognition_id),
                    enrollment_ids=[
                        key_of(enrollment_id, "Enrollment") for enrollment_id in input.enrollment_ids
                    ],
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
        return CertificateFileJobPayload.of(
            await attempt(
                regenerate_file(
                    actor=await context.actor(),
                    recognition_id=recognition_key(input.recognition_id),
                    now=context.clock.now(),
                    limits=FileLimits(*context.settings.file_limits()),
                    stall=context.settings.job_stall,
                )
            )
        )
