from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry import relay

from service.certificate_templates.models import CertificateImage as CertificateImageModel
from service.certificate_templates.models import CertificateTemplate as CertificateTemplateModel
from service.graphql.certificate_templates.dataloaders import (
    CertificateImageByIdLoader,
    CertificateTemplateByIdLoader,
    CurrentVersionByTemplateIdLoader,
)
from service.graphql.core.context import Info
from service.graphql.core.node import LoadedNode


@strawberry.type(description="A logo or signature, as stored: re-encoded PNG or JPEG pixels.")
class CertificateImage:
    id: relay.GlobalID = strawberry.field(
        description="Its id, for a design's `partnerLogoId`, `organisationLogoId` or a signatory's "
        "`signatureImageId`."
    )
    format: str = strawberry.field(description="PNG or JPEG.")
    width: int = strawberry.field(description="In pixels.")
    height: int = strawberry.field(description="In pixels.")

    @classmethod
    def from_model(cls, model: CertificateImageModel) -> CertificateImage:
        return cls(
            id=relay.GlobalID("CertificateImage", str(model.id)),
            format=model.format.value,
            width=model.width,
            height=model.height,
        )


@strawberry.type(
    description="The fixed words of a certificate; in a second language, a blank one is not printed."
)
class CertificateWording:
    presented: str = strawberry.field(description='Above the name, e.g. "This certifies that".')
    completed: str = strawberry.field(
        description='Between the name and the program, e.g. "has completed the program".'
    )
    completed_provisional: str = strawberry.field(
        description="Instead of `completed` while a certificate is provisional (issued before completion)."
    )
    date_caption: str = strawberry.field(description='Under the date, e.g. "Date awarded".')
    signature_caption: str = strawberry.field(
        description="Under the signature line when there is no signatory."
    )
    verify: str = strawberry.field(
        description='Before the verification address, by the QR code, e.g. "Scan the code or visit".'
    )

    @classmethod
    def of(cls, stored: dict[str, str]) -> CertificateWording:
        return cls(
            presented=stored["presented"],
            completed=stored["completed"],
            completed_provisional=stored["completed_provisional"],
            date_caption=stored["date_caption"],
            signature_caption=stored["signature_caption"],
            verify=stored["verify"],
        )


@strawberry.type(description="A signature line: who signs, and their signature's image if any.")
class CertificateSignatory:
    name: str = strawberry.field(description="Printed under the signature line.")
    title: str = strawberry.field(description="Printed under the name; empty when none.")
    signature_image_id: relay.GlobalID | None = strawberry.field(
        description="The signature image's id; null: a blank line."
    )

    @strawberry.field(description="The signature image; null when none.")
    async def signature(self, info: Info) -> CertificateImage | None:
        return await _image(info, self.signature_image_id)


@strawberry.type(description="A template version's design.")
class CertificateDesign:
    version: int = strawberry.field(description="The version's number, from 1.")
    created_at: datetime.datetime = strawberry.field(description="When this version was made, in UTC.")
    wording: CertificateWording = strawberry.field(description="The fixed words.")
    second_language: CertificateWording | None = strawberry.field(
        description="The same words in a second language, each a smaller line under the first; "
        "blank ones are left out."
    )
    primary_color: str = strawberry.field(description="#RRGGBB: the frame, the title and the program.")
    accent_color: str = strawberry.field(description="#RRGGBB: the rules and the frame's inner line.")
    partner_logo_id: relay.GlobalID | None = strawberry.field(
        description="The partner's logo, in a top corner; null: none."
    )
    organisation_logo_id: relay.GlobalID | None = strawberry.field(
        description="The certifying organisation's logo, in a top corner; null: none."
    )
    signatories: list[CertificateSignatory] = strawberry.field(
        description="Up to three, in the order printed; none: one line captioned `signatureCaption`."
    )

    @strawberry.field(description="The partner's logo image; null when none.")
    async def partner_logo(self, info: Info) -> CertificateImage | None:
        return await _image(info, self.partner_logo_id)

    @strawberry.field(description="The certifying organisation's logo image; null when none.")
    async def organisation_logo(self, info: Info) -> CertificateImage | None:
        return await _image(info, self.organisation_logo_id)


@strawberry.type(description="A partner's certificate design, versioned: each edit makes a new version.")
class CertificateTemplate(LoadedNode):
    loader = CertificateTemplateByIdLoader

    id: relay.NodeID[int]
    name: str = strawberry.field(description="Its name on the template screen; not printed.")
    partner_id: relay.GlobalID = strawberry.field(description="The partner whose certificates it prints.")
    certificate_type_id: relay.GlobalID | None = strawberry.field(
        description="The certificate type it prints; null: every type without a template of its own."
    )
    version: int = strawberry.field(description="The current version's number.")
    assigned: bool = strawberry.field(description="Whether it prints the partner's next certificates.")
    updated_at: datetime.datetime = strawberry.field(
        description="When it last changed (a new version, or its assignment), in UTC."
    )

    @strawberry.field(description="The current version's design.")
    async def design(self, info: Info) -> CertificateDesign:
        version = await CurrentVersionByTemplateIdLoader.for_context(info.context).load(self.id)
        assert version is not None  # a template always has its current version
        return design_of(version.number, version.created_at, version.design)

    @classmethod
    def from_model(cls, model: CertificateTemplateModel) -> CertificateTemplate:
        type_id = model.certificate_type_id
        return cls(
            id=model.id,
            name=model.name,
            partner_id=relay.GlobalID("Partner", str(model.partner_id)),
            certificate_type_id=None if type_id is None else relay.GlobalID("CertificateType", str(type_id)),
            version=model.current_version,
            assigned=model.assigned_scope is not None,
            updated_at=model.updated_at,
        )


def design_of(number: int, created_at: datetime.datetime, stored: dict[str, Any]) -> CertificateDesign:
    second = stored["secondLanguage"]
    return CertificateDesign(
        version=number,
        created_at=created_at,
        wording=CertificateWording.of(stored["wording"]),
        second_language=None if second is None else CertificateWording.of(second),
        primary_color=stored["primary"],
        accent_color=stored["accent"],
        partner_logo_id=_image_id(stored["partnerLogo"]),
        organisation_logo_id=_image_id(stored["organisationLogo"]),
        signatories=[
            CertificateSignatory(
                name=item["name"], title=item["title"], signature_image_id=_image_id(item["signature"])
            )
            for item in stored["signatories"]
        ],
    )


def _image_id(key: int | None) -> relay.GlobalID | None:
    return None if key is None else relay.GlobalID("CertificateImage", str(key))


async def _image(info: Info, image_id: relay.GlobalID | None) -> CertificateImage | None:
    if image_id is None:
        return None
    model = await CertificateImageByIdLoader.for_context(info.context).load(int(image_id.node_id))
    return None if model is None else CertificateImage.from_model(model)
