from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.partners.models import Partner
    from service.users.models import User


class AuditAction(StrEnum):
    SIGN_IN_FAILED = "SIGN_IN_FAILED"
    MINIMUM_NOTICE_OVERRIDDEN = "MINIMUM_NOTICE_OVERRIDDEN"
    PINS_MARKED_MAILED = "PINS_MARKED_MAILED"
    CERTIFICATE_REVOKED = "CERTIFICATE_REVOKED"
    CERTIFICATE_REISSUED = "CERTIFICATE_REISSUED"
    FILE_DOWNLOADED = "FILE_DOWNLOADED"
    TEMPLATE_CREATED = "TEMPLATE_CREATED"
    TEMPLATE_EDITED = "TEMPLATE_EDITED"
    TEMPLATE_ASSIGNED = "TEMPLATE_ASSIGNED"
    TEMPLATE_UNASSIGNED = "TEMPLATE_UNASSIGNED"
    TEMPLATE_IMAGE_UPLOADED = "TEMPLATE_IMAGE_UPLOADED"
    TEMPLATE_PREVIEWED = "TEMPLATE_PREVIEWED"


class AuditEntry(Model):
    """A security-relevant action: who did it, when, and on what.

    Append-only, except for entries counted up within an hour (``record_counted``): repeated
    sign-in failures from one address for one reason, and one actor's previews of one template, are
    one entry each with a count, so a flood of bad tokens or of previews cannot flood the log.
    """

    id = fields.IntField(primary_key=True)
    action = fields.CharEnumField(AuditAction, max_length=30)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit_entries", on_delete=fields.RESTRICT, null=True
    )
    actor_id: int | None
    partner: fields.ForeignKeyNullableRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="audit_entries", on_delete=fields.RESTRICT, null=True
    )
    partner_id: int | None
    subject = fields.CharField(max_length=100, default="", description="What was acted on, as Type:id.")
    address = fields.CharField(max_length=64, default="", description="The client address, where known.")
    details: dict[str, Any] = fields.JSONField(default=dict)
    occurred_at = fields.DatetimeField(description="The first occurrence.")
    last_occurred_at = fields.DatetimeField()
    count = fields.IntField(default=1)
    aggregate_key = fields.CharField(
        max_length=200,
        null=True,
        unique=True,
        description="Set on counted entries: what is counted together.",
    )

    class Meta:
        table = "audit_entry"
        indexes = (("occurred_at", "id"),)
