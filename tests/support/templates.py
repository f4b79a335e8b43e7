"""A branded template for a partner, made through the domain services as staff would."""

from __future__ import annotations

from datetime import datetime

from service.certificate_templates.models import CertificateImage, CertificateTemplate
from service.certificate_templates.rules import DesignInput, SignatoryInput
from service.certificate_templates.services import assign_template, create_template, upload_image
from service.users.actor import Actor
from service.users.models import User
from tests.support.images import jpeg, png


def staff_actor(staff: User) -> Actor:
    return Actor(user_id=staff.id, role=staff.role, partner_id=None)


async def upload(staff: User, partner_id: int, data: bytes, filename: str, now: datetime) -> CertificateImage:
    return await upload_image(
        actor=staff_actor(staff), partner_id=partner_id, filename=filename, data=data, now=now
    )


async def branded_design(staff: User, partner_id: int, now: datetime) -> DesignInput:
    """Two logos and two signatures (one of three signatories signs nothing)."""
    logo = await upload(staff, partner_id, png(), "riverside.png", now)
    seal = await upload(staff, partner_id, jpeg(), "seal.jpg", now)
    first = await upload(staff, partner_id, png(400, 120, (0, 0, 0), alpha=True), "provost.png", now)
    second = await upload(staff, partner_id, png(300, 100, (0, 0, 90), alpha=True), "dean.png", now)
    return DesignInput(
        partner_logo_id=logo.id,
        organisation_logo_id=seal.id,
        signatories=(
            SignatoryInput("Dr. Jane Q. Riverside", "Provost", first.id),
            SignatoryInput("Sam Lee", "Dean of Education", second.id),
            SignatoryInput("Kim Park", "Director, Teaching Centre", None),
        ),
    )


async def assigned_template(staff: User, partner_id: int, now: datetime) -> CertificateTemplate:
    """The partner's template for every certificate type, assigned."""
    template = await create_template(
        actor=staff_actor(staff),
        partner_id=partner_id,
        certificate_type_id=None,
        name="Riverside branded",
        design=await branded_design(staff, partner_id, now),
        now=now,
    )
    return await assign_template(actor=staff_actor(staff), template_id=template.id, assigned=True, now=now)
