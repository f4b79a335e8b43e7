from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_certificate_files_on_demand')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CertificateFileJob',
            name='join_attempts',
            # With a database default first: neither SQLite nor PostgreSQL adds a NOT NULL column
            # without one to a table that has rows. The default is dropped below (the model's is Python's).
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AlterField(
            model_name='CertificateFileJob',
            name='join_attempts',
            field=fields.IntField(default=0),
        ),
        # SQLite's AlterField rebuilds the table and loses its indexes (Tortoise 1.1.9): put back the
        # ones the model declares (PostgreSQL kept them; IF NOT EXISTS leaves them alone).
        *(
            ops.RunSQL(f'CREATE INDEX IF NOT EXISTS "{name}" ON "certificate_file_job" ({columns})', reverse_sql=ops.RunSQL.noop)
            for name, columns in (
                ("idx_certificate_recogni_641e60", '"recognition_id", "selection_key"'),
                ("idx_certificate_recogni_ac5037", '"recognition_id", "created_at"'),
                ("idx_certificate_status_3341b4", '"status"'),
            )
        ),
    ]
