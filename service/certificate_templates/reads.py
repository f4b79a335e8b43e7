"""Templates as the API reads them: by id, their current versions, their images (partner-scoped),
and the certificate types a template may be narrowed to."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.expressions import Q

from service.certificate_templates.models import (
    CertificateImage,
    CertificateTemplate,
    CertificateTemplateVersion,
)
from service.cohorts.models import CertificateType
from service.users.actor import Actor


async def templates_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, CertificateTemplate]:
    return {
        template.id: template for template in await actor.scope(CertificateTemplate.filter(id__in=list(ids)))
    }


async def current_versions_by_template_ids(
    *, actor: Actor, ids: Iterable[int]
) -> dict[int, CertificateTemplateVersion]:
    """Each template's current version: one query."""
    templates = await templates_by_ids(actor=actor, ids=ids)
    if not templates:
        return {}
    wanted = Q(
        *(Q(template_id=template.id, number=template.current_version) for template in templates.values()),
        join_type=Q.OR,
    )
    return {version.template_id: version for version in await CertificateTemplateVersion.filter(wanted)}


async def images_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, CertificateImage]:
    query = actor.scope(CertificateImage.filter(id__in=list(ids))).only(
        "id", "partner_id", "format", "width", "height", "sha256"
    )
    return {image.id: image for image in await query}


async def certificate_types() -> list[CertificateType]:
    """Every certificate type, by name: what a template may print only (types are shared by every
    partner)."""
    return await CertificateType.all().order_by("name", "id")
