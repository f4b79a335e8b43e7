"""A partner's certificate design: its templates, their versions, and the images they show.

A version is never changed once written, nor is an image: a certificate names the version it was
printed with, so its page can always be drawn again exactly as it was.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.cohorts.models import CertificateType
    from service.partners.models import Partner
    from service.users.models import User


class ImageFormat(StrEnum):
    PNG = "PNG"
    JPEG = "JPEG"


class CertificateImage(Model):
    """A logo or a signature, as re-encoded on upload (pixels only: no metadata, no scripts)."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="certificate_images", on_delete=fields.RESTRICT
    )
    partner_id: int
    format = fields.CharEnumField(ImageFormat, max_length=4)
    width = fields.IntField()
    height = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    data = fields.BinaryField()
    uploaded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="certificate_images", on_delete=fields.RESTRICT
    )
    uploaded_by_id: int
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "certificate_image"
        unique_together = (("partner_id", "sha256"),)


class CertificateTemplate(Model):
    """A partner's design, for all its certificates or one certificate type. Its current version is
    the one with the highest number."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="certificate_templates", on_delete=fields.RESTRICT
    )
    partner_id: int
    certificate_type: fields.ForeignKeyNullableRelation[CertificateType] = fields.ForeignKeyField(
        "models.CertificateType", related_name="certificate_templates", null=True, on_delete=fields.RESTRICT
    )
    certificate_type_id: int | None
    name = fields.CharField(max_length=100)
    current_version = fields.IntField(default=1)
    # "partner:type" (type "*" for every type) while the template is assigned, NULL otherwise: unique,
    # so the database keeps one assigned template per partner and certificate type.
    assigned_scope = fields.CharField(max_length=40, null=True, unique=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "certificate_template"


class CertificateTemplateVersion(Model):
    """One version of a template's design, as it prints: never changed once written."""

    id = fields.IntField(primary_key=True)
    template: fields.ForeignKeyRelation[CertificateTemplate] = fields.ForeignKeyField(
        "models.CertificateTemplate", related_name="versions", on_delete=fields.RESTRICT
    )
    template_id: int
    number = fields.IntField()
    design: dict[str, Any] = fields.JSONField(description="Wording, colours, image ids, signatories.")
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="certificate_template_versions", on_delete=fields.RESTRICT
    )
    created_by_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "certificate_template_version"
        unique_together = (("template_id", "number"),)
