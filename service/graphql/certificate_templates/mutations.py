from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from starlette.datastructures import UploadFile

from service.certificate_templates.images import MAX_BYTES
from service.certificate_templates.models import CertificateImage as CertificateImageModel
from service.certificate_templates.models import CertificateTemplate as CertificateTemplateModel
from service.certificate_templates.services import (
    assign_template,
    create_template,
    edit_template,
    upload_image,
)
from service.errors import ErrorCode, Problem
from service.graphql.certificate_templates.inputs import (
    CertificateImageUploadInput,
    CertificateTemplateAssignInput,
    CertificateTemplateCreateInput,
    CertificateTemplateEditInput,
)
from service.graphql.certificate_templates.types import CertificateImage, CertificateTemplate
from service.graphql.core.context import Info
from service.graphql.core.node import key_of
from service.graphql.core.payloads import ERRORS, UserError, attempt

ModelT = TypeVar("ModelT")
PayloadT = TypeVar("PayloadT")


async def payload_of(
    make: Callable[[ModelT | None, list[UserError]], PayloadT], work: Awaitable[ModelT]
) -> PayloadT:
    """A mutation's payload: what the service call made, or the user errors of its refusal."""
    return make(*await attempt(work))


@strawberry.type(description="What `certificateImageUpload` did.")
class CertificateImageUploadPayload:
    image: CertificateImage | None = strawberry.field(
        description="The image as stored (its pixels re-encoded); null when refused."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)

    @classmethod
    def of(
        cls, model: CertificateImageModel | None, errors: list[UserError]
    ) -> CertificateImageUploadPayload:
        return cls(image=None if model is None else CertificateImage.from_model(model), errors=errors)


@strawberry.type(description="What a template mutation did.")
class CertificateTemplatePayload:
    template: CertificateTemplate | None = strawberry.field(
        description="The template as it is now; null when refused."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)

    @classmethod
    def of(
        cls, model: CertificateTemplateModel | None, errors: list[UserError]
    ) -> CertificateTemplatePayload:
        return cls(template=None if model is None else CertificateTemplate.from_model(model), errors=errors)


@strawberry.type
class CertificateTemplateMutations:
    @strawberry.mutation(
        description="Upload a logo or signature for a partner's templates (a GraphQL multipart request): "
        "PNG or JPEG, re-encoded so only its pixels are kept. Staff, or the partner's admin."
    )
    async def certificate_image_upload(
        self, info: Info, input: CertificateImageUploadInput
    ) -> CertificateImageUploadPayload:
        context = info.context
        upload: Any = input.file
        if not isinstance(upload, UploadFile):  # a value in the JSON variables, not a file part
            problem = Problem(
                ErrorCode.INVALID_VALUE, "Send the file as a part of a GraphQL multipart request.", ("file",)
            )
            return CertificateImageUploadPayload.of(None, [UserError.from_problem(problem)])
        # One byte past the limit is enough to know it is too large.
        data = await upload.read(MAX_BYTES + 1)
        return await payload_of(
            CertificateImageUploadPayload.of,
            upload_image(
                actor=await context.actor(),
                partner_id=key_of(input.partner_id, "Partner"),
                filename=upload.filename or "",
                data=data,
                now=context.clock.now(),
            ),
        )

    @strawberry.mutation(description="Staff: a new certificate template for a partner (not assigned yet).")
    async def certificate_template_create(
        self, info: Info, input: CertificateTemplateCreateInput
    ) -> CertificateTemplatePayload:
        context = info.context
        type_id = input.certificate_type_id
        return await payload_of(
            CertificateTemplatePayload.of,
            create_template(
                actor=await context.actor(),
                partner_id=key_of(input.partner_id, "Partner"),
                certificate_type_id=None if type_id is None else key_of(type_id, "CertificateType"),
                name=input.name,
                design=input.design.to_domain(),
                now=context.clock.now(),
            ),
        )

    @strawberry.mutation(
        description="A new version of a template's design; certificates already issued keep theirs. Staff, "
        "or the partner's admin for the wording and signatories."
    )
    async def certificate_template_edit(
        self, info: Info, input: CertificateTemplateEditInput
    ) -> CertificateTemplatePayload:
        context = info.context
        return await payload_of(
            CertificateTemplatePayload.of,
            edit_template(
                actor=await context.actor(),
                template_id=key_of(input.id, "CertificateTemplate"),
                name=input.name,
                design=input.design.to_domain(),
                now=context.clock.now(),
            ),
        )

    @strawberry.mutation(description="Staff: make a template print the partner's next certificates, or stop.")
    async def certificate_template_assign(
        self, info: Info, input: CertificateTemplateAssignInput
    ) -> CertificateTemplatePayload:
        context = info.context
        return await payload_of(
            CertificateTemplatePayload.of,
            assign_template(
                actor=await context.actor(),
                template_id=key_of(input.id, "CertificateTemplate"),
                assigned=input.assigned,
                now=context.clock.now(),
            ),
        )
