from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.partners.models import Partner
    from service.users.models import User


class SyncStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    PARTLY_FAILED = "PARTLY_FAILED"
    FAILED = "FAILED"
    NO_COURSES = "NO_COURSES"


class SyncTrigger(StrEnum):
    SCHEDULE = "SCHEDULE"
    STAFF = "STAFF"
    COMMAND = "COMMAND"


class ProgressSyncRun(Model):
    """One reading of course progress from Canvas, for one partner or every partner that has it."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyNullableRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="progress_sync_runs", on_delete=fields.RESTRICT, null=True
    )
    partner_id: int | None
    trigger = fields.CharEnumField(SyncTrigger, max_length=8)
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="progress_sync_runs", on_delete=fields.RESTRICT, null=True
    )
    requested_by_id: int | None
    schedule_key = fields.CharField(
        max_length=20, null=True, unique=True, description="The day of a scheduled run: one run a day."
    )
    status = fields.CharEnumField(SyncStatus, max_length=13, default=SyncStatus.QUEUED)
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    claimed_until = fields.DatetimeField(null=True)
    courses = fields.IntField(default=0)
    courses_failed = fields.IntField(default=0)
    enrollments_seen = fields.IntField(default=0)
    enrollments_changed = fields.IntField(default=0)
    enrollments_created = fields.IntField(default=0)
    # A default in the database too: the column is added to a table that already has rows.
    names_changed = fields.IntField(
        default=0,
        db_default=0,
        description="Course-takers whose name the run changed to the one Canvas has now.",
    )
    errors: list[dict[str, Any]] = fields.JSONField(default=list)
    warnings: list[dict[str, Any]] = fields.JSONField(
        default=list,
        description="What the run changed in what it read, e.g. bidi controls removed from a name.",
    )

    class Meta:
        table = "progress_sync_run"
        indexes = (("created_at",),)
