from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

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


ACTIVE = (FileJobStatus.QUEUED, FileJobStatus.RUNNING)  # unfinished: a worker may still move it


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
    # A default in the database too: the column was added to a table that already had rows.
    left_out: list[dict[str, Any]] = fields.JSONField(
        default=list,
        db_default=[],
        description="Those the request matched (a filter, or the last file regenerated) but left out "
        "because staff revoked their certificate, in the page's order: enrollment_id, name and email (as "
        "listed then), certificate_id.",
    )
    selection_key = fields.CharField(max_length=64, description="SHA-256 of the selection, to find repeats.")
    active_selection_key = fields.CharField(
        max_length=64,
        null=True,
        description="The selection's key while the job is queued or running, NULL after: with the "
        "recognition, unique, so the database keeps one active job per selection.",
    )
    status = fields.CharEnumField(FileJobStatus, max_length=8, default=FileJobStatus.QUEUED)
    total = fields.IntField()
    done = fields.IntField(default=0)
    chunk_count = fields.IntField(default=0)
    chunks_done = fields.IntField(default=0)
    attempts = fields.IntField(default=0)  # the most tries of one step: a chunk, or the join
    join_attempts = fields.IntField(default=0)
    error_message = fields.CharField(max_length=500, null=True)
    claimed_until = fields.DatetimeField(null=True)  # lease of the worker joining the parts
    handover_after = fields.DatetimeField(
        null=True, description="If still unfinished and untouched by then, the sweep queues it again."
    )
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    file_name = fields.CharField(max_length=100, null=True)
    file_size = fields.IntField(null=True)
    page_count = fields.IntField(null=True)
    file_sha256 = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "certificate_file_job"
        indexes = (
            ("recognition_id", "selection_key"),
            ("recognition_id", "created_at"),
            ("status",),
            ("requested_by_id", "created_at"),
        )
        unique_together = (("recognition_id", "active_selection_key"),)


class CertificateFileChunk(Model):
    """A slice of a job's selection, made into one part PDF by whichever worker takes it."""

    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyRelation[CertificateFileJob] = fields.ForeignKeyField(
        "models.CertificateFileJob", related_name="chunks", on_delete=fields.CASCADE
    )
    job_id: int
    position = fields.IntField(description="Its place among the job's parts.")
    start = fields.IntField(description="Offset of its first enrolment in the selection.")
    size = fields.IntField()
    attempts = fields.IntField(default=0)
    claimed_until = fields.DatetimeField(null=True, description="Lease of the worker making it.")
    retry_due = fields.DatetimeField(
        null=True,
        description="A try failed and the queue retries it by about then: till then the sweep leaves the "
        "chunk to that retry, so it has one chain of retries.",
    )
    done_at = fields.DatetimeField(null=True)
    drawn_for = fields.DateField(
        null=True,
        description="The ceremony's day (in its time zone) that the part's provisional pages print, NULL "
        "when none does: a part drawn before the ceremony moved is drawn again before the file is ready.",
    )

    class Meta:
        table = "certificate_file_chunk"
        unique_together = (("job", "position"),)
