from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


# The enums as they stood when this migration was written, so that it never changes with the models.
class FileJobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    READY = "READY"
    FAILED = "FAILED"


class Migration(migrations.Migration):
    dependencies = [('models', '0003_certificates')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CertificateFileJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('models.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='certificate_file_jobs', on_delete=OnDelete.RESTRICT)),
                ('recognition', fields.ForeignKeyField('models.Recognition', source_field='recognition_id', db_constraint=True, to_field='id', related_name='certificate_file_jobs', on_delete=OnDelete.RESTRICT)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', db_constraint=True, to_field='id', related_name='certificate_file_jobs', on_delete=OnDelete.RESTRICT)),
                ('enrollment_ids', fields.JSONField(description="The selection, in the page's order.", encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('selection_key', fields.CharField(description='SHA-256 of the selection, to find repeats.', max_length=64)),
                ('status', fields.CharEnumField(default=FileJobStatus.QUEUED, description='QUEUED: QUEUED\nRUNNING: RUNNING\nREADY: READY\nFAILED: FAILED', enum_type=FileJobStatus, max_length=8)),
                ('total', fields.IntField()),
                ('done', fields.IntField(default=0)),
                ('chunks_done', fields.IntField(default=0)),
                ('attempts', fields.IntField(default=0)),
                ('error_message', fields.CharField(null=True, max_length=500)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('file_name', fields.CharField(null=True, max_length=100)),
                ('file_size', fields.IntField(null=True)),
                ('page_count', fields.IntField(null=True)),
                ('file_sha256', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'certificate_file_job', 'app': 'models', 'indexes': [Index(fields=['recognition_id', 'selection_key']), Index(fields=['recognition_id', 'created_at']), Index(fields=['status'])], 'pk_attr': 'id', 'table_description': 'One combined PDF of many certificates, made in the background chunk by chunk.'},
            bases=['Model'],
        ),
    ]
