"""Riverside's branded certificate template in the demo: a logo, an organisation seal and two
signatures, drawn here with Pillow (no image files in the tree), uploaded and assigned through the
same services staff use."""

from __future__ import annotations

import io
import math
from datetime import datetime

from PIL import Image, ImageDraw

from service.certificate_templates.models import CertificateTemplate
from service.certificate_templates.rules import DesignInput, SignatoryInput
from service.certificate_templates.services import assign_template, create_template, upload_image
from service.partners.models import Partner
from service.users.actor import Actor
from service.users.models import User

TEMPLATE_NAME = "Riverside 2026"
RIVER_BLUE, RIVERSIDE_RED, SEAL_NAVY, INK = (30, 90, 160), (140, 20, 40), (31, 58, 95), (20, 20, 40)


def _png(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def riverside_logo() -> bytes:
    """A shield with a river running through it."""
    image = Image.new("RGBA", (360, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(60, 20), (300, 20), (300, 130), (180, 225), (60, 130)], fill=RIVERSIDE_RED)
    wave = [(60 + x, 120 + 18 * math.sin(x / 24)) for x in range(0, 241, 4)]
    draw.line(wave, fill=RIVER_BLUE, width=26)
    draw.line([(60 + x, y - 40) for x, y in wave[:-8]], fill=(255, 255, 255), width=8)
    return _png(image)


def organisation_seal() -> bytes:
    """A round seal with a star."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=SEAL_NAVY, width=12)
    draw.ellipse((34, 34, 206, 206), outline=(176, 141, 60), width=6)
    star = [
        (120 + radius * math.sin(math.pi * step / 5), 120 - radius * math.cos(math.pi * step / 5))
        for step, radius in zip(range(10), [70, 28] * 5, strict=True)
    ]
    draw.polygon(star, fill=SEAL_NAVY)
    return _png(image)


def signature(seed: int) -> bytes:
    """A handwritten-looking stroke on transparency."""
    image = Image.new("RGBA", (480, 140), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (20 + x, 80 - 35 * math.sin(x / (18 + seed)) * math.exp(-x / 500) - 10 * math.sin(x / (5 + seed)))
        for x in range(0, 440, 3)
    ]
    draw.line(points, fill=INK, width=5, joint="curve")
    draw.line([(60, 110), (400, 100)], fill=INK, width=3)
    return _png(image)


async def seed_riverside_template(*, partner: Partner, staff: User, now: datetime) -> CertificateTemplate:
    """Riverside's template, made and assigned once (a second run finds it)."""
    existing = await CertificateTemplate.get_or_none(partner_id=partner.id, name=TEMPLATE_NAME)
    if existing is not None:
        return existing
    actor = Actor(user_id=staff.id, role=staff.role, partner_id=None)

    async def upload(data: bytes, filename: str) -> int:
        return (
            await upload_image(actor=actor, partner_id=partner.id, filename=filename, data=data, now=now)
        ).id

    design = DesignInput(
        partner_logo_id=await upload(riverside_logo(), "riverside.png"),
        organisation_logo_id=await upload(organisation_seal(), "seal.png"),
        signatories=(
            SignatoryInput("Dr. Helen Okafor", "Provost", await upload(signature(1), "provost.png")),
            SignatoryInput(
                "Marcus Lindqvist", "Director, Teaching Centre", await upload(signature(4), "director.png")
            ),
        ),
    )
    template = await create_template(
        actor=actor,
        partner_id=partner.id,
        certificate_type_id=None,
        name=TEMPLATE_NAME,
        design=design,
        now=now,
    )
    return await assign_template(actor=actor, template_id=template.id, assigned=True, now=now)
