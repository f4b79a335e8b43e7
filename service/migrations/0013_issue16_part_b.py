from enum import StrEnum
import unicodedata

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


# The enums as they stood when this migration was written, so that it never changes with the models.
class CertificateStatus(StrEnum):
    VALID = "VALID"
    PROVISIONAL = "PROVISIONAL"
    VOIDED = "VOIDED"
    REVOKED = "REVOKED"
    REPLACED = "REPLACED"


class SyncStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    PARTLY_FAILED = "PARTLY_FAILED"
    FAILED = "FAILED"
    NO_COURSES = "NO_COURSES"


# A copy of enrollments.rules.name_sort_key as it stood, for the names already stored.
_FOLDED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})


def _name_sort_key(name):
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(_FOLDED)
    levels = (letters[:80], decomposed.casefold()[:80], decomposed[:80])
    return "\x01".join(levels).encode("utf-8").hex()


async def fill_sort_names(apps, schema_editor):
    """Course-takers stored before this column existed get their sort name."""
    course_taker = apps.get_model("models", "CourseTaker")
    client = schema_editor.client
    for row in await course_taker.all().using_db(client).values("id", "name"):
        await course_taker.filter(id=row["id"]).using_db(client).update(sort_name=_name_sort_key(row["name"]))


class Migration(migrations.Migration):
    dependencies = [('models', '0012_ceremony_mail_and_cancellation')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Certificate',
            name='status',
            field=fields.CharEnumField(default=CertificateStatus.VALID, description='VALID: VALID\nPROVISIONAL: PROVISIONAL\nVOIDED: VOIDED\nREVOKED: REVOKED\nREPLACED: REPLACED', enum_type=CertificateStatus, max_length=11),
        ),
        ops.AddField(
            model_name='Certificate',
            name='validated_at',
            field=fields.DatetimeField(null=True, description='When a provisional certificate turned valid (the LMS reported completion).', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Certificate',
            name='voided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Certificate',
            name='voided_reason',
            field=fields.CharField(null=True, description='Why it was voided: a Listing value of the certificates rules.', max_length=40),
        ),
        ops.AddField(
            model_name='CourseTaker',
            name='sort_name',
            # With a database default first: neither SQLite nor PostgreSQL adds a NOT NULL column
            # without one to a table that has rows. The default is dropped below (the model's is Python's).
            field=fields.CharField(default='', description='What lists sort by, kept from the name (enrollments.rules.name_sort_key).', max_length=1926, db_default=''),
        ),
        ops.RunPython(fill_sort_names, ops.RunPython.noop),
        ops.AlterField(
            model_name='CourseTaker',
            name='sort_name',
            field=fields.CharField(default='', description='What lists sort by, kept from the name (enrollments.rules.name_sort_key).', max_length=1926),
        ),
        # SQLite's AlterField rebuilds the table and loses its unique (partner, email) (Tortoise 1.1.9):
        # put it back (PostgreSQL kept it; IF NOT EXISTS leaves it alone).
        ops.RunSQL(
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_course_take_partner_6d5189" ON "course_taker" ("partner_id", "email")',
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.AlterField(
            model_name='ProgressSyncRun',
            name='status',
            field=fields.CharEnumField(default=SyncStatus.QUEUED, description='QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nPARTLY_FAILED: PARTLY_FAILED\nFAILED: FAILED\nNO_COURSES: NO_COURSES', enum_type=SyncStatus, max_length=13),
        ),
        # SQLite's AlterField rebuilds the table and loses its other indexes (Tortoise 1.1.9):
        # put back the ones the models declare (PostgreSQL kept them; IF NOT EXISTS leaves them alone).
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_certificate_enrollm_741da1" '
            'ON "certificate" ("enrollment_id", "issued_at")',
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_progress_sy_created_4498c2" ON "progress_sync_run" ("created_at")',
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
