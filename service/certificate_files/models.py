from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.partners.models import Partner
    from service.recognitions.models import Recognition
    from service.users.models import User


class FileJobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    READY = "READY"
    FAILED = "FAILED"


class CertificateFileJob(Model):
    """One combined PDF of many certificates, made in the background chunk by chunk."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="certificate_file_jobs", on_delete=fields.RESTRICT
    )
    partner_id: int
    recognition: fields.ForeignKeyRelation[Recognition] = fields.ForeignKeyField(
        "models.Recognition", related_name="certificate_file_jobs", on_delete=fields.RESTRICT
    )
    recognition_id: int
    requested_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="certificate_file_jobs", on_delete=fields.RESTRICT
    )
    requested_by_id: int
    enrollment_ids: list[int] = fields.JSONField(description="The selection, in the page's order.")
    selection_key = fields.CharField(max_length=64, description="SHA-256 of the selection, to find repeats.")
    status = fields.CharEnumField(FileJobStatus, max_length=8, default=FileJobStatus.QUEUED)
    total = fields.IntField()
    done = fields.IntField(default=0)
    chunks_done = fields.IntField(default=0)
    attempts = fields.IntField(default=0)
    error_message = fields.CharField(max_length=500, null=True)
    claimed_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    file_name = fields.CharField(max_length=100, null=True)
    file_size = fields.IntField(null=True)
    page_count = fields.IntField(null=True)
    file_sha256 = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "certificate_file_job"
        indexes = (("recognition_id", "selection_key"), ("recognition_id", "created_at"), ("status",))
