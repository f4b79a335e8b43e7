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
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='CertificateFileJob',
            name='handover_after',
            field=fields.DatetimeField(null=True, description='If still unfinished and untouched by then, the sweep queues it again.', auto_now=False, auto_now_add=False),
        ),
    ]
