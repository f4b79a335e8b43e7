from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('models', '0010_ceremony_date')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CourseTaker',
            name='locale',
            field=fields.CharField(null=True, description="The person's locale in the LMS (BCP 47), e.g. ja or zh-Hant.", max_length=35),
        ),
        ops.AddField(
            model_name='Partner',
            name='default_locale',
            field=fields.CharField(null=True, description='BCP 47 locale for names whose course-taker has none, e.g. ja: picks Han regional forms.', max_length=35),
        ),
        ops.AddField(
            model_name='ProgressSyncRun',
            name='warnings',
            # With a database default first: neither SQLite nor PostgreSQL adds a NOT NULL column
            # without one to a table that has rows. The default is dropped below (the model's is Python's).
            field=fields.JSONField(default=list, description='What the run changed in what it read, e.g. bidi controls removed from a name.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads, db_default=[]),
        ),
        ops.AlterField(
            model_name='ProgressSyncRun',
            name='warnings',
            field=fields.JSONField(default=list, description='What the run changed in what it read, e.g. bidi controls removed from a name.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        # SQLite's AlterField rebuilds the table and loses its other indexes (Tortoise 1.1.9): put
        # back the one the model declares (PostgreSQL kept it; IF NOT EXISTS leaves it alone).
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_progress_sy_created_4498c2" ON "progress_sync_run" ("created_at")',
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
