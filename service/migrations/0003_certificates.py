from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


# The enums as they stood when this migration was written, so that it never changes with the models.
class CertificateStatus(StrEnum):
    VALID = "VALID"
    REVOKED = "REVOKED"
    REPLACED = "REPLACED"


class Migration(migrations.Migration):
    dependencies = [('models', '0002_recognitions_and_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CandidateExport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recognition', fields.ForeignKeyField('models.Recognition', source_field='recognition_id', db_constraint=True, to_field='id', related_name='exports', on_delete=OnDelete.CASCADE)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', db_constraint=True, to_field='id', related_name='exports', on_delete=OnDelete.RESTRICT)),
                ('enrollment_ids', fields.JSONField(null=True, description='The selection, in its order.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('candidate_filter', fields.JSONField(null=True, description='Or a filter of the list.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'candidate_export', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A CSV export asked for on the certificates step. Its rows are read when it is downloaded.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('partner', fields.ForeignKeyField('models.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('enrollment', fields.ForeignKeyField('models.Enrollment', source_field='enrollment_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('valid_enrollment_id', fields.IntField(null=True, unique=True)),
                ('recognition', fields.ForeignKeyField('models.Recognition', source_field='recognition_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=CertificateStatus.VALID, description='VALID: VALID\nREVOKED: REVOKED\nREPLACED: REPLACED', enum_type=CertificateStatus, max_length=8)),
                ('printed', fields.JSONField(description='Every value as printed on the PDF.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('issued_by', fields.ForeignKeyField('models.User', source_field='issued_by_id', db_constraint=True, to_field='id', related_name='certificates_issued', on_delete=OnDelete.RESTRICT)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('file_name', fields.CharField(max_length=100)),
                ('file_size', fields.IntField()),
                ('file_sha256', fields.CharField(max_length=64)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_reason', fields.CharField(null=True, max_length=500)),
                ('replaced_by', fields.ForeignKeyField('models.Certificate', source_field='replaced_by_id', null=True, db_constraint=True, to_field='id', related_name='replaces', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'certificate', 'app': 'models', 'indexes': [Index(fields=['enrollment_id', 'issued_at'])], 'pk_attr': 'id', 'table_description': 'One issued certificate: the data as printed and its PDF, kept exactly as issued.'},
            bases=['Model'],
        ),
    ]
