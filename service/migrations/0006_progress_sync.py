from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


# The enums as they stood when this migration was written, so that it never changes with the models.
class SyncStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    PARTLY_FAILED = "PARTLY_FAILED"
    FAILED = "FAILED"


class SyncTrigger(StrEnum):
    SCHEDULE = "SCHEDULE"
    STAFF = "STAFF"
    COMMAND = "COMMAND"


class Migration(migrations.Migration):
    dependencies = [('models', '0005_certificate_file_chunks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProgressSyncRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('models.Partner', source_field='partner_id', null=True, db_constraint=True, to_field='id', related_name='progress_sync_runs', on_delete=OnDelete.RESTRICT)),
                ('trigger', fields.CharEnumField(description='SCHEDULE: SCHEDULE\nSTAFF: STAFF\nCOMMAND: COMMAND', enum_type=SyncTrigger, max_length=8)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='progress_sync_runs', on_delete=OnDelete.RESTRICT)),
                ('schedule_key', fields.CharField(null=True, unique=True, description='The day of a scheduled run: one run a day.', max_length=20)),
                ('status', fields.CharEnumField(default=SyncStatus.QUEUED, description='QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nPARTLY_FAILED: PARTLY_FAILED\nFAILED: FAILED', enum_type=SyncStatus, max_length=13)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('courses', fields.IntField(default=0)),
                ('courses_failed', fields.IntField(default=0)),
                ('enrollments_seen', fields.IntField(default=0)),
                ('enrollments_changed', fields.IntField(default=0)),
                ('enrollments_created', fields.IntField(default=0)),
                ('errors', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'progress_sync_run', 'app': 'models', 'indexes': [Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'One reading of course progress from Canvas, for one partner or every partner that has it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Partner',
            name='canvas_base_url',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Partner',
            name='canvas_token_variable',
            field=fields.CharField(null=True, description='Environment variable that holds the Canvas API token.', max_length=100),
        ),
        ops.AddField(
            model_name='Program',
            name='certification_percent',
            # With a database default first: neither SQLite nor PostgreSQL adds a NOT NULL column
            # without one to a table that has rows. The default is dropped below (the model's is Python's).
            field=fields.DecimalField(default=100, description='Share of the required modules a completer must have completed to be certified.', max_digits=5, decimal_places=2, db_default=100),
        ),
        ops.AlterField(
            model_name='Program',
            name='certification_percent',
            field=fields.DecimalField(default=100, description='Share of the required modules a completer must have completed to be certified.', max_digits=5, decimal_places=2),
        ),
        # SQLite's AlterField rebuilds the table and loses its unique (partner, name) (Tortoise 1.1.9):
        # put it back (PostgreSQL kept it; IF NOT EXISTS leaves it alone).
        ops.RunSQL(
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_program_partner_879262" ON "program" ("partner_id", "name")',
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
