"""Certificate templates: staff create, edit and assign them; a partner admin sees their own and may
edit its wording and signatories (not its logos, colours or assignment). Every change makes a new
version (the old one stays, for the certificates printed with it) and an audit entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service.audit import services as audit
from service.audit.models import AuditAction
from service.certificate_templates.images import clean_image
from service.certificate_templates.models import (
    CertificateImage,
    CertificateTemplate,
    CertificateTemplateVersion,
    ImageFormat,
)
from service.certificate_templates.rules import DesignInput, checked_design
from service.cohorts.models import CertificateType
from service.errors import DomainError, ErrorCode, Forbidden, NotFound, Problem
from service.partners.models import Partner
from service.text import clean_text
from service.users.actor import Actor

MAX_NAME = 100
# What only staff may change in a design (stored key: input field): the partner's brand.
STAFF_ONLY_PARTS = {
    "primary": "primaryColor",
    "accent": "accentColor",
    "partnerLogo": "partnerLogoId",
    "organisationLogo": "organisationLogoId",
}


def scope_of(partner_id: int, certificate_type_id: int | None) -> str:
    return f"{partner_id}:{'*' if certificate_type_id is None else certificate_type_id}"


async def visible_template(
    actor: Actor, template_id: int, *, field: tuple[str, ...] = ("id",)
) -> CertificateTemplate:
    """The template, if the actor may see it; NotFound at ``field`` (the input that named it) if not."""
    template = await actor.scope(CertificateTemplate.filter(id=template_id)).first()
    if template is None:
        raise NotFound("Certificate template", field=field)
    return template


async def templates_of(*, actor: Actor, partner_id: int | None = None) -> list[CertificateTemplate]:
    """The templates the actor may see (of one partner, when given), by name."""
    query = actor.scope(CertificateTemplate.all())
    if partner_id is not None:
        query = query.filter(partner_id=partner_id)
    return await query.order_by("name", "id")


async def current_version(template: CertificateTemplate) -> CertificateTemplateVersion:
    return await CertificateTemplateVersion.get(template_id=template.id, number=template.current_version)


async def upload_image(
    *, actor: Actor, partner_id: int, filename: str, data: bytes, now: datetime
) -> CertificateImage:
    """A logo or signature for the partner's templates, re-encoded; the same image twice is one."""
    if not actor.can_see_partner(partner_id) or not await Partner.exists(id=partner_id):
        raise NotFound("Partner", field=("partnerId",))
    image = clean_image(data, filename=filename)
    existing = await CertificateImage.get_or_none(partner_id=partner_id, sha256=image.sha256)
    if existing is not None:
        return existing
    try:
        async with in_transaction() as connection:
            stored = await CertificateImage.create(
                partner_id=partner_id,
                format=ImageFormat(image.format),
                width=image.width,
                height=image.height,
                sha256=image.sha256,
                data=image.data,
                uploaded_by_id=actor.user_id,
                uploaded_at=now,
                using_db=connection,
            )
            await audit.record_action(
                action=AuditAction.TEMPLATE_IMAGE_UPLOADED,
                actor=actor,
                partner_id=partner_id,
                subject=f"CertificateImage:{stored.id}",
                now=now,
                details={"sha256": image.sha256, "width": image.width, "height": image.height},
                connection=connection,
            )
    except IntegrityError:  # the same image uploaded at the same moment
        return await CertificateImage.get(partner_id=partner_id, sha256=image.sha256)
    return stored


async def create_template(
    *,
    actor: Actor,
    partner_id: int,
    certificate_type_id: int | None,
    name: str,
    design: DesignInput,
    now: datetime,
) -> CertificateTemplate:
    """Staff: a new template (not assigned yet) with its first version."""
    if not actor.is_staff:
        raise Forbidden("Only staff may create a certificate template.")
    if not await Partner.exists(id=partner_id):
        raise NotFound("Partner", field=("partnerId",))
    problems: list[Problem] = []
    if certificate_type_id is not None and not await CertificateType.exists(id=certificate_type_id):
        problems.append(Problem(ErrorCode.NOT_FOUND, "Certificate type not found.", ("certificateTypeId",)))
    text, name_problems = clean_text(name, field=("name",), max_length=MAX_NAME, required=True)
    stored = await _checked(design, partner_id, problems + name_problems)
    async with in_transaction() as connection:
        template = await CertificateTemplate.create(
            partner_id=partner_id,
            certificate_type_id=certificate_type_id,
            name=text,
            current_version=1,
            created_at=now,
            updated_at=now,
            using_db=connection,
        )
        await CertificateTemplateVersion.create(
            template_id=template.id,
            number=1,
            design=stored,
            created_by_id=actor.user_id,
            created_at=now,
            using_db=connection,
        )
        await audit.record_action(
            action=AuditAction.TEMPLATE_CREATED,
            actor=actor,
            partner_id=partner_id,
            subject=f"CertificateTemplate:{template.id}",
            now=now,
            details={"version": 1},
            connection=connection,
        )
    return template


