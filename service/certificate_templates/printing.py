"""What the certificates domain asks of templates: which version prints a partner's next
certificates, and a version's design as the PDF layer draws it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from service.certificate_templates.models import (
    CertificateImage,
    CertificateTemplate,
    CertificateTemplateVersion,
)
from service.certificate_templates.rules import rgb
from service.pdf.branding import DEFAULT, Branding, Signatory, Wording


async def assigned_versions(*, partner_id: int, certificate_type_ids: Iterable[int]) -> dict[int, int | None]:
    """The current version of the template assigned to each certificate type (its own, else the
    partner's for every type), or None: the default design. One query."""
    type_ids = set(certificate_type_ids)
    scopes = {f"{partner_id}:{type_id}" for type_id in type_ids} | {f"{partner_id}:*"}
    assigned = {
        template.assigned_scope: template
        for template in await CertificateTemplate.filter(assigned_scope__in=scopes)
    }
    ids = {template.id: template.current_version for template in assigned.values()}
    versions = (
        {
            version.template_id: version.id
            for version in await CertificateTemplateVersion.filter(template_id__in=list(ids)).only(
                "id", "template_id", "number"
            )
            if ids[version.template_id] == version.number
        }
        if ids
        else {}
    )
    result: dict[int, int | None] = {}
    for type_id in type_ids:
        template = assigned.get(f"{partner_id}:{type_id}") or assigned.get(f"{partner_id}:*")
        result[type_id] = None if template is None else versions[template.id]
    return result


async def brandings(version_ids: Iterable[int | None]) -> dict[int | None, Branding]:
    """Each version's design (None: the default), with its images: two queries."""
    wanted = {version_id for version_id in version_ids if version_id is not None}
    found: dict[int | None, Branding] = {None: DEFAULT}
    if not wanted:
        return found
    versions = await CertificateTemplateVersion.filter(id__in=wanted)
    image_ids = {image_id for version in versions for image_id in _image_ids(version.design)}
    images = {
        image.id: bytes(image.data)
        for image in await CertificateImage.filter(id__in=image_ids).only("id", "data")
    }
    found |= {version.id: branding_of(version.design, images) for version in versions}
    return found


def branding_of(design: dict[str, Any], images: dict[int, bytes]) -> Branding:
    """A stored design as the PDF layer draws it."""

    def image(image_id: int | None) -> bytes | None:
        return None if image_id is None else images[image_id]

    second = design["secondLanguage"]
    return Branding(
        wording=Wording(**design["wording"]),
        second_language=None if second is None or not any(second.values()) else Wording(**second),
        primary=rgb(design["primary"]),
        accent=rgb(design["accent"]),
        partner_logo=image(design["partnerLogo"]),
        organisation_logo=image(design["organisationLogo"]),
        signatories=tuple(
            Signatory(name=item["name"], title=item["title"], signature=image(item["signature"]))
            for item in design["signatories"]
        ),
    )


def _image_ids(design: dict[str, Any]) -> set[int]:
    ids = {design["partnerLogo"], design["organisationLogo"]}
    ids |= {item["signature"] for item in design["signatories"]}
    return {image_id for image_id in ids if image_id is not None}
