from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from service.certificate_templates.preview import check_preview
from service.certificate_templates.reads import certificate_types
from service.certificate_templates.services import templates_of
from service.graphql.certificate_templates.types import CertificateTemplate
from service.graphql.cohorts.types import CertificateType
from service.graphql.core.context import Info
from service.graphql.core.node import key_of
from service.graphql.core.payloads import UserError, attempt
from service.web.downloads import preview_link


@strawberry.type(description="A link to a template's preview PDF, or why there is none.")
class CertificateTemplatePreview:
    download_url: str | None = strawberry.field(
        description="A signed link to a PDF with one page per sample name; it expires in 15 minutes. Null "
        "when refused."
    )
    errors: list[UserError] = strawberry.field(
        description="Why there is no link: the template not found, or sample names that cannot be printed "
        "(each at `sampleNames` and its position); empty when there is one."
    )


@strawberry.type
class CertificateTemplateQueries:
    @strawberry.field(description="The certificate templates you may see (of one partner, when given).")
    async def certificate_templates(
        self,
        info: Info,
        partner_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only this partner's; left out: every one you may see."),
        ] = None,
    ) -> list[CertificateTemplate]:
        actor = await info.context.actor()
        partner = None if partner_id is None else key_of(partner_id, "Partner")
        return [
            CertificateTemplate.from_model(model)
            for model in await templates_of(actor=actor, partner_id=partner)
        ]

    @strawberry.field(
        description="Every certificate type, by name (shared by every partner): what a template may be "
        "narrowed to when it is created (`certificateTypeId`)."
    )
    async def certificate_types(self, info: Info) -> list[CertificateType]:
        await info.context.actor()  # signed in
        return [CertificateType.from_model(model) for model in await certificate_types()]

    @strawberry.field(
        description="A short-lived link to a PDF of the template's current version, one page per "
        "sample name; by default a long Latin name, a CJK name, a right-to-left name and a name with "
        "combining marks."
    )
    async def certificate_template_preview(
        self,
        info: Info,
        template_id: Annotated[relay.GlobalID, strawberry.argument(description="The template's id.")],
        sample_names: Annotated[
            list[str] | None,
            strawberry.argument(
                description="1 to 8 names, each up to 200 characters, one page each; left out: the default "
                "samples."
            ),
        ] = None,
    ) -> CertificateTemplatePreview:
        context = info.context
        actor = await context.actor()
        preview, errors = await attempt(
            check_preview(
                actor=actor,
                template_id=key_of(template_id, "CertificateTemplate"),
                sample_names=sample_names,
                now=context.clock.now(),
            )
        )
        if preview is None:
            return CertificateTemplatePreview(download_url=None, errors=errors)
        link = preview_link(
            settings=context.settings, preview=preview, user_id=actor.user_id, now=context.clock.now()
        )
        return CertificateTemplatePreview(download_url=link, errors=[])
