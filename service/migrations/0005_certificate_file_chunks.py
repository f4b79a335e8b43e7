from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_certificate_files')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CertificateFileChunk',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.ForeignKeyField('models.CertificateFileJob', source_field='job_id', db_constraint=True, to_field='id', related_name='chunks', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(description="Its place among the job's parts.")),
                ('start', fields.IntField(description='Offset of its first enrolment in the selection.')),
                ('size', fields.IntField()),
                ('attempts', fields.IntField(default=0)),
                ('claimed_until', fields.DatetimeField(null=True, description='Lease of the worker making it.', auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'certificate_file_chunk', 'app': 'models', 'unique_together': (('job', 'position'),), 'pk_attr': 'id', 'table_description': "A slice of a job's selection, made into one part PDF by whichever worker takes it."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CertificateFileJob',
            name='chunk_count',
            # With a database default first: neither SQLite nor PostgreSQL adds a NOT NULL column
            # without one to a table that has rows. The default is dropped below (the model's is Python's).
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='CertificateFileJob',
            name='handover_after',
            field=fields.DatetimeField(null=True, description='If still unfinished and untouched by then, the sweep queues it again.', auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='CertificateFileJob',
            name='chunk_count',
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
