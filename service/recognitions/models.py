from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.cohorts.models import Cohort
    from service.partners.models import Partner
    from service.users.models import User


class RecognitionKind(StrEnum):
    CEREMONY = "CEREMONY"
    CERTIFICATE_REQUEST = "CERTIFICATE_REQUEST"


class StoredStatus(StrEnum):
    """What is written to the database; PAST is derived from the ceremony date (``past_from``), never
    stored."""

    DRAFT = "DRAFT"
    SCHEDULED_PENDING = "SCHEDULED_PENDING"
    SCHEDULED_PINS_MAILED = "SCHEDULED_PINS_MAILED"
    CREATED = "CREATED"
    CANCELLED = "CANCELLED"


class CeremonyFormat(StrEnum):
    ONLINE = "ONLINE"
    IN_PERSON = "IN_PERSON"


class Recognition(Model):
    """A pinning ceremony or a certificate request: what the Recognition dashboard lists.

    One table for both kinds, so the dashboard filters, orders and pages them in one query.
    The ceremony columns stay empty for certificate requests.
    """

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="recognitions", on_delete=fields.RESTRICT
    )
    partner_id: int
    kind = fields.CharEnumField(RecognitionKind, max_length=24)
    name = fields.CharField(max_length=200)
    status = fields.CharEnumField(StoredStatus, max_length=24, default=StoredStatus.DRAFT)
    range_start = fields.DateField()
    range_end = fields.DateField()
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recognitions_created", on_delete=fields.RESTRICT
    )
    created_by_id: int
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    deleted_at = fields.DatetimeField(null=True)
    # Ceremony details (step 2). The start is stored as an instant plus the zone it was given in.
    starts_at = fields.DatetimeField(null=True)
    time_zone = fields.CharField(max_length=64, null=True)
    ceremony_date = fields.DateField(
        null=True, description="The day it starts on its own wall clock (kept by save(), filtered on)."
    )
    past_from = fields.DatetimeField(
        null=True,
        description="When a scheduled ceremony becomes PAST: the midnight that ends its day on its own wall "
        "clock, as an instant (kept by save(), filtered on).",
    )
    format = fields.CharEnumField(CeremonyFormat, max_length=16, null=True)
    representative_requested = fields.BooleanField(default=False)
    meeting_url = fields.CharField(
        max_length=2000, null=True, description="An online ceremony's meeting link."
    )
    contact_name = fields.CharField(max_length=200, null=True)
    contact_email = fields.CharField(max_length=254, null=True)
    contact_phone = fields.CharField(max_length=40, null=True)
    address_line1 = fields.CharField(max_length=200, null=True)
    address_line2 = fields.CharField(max_length=200, null=True)
    address_city = fields.CharField(max_length=100, null=True)
    address_region = fields.CharField(max_length=100, null=True)
    address_postal_code = fields.CharField(max_length=20, null=True)
    address_country = fields.CharField(max_length=2, null=True)
    submitted_at = fields.DatetimeField(null=True)
    submitted_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recognitions_submitted", on_delete=fields.RESTRICT, null=True
    )
    submitted_by_id: int | None
    calendar_sequence = fields.IntField(
        default=0,
        description="SEQUENCE of the calendar invitation last mailed (RFC 5545), one more each change.",
    )
    cancelled_at = fields.DatetimeField(null=True)
    cancellation_reason = fields.CharField(max_length=500, null=True)
    pins_mailed_at = fields.DatetimeField(null=True)
    finalized_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recognition"
        indexes = (("partner_id", "created_at"), ("partner_id", "past_from"), ("partner_id", "ceremony_date"))

    async def save(self, *args: Any, **kwargs: Any) -> None:
        """Saves, with ``ceremony_date`` and ``past_from`` in step with the start and its zone (they are
        derived, never set)."""
        self.ceremony_date = local_date(self.starts_at, self.time_zone)
        self.past_from = day_over_at(self.starts_at, self.time_zone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"starts_at", "time_zone"} & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "ceremony_date", "past_from"]
        await super().save(*args, **kwargs)


def local_date(starts_at: datetime | None, time_zone: str | None) -> date | None:
    """The day an instant falls on in a time zone: a ceremony's own date."""
    if starts_at is None or not time_zone:
        return None
    return starts_at.astimezone(ZoneInfo(time_zone)).date()


def day_over_at(starts_at: datetime | None, time_zone: str | None) -> datetime | None:
    """The instant the day an instant falls on in a time zone is over there, in UTC: a ceremony's
    date is in the past from then on (the guide's "Past"), however long its day (23 or 25 hours
    when the clocks change).

    It is the next day's midnight there. Where the clocks skip that midnight (Havana, Santiago,
    Beirut spring forward at 00:00) it is the moment they skip it, the next day's first; where they
    skip a whole day (Samoa on 30 December 2011) it is the first moment of the day after; where a
    midnight comes twice, the first.
    """
    day = local_date(starts_at, time_zone)
    if day is None or time_zone is None:
        return None
    # fold=0 gives a midnight in a gap the offset before the change: the instant the clocks jump.
    midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(time_zone))
    return midnight.astimezone(UTC)


class RecognitionCohort(Model):
    """A cohort selected in step 1."""

    id = fields.IntField(primary_key=True)
    recognition: fields.ForeignKeyRelation[Recognition] = fields.ForeignKeyField(
        "models.Recognition", related_name="selected_cohorts", on_delete=fields.CASCADE
    )
    recognition_id: int
    cohort: fields.ForeignKeyRelation[Cohort] = fields.ForeignKeyField(
        "models.Cohort", related_name="recognitions", on_delete=fields.RESTRICT
    )
    cohort_id: int

    class Meta:
        table = "recognition_cohort"
        unique_together = (("recognition", "cohort"),)


class EventKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    SUBMITTED = "SUBMITTED"
    PINS_MAILED = "PINS_MAILED"
    FINALIZED = "FINALIZED"
    DELETED = "DELETED"
    CANCELLED = "CANCELLED"


class RecognitionEvent(Model):
    """Append-only history: who did what to a recognition, when, and what changed."""

    id = fields.IntField(primary_key=True)
    recognition: fields.ForeignKeyRelation[Recognition] = fields.ForeignKeyField(
        "models.Recognition", related_name="events", on_delete=fields.CASCADE
    )
    recognition_id: int
    kind = fields.CharEnumField(EventKind, max_length=16)
    actor: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recognition_events", on_delete=fields.RESTRICT
    )
    actor_id: int
    at = fields.DatetimeField()
    changes: dict[str, Any] = fields.JSONField(default=dict)

    class Meta:
        table = "recognition_event"
        indexes = (("recognition_id", "at"),)