async def edit_template(
    *, actor: Actor, template_id: int, name: str | None, design: DesignInput, now: datetime
) -> CertificateTemplate:
    """A new version with this design (certificates already printed keep theirs). A partner admin
    may change the wording and signatories only."""
    template = await visible_template(actor, template_id)
    before = await current_version(template)
    problems: list[Problem] = []
    text, name_problems = (
        clean_text(name, field=("name",), max_length=MAX_NAME, required=True)
        if name is not None
        else (None, [])
    )
    stored = await _checked(design, template.partner_id, problems + name_problems)
    if not actor.is_staff:
        changed = [key for key in STAFF_ONLY_PARTS if stored[key] != before.design[key]]
        if changed or text is not None:
            raise DomainError(
                *(
                    Problem(ErrorCode.FORBIDDEN, "Only staff may change this.", where)
                    for where in [("design", STAFF_ONLY_PARTS[key]) for key in changed]
                    + ([("name",)] if text is not None else [])
                )
            )
    number = template.current_version + 1
    async with in_transaction() as connection:
        moved = (
            await CertificateTemplate.filter(id=template.id, current_version=template.current_version)
            .using_db(connection)
            .update(current_version=number, updated_at=now, **({"name": text} if text else {}))
        )
        if not moved:
            raise DomainError.of(
                ErrorCode.NOT_ALLOWED_IN_STATUS,
                "Someone else changed this template at the same moment; load it again and repeat your "
                "change.",
                field=("id",),
            )
        await CertificateTemplateVersion.create(
            template_id=template.id,
            number=number,
            design=stored,
            created_by_id=actor.user_id,
            created_at=now,
            using_db=connection,
        )
        await audit.record_action(
            action=AuditAction.TEMPLATE_EDITED,
            actor=actor,
            partner_id=template.partner_id,
            subject=f"CertificateTemplate:{template.id}",
            now=now,
            details={"version": number},
            connection=connection,
        )
    await template.refresh_from_db()
    return template


async def assign_template(
    *, actor: Actor, template_id: int, assigned: bool, now: datetime
) -> CertificateTemplate:
    """Staff: the template prints the partner's next certificates (of its type, or of every type not
    given a template of its own), replacing the one assigned before; or stops doing so."""
    if not actor.is_staff:
        raise Forbidden("Only staff may assign a certificate template.", field=("id",))
    template = await visible_template(actor, template_id)
    scope = scope_of(template.partner_id, template.certificate_type_id)
    async with in_transaction() as connection:
        if assigned:
            await (
                CertificateTemplate.filter(assigned_scope=scope)
                .exclude(id=template.id)
                .using_db(connection)
                .update(assigned_scope=None, updated_at=now)
            )
        await (
            CertificateTemplate.filter(id=template.id)
            .using_db(connection)
            .update(assigned_scope=scope if assigned else None, updated_at=now)
        )
        action = AuditAction.TEMPLATE_ASSIGNED if assigned else AuditAction.TEMPLATE_UNASSIGNED
        await audit.record_action(
            action=action,
            actor=actor,
            partner_id=template.partner_id,
            subject=f"CertificateTemplate:{template.id}",
            now=now,
            details={"version": template.current_version},
            connection=connection,
        )
    await template.refresh_from_db()
    return template


async def _checked(design: DesignInput, partner_id: int, problems: list[Problem]) -> dict[str, Any]:
    """The design as stored; every problem (the input's and any before) raised at once."""
    stored, found = checked_design(design)
    problems = problems + found
    wanted = {
        ("design", "partnerLogoId"): design.partner_logo_id,
        ("design", "organisationLogoId"): design.organisation_logo_id,
    } | {
        ("design", "signatories", str(index), "signatureImageId"): signatory.signature_image_id
        for index, signatory in enumerate(design.signatories)
    }
    ids = {image_id for image_id in wanted.values() if image_id is not None}
    rows = await CertificateImage.filter(id__in=ids, partner_id=partner_id).values_list("id", flat=True)
    owned: set[Any] = set(rows)
    problems += [
        Problem(ErrorCode.NOT_FOUND, "Image not found.", where)
        for where, image_id in wanted.items()
        if image_id is not None and image_id not in owned
    ]
    if problems:
        raise DomainError(*problems)
    return stored
