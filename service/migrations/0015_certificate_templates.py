from enum import StrEnum

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class ImageFormat(StrEnum):
    PNG = "PNG"
    JPEG = "JPEG"


class AuditAction(StrEnum):
    SIGN_IN_FAILED = "SIGN_IN_FAILED"
    MINIMUM_NOTICE_OVERRIDDEN = "MINIMUM_NOTICE_OVERRIDDEN"
    PINS_MARKED_MAILED = "PINS_MARKED_MAILED"
    CERTIFICATE_REVOKED = "CERTIFICATE_REVOKED"
    CERTIFICATE_REISSUED = "CERTIFICATE_REISSUED"
    FILE_DOWNLOADED = "FILE_DOWNLOADED"
    TEMPLATE_CREATED = "TEMPLATE_CREATED"
    TEMPLATE_EDITED = "TEMPLATE_EDITED"
    TEMPLATE_ASSIGNED = "TEMPLATE_ASSIGNED"
    TEMPLATE_UNASSIGNED = "TEMPLATE_UNASSIGNED"
    TEMPLATE_IMAGE_UPLOADED = "TEMPLATE_IMAGE_UPLOADED"


class Migration(migrations.Migration):
    dependencies = [('models', '0014_workers_under_faults')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CertificateImage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('models.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='certificate_images', on_delete=OnDelete.RESTRICT)),
                ('format', fields.CharEnumField(description='PNG: PNG\nJPEG: JPEG', enum_type=ImageFormat, max_length=4)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('data', fields.BinaryField()),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', db_constraint=True, to_field='id', related_name='certificate_images', on_delete=OnDelete.RESTRICT)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'certificate_image', 'app': 'models', 'unique_together': (('partner_id', 'sha256'),), 'pk_attr': 'id', 'table_description': 'A logo or a signature, as re-encoded on upload (pixels only: no metadata, no scripts).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CertificateTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('models.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='certificate_templates', on_delete=OnDelete.RESTRICT)),
                ('certificate_type', fields.ForeignKeyField('models.CertificateType', source_field='certificate_type_id', null=True, db_constraint=True, to_field='id', related_name='certificate_templates', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('current_version', fields.IntField(default=1)),
                ('assigned_scope', fields.CharField(null=True, unique=True, max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'certificate_template', 'app': 'models', 'pk_attr': 'id', 'table_description': "A partner's design, for all its certificates or one certificate type. Its current version is"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CertificateTemplateVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('template', fields.ForeignKeyField('models.CertificateTemplate', source_field='template_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.RESTRICT)),
                ('number', fields.IntField()),
                ('design', fields.JSONField(description='Wording, colours, image ids, signatories.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', db_constraint=True, to_field='id', related_name='certificate_template_versions', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'certificate_template_version', 'app': 'models', 'unique_together': (('template_id', 'number'),), 'pk_attr': 'id', 'table_description': "One version of a template's design, as it prints: never changed once written."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Certificate',
            name='template_version',
            field=fields.ForeignKeyField('models.CertificateTemplateVersion', source_field='template_version_id', null=True, db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT),
        ),
        ops.AlterField(
            model_name='AuditEntry',
            name='action',
            field=fields.CharEnumField(description='SIGN_IN_FAILED: SIGN_IN_FAILED\nMINIMUM_NOTICE_OVERRIDDEN: MINIMUM_NOTICE_OVERRIDDEN\nPINS_MARKED_MAILED: PINS_MARKED_MAILED\nCERTIFICATE_REVOKED: CERTIFICATE_REVOKED\nCERTIFICATE_REISSUED: CERTIFICATE_REISSUED\nFILE_DOWNLOADED: FILE_DOWNLOADED\nTEMPLATE_CREATED: TEMPLATE_CREATED\nTEMPLATE_EDITED: TEMPLATE_EDITED\nTEMPLATE_ASSIGNED: TEMPLATE_ASSIGNED\nTEMPLATE_UNASSIGNED: TEMPLATE_UNASSIGNED\nTEMPLATE_IMAGE_UPLOADED: TEMPLATE_IMAGE_UPLOADED', enum_type=AuditAction, max_length=30),
        ),
        # SQLite's AlterField rebuilds the table and loses its other indexes (Tortoise 1.1.9):
        # put back the one the model declares (PostgreSQL kept it; IF NOT EXISTS leaves it alone).
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_audit_entry_occurre_094a66" ON "audit_entry" ("occurred_at", "id")',
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
