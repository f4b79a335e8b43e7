from enum import StrEnum

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


# Frozen copies of the enums as this migration knows them (never the live models').
class StoredStatus(StrEnum):
    DRAFT = "DRAFT"
    SCHEDULED_PENDING = "SCHEDULED_PENDING"
    SCHEDULED_PINS_MAILED = "SCHEDULED_PINS_MAILED"
    CREATED = "CREATED"
    CANCELLED = "CANCELLED"


class EventKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    SUBMITTED = "SUBMITTED"
    PINS_MAILED = "PINS_MAILED"
    FINALIZED = "FINALIZED"
    DELETED = "DELETED"
    CANCELLED = "CANCELLED"


async def fill_defaults(apps, schema_editor):
    """Drafts that never answered "representative?" did not request one; a scheduled ceremony's
    submitter is the actor of its SUBMITTED event; no invitation has been updated yet."""
    recognition = apps.get_model("models", "Recognition")
    event = apps.get_model("models", "RecognitionEvent")
    client = schema_editor.client
    await recognition.all().using_db(client).update(calendar_sequence=0)
    await recognition.filter(representative_requested__isnull=True).using_db(client).update(
        representative_requested=False
    )
    submitted = await event.filter(kind="SUBMITTED").using_db(client).values("recognition_id", "actor_id")
    for row in submitted:
        await recognition.filter(id=row["recognition_id"]).using_db(client).update(
            submitted_by_id=row["actor_id"]
        )


class Migration(migrations.Migration):
    dependencies = [('models', '0011_name_locales_and_sync_warnings')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Recognition',
            name='calendar_sequence',
            # Null until filled below: SQLite cannot add a NOT NULL column to rows without a default.
            field=fields.IntField(null=True, description='SEQUENCE of the calendar invitation last mailed (RFC 5545), one more each change.'),
        ),
        ops.AddField(
            model_name='Recognition',
            name='cancellation_reason',
            field=fields.CharField(null=True, max_length=500),
        ),
        ops.AddField(
            model_name='Recognition',
            name='cancelled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Recognition',
            name='meeting_url',
            field=fields.CharField(null=True, description="An online ceremony's meeting link.", max_length=2000),
        ),
        ops.AddField(
            model_name='Recognition',
            name='submitted_by',
            field=fields.ForeignKeyField('models.User', source_field='submitted_by_id', null=True, db_constraint=True, to_field='id', related_name='recognitions_submitted', on_delete=OnDelete.RESTRICT),
        ),
        ops.RunPython(fill_defaults, ops.RunPython.noop),
        ops.AlterField(
            model_name='Recognition',
            name='calendar_sequence',
            field=fields.IntField(default=0, description='SEQUENCE of the calendar invitation last mailed (RFC 5545), one more each change.'),
        ),
        ops.AlterField(
            model_name='Recognition',
            name='representative_requested',
            field=fields.BooleanField(default=False),
        ),
        ops.AlterField(
            model_name='Recognition',
            name='status',
            field=fields.CharEnumField(default=StoredStatus.DRAFT, description='DRAFT: DRAFT\nSCHEDULED_PENDING: SCHEDULED_PENDING\nSCHEDULED_PINS_MAILED: SCHEDULED_PINS_MAILED\nCREATED: CREATED\nCANCELLED: CANCELLED', enum_type=StoredStatus, max_length=24),
        ),
        ops.AlterField(
            model_name='RecognitionEvent',
            name='kind',
            field=fields.CharEnumField(description='CREATED: CREATED\nUPDATED: UPDATED\nSUBMITTED: SUBMITTED\nPINS_MAILED: PINS_MAILED\nFINALIZED: FINALIZED\nDELETED: DELETED\nCANCELLED: CANCELLED', enum_type=EventKind, max_length=16),
        ),
        # SQLite's AlterField rebuilds the table and loses its indexes (Tortoise 1.1.9): put back the
        # ones the models declare (PostgreSQL kept them; IF NOT EXISTS leaves them alone).
        *(
            ops.RunSQL(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})', reverse_sql=ops.RunSQL.noop)
            for name, table, columns in (
                ("idx_recognition_partner_d9d642", "recognition", '"partner_id", "created_at"'),
                ("idx_recognition_partner_09d167", "recognition", '"partner_id", "starts_at"'),
                ("idx_recognition_partner_7fd6bf", "recognition", '"partner_id", "ceremony_date"'),
                ("idx_recognition_recogni_feb49b", "recognition_event", '"recognition_id", "at"'),
            )
        ),
    ]
