from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_progress_sync')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Certificate',
            name='file_name',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AlterField(
            model_name='Certificate',
            name='file_sha256',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AlterField(
            model_name='Certificate',
            name='file_size',
            field=fields.IntField(null=True),
        ),
        # SQLite's AlterField rebuilds the table and loses its other indexes (Tortoise 1.1.9):
        # put back the one the model declares (PostgreSQL kept it; IF NOT EXISTS leaves it alone).
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_certificate_enrollm_741da1" '
            'ON "certificate" ("enrollment_id", "issued_at")',
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
