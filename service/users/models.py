from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.partners.models import Partner


class Role(StrEnum):
    PARTNER_ADMIN = "PARTNER_ADMIN"
    STAFF = "STAFF"


class User(Model):
    """Someone who signs in: a partner admin, or staff of the certifying organisation."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=20)
    partner: fields.ForeignKeyNullableRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="users", null=True, on_delete=fields.RESTRICT
    )
    partner_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "portal_user"
