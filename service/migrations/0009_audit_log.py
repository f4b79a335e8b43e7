from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


# The enums as they stood when this migration was written, so that it never changes with the models.
class AuditAction(StrEnum):
    SIGN_IN_FAILED = "SIGN_IN_FAILED"
    MINIMUM_NOTICE_OVERRIDDEN = "MINIMUM_NOTICE_OVERRIDDEN"
    PINS_MARKED_MAILED = "PINS_MARKED_MAILED"
    CERTIFICATE_REVOKED = "CERTIFICATE_REVOKED"
    CERTIFICATE_REISSUED = "CERTIFICATE_REISSUED"
    FILE_DOWNLOADED = "FILE_DOWNLOADED"


class Migration(migrations.Migration):
    dependencies = [('models', '0008_join_attempts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('action', fields.CharEnumField(description='SIGN_IN_FAILED: SIGN_IN_FAILED\nMINIMUM_NOTICE_OVERRIDDEN: MINIMUM_NOTICE_OVERRIDDEN\nPINS_MARKED_MAILED: PINS_MARKED_MAILED\nCERTIFICATE_REVOKED: CERTIFICATE_REVOKED\nCERTIFICATE_REISSUED: CERTIFICATE_REISSUED\nFILE_DOWNLOADED: FILE_DOWNLOADED', enum_type=AuditAction, max_length=30)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.RESTRICT)),
                ('partner', fields.ForeignKeyField('models.Partner', source_field='partner_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.RESTRICT)),
                ('subject', fields.CharField(default='', description='What was acted on, as Type:id.', max_length=100)),
                ('address', fields.CharField(default='', description='The client address, where known.', max_length=64)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('occurred_at', fields.DatetimeField(description='The first occurrence.', auto_now=False, auto_now_add=False)),
                ('last_occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('count', fields.IntField(default=1)),
                ('aggregate_key', fields.CharField(null=True, unique=True, description='Set on counted entries: what is counted together.', max_length=200)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'indexes': [Index(fields=['occurred_at', 'id'])], 'pk_attr': 'id', 'table_description': 'A security-relevant action: who did it, when, and on what.'},
            bases=['Model'],
        ),
    ]
