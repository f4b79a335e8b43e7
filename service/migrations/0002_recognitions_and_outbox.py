from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


# The enums as they stood when this migration was written, so that it never changes with the models.
class MailStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"


class CeremonyFormat(StrEnum):
    ONLINE = "ONLINE"
    IN_PERSON = "IN_PERSON"


class EventKind(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    SUBMITTED = "SUBMITTED"
    PINS_MAILED = "PINS_MAILED"
    FINALIZED = "FINALIZED"
    DELETED = "DELETED"


class RecognitionKind(StrEnum):
    CEREMONY = "CEREMONY"
    CERTIFICATE_REQUEST = "CERTIFICATE_REQUEST"


class StoredStatus(StrEnum):
    DRAFT = "DRAFT"
    SCHEDULED_PENDING = "SCHEDULED_PENDING"
    SCHEDULED_PINS_MAILED = "SCHEDULED_PINS_MAILED"
    CREATED = "CREATED"


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('sender', fields.CharField(max_length=254)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('message', fields.TextField(description='The whole RFC 5322 message, as it will be sent.', unique=False)),
                ('status', fields.CharEnumField(default=MailStatus.PENDING, description='PENDING: PENDING\nSENT: SENT', enum_type=MailStatus, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['status', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A mail written in the same transaction as the change that causes it, delivered later.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Recognition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('models.Partner', source_field='partner_id', db_constraint=True, to_field='id', related_name='recognitions', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='CEREMONY: CEREMONY\nCERTIFICATE_REQUEST: CERTIFICATE_REQUEST', enum_type=RecognitionKind, max_length=24)),
                ('name', fields.CharField(max_length=200)),
                ('status', fields.CharEnumField(default=StoredStatus.DRAFT, description='DRAFT: DRAFT\nSCHEDULED_PENDING: SCHEDULED_PENDING\nSCHEDULED_PINS_MAILED: SCHEDULED_PINS_MAILED\nCREATED: CREATED', enum_type=StoredStatus, max_length=24)),
                ('range_start', fields.DateField()),
                ('range_end', fields.DateField()),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', db_constraint=True, to_field='id', related_name='recognitions_created', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('starts_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('time_zone', fields.CharField(null=True, max_length=64)),
                ('format', fields.CharEnumField(null=True, description='ONLINE: ONLINE\nIN_PERSON: IN_PERSON', enum_type=CeremonyFormat, max_length=16)),
                ('representative_requested', fields.BooleanField(null=True)),
                ('contact_name', fields.CharField(null=True, max_length=200)),
                ('contact_email', fields.CharField(null=True, max_length=254)),
                ('contact_phone', fields.CharField(null=True, max_length=40)),
                ('address_line1', fields.CharField(null=True, max_length=200)),
                ('address_line2', fields.CharField(null=True, max_length=200)),
                ('address_city', fields.CharField(null=True, max_length=100)),
                ('address_region', fields.CharField(null=True, max_length=100)),
                ('address_postal_code', fields.CharField(null=True, max_length=20)),
                ('address_country', fields.CharField(null=True, max_length=2)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('pins_mailed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finalized_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recognition', 'app': 'models', 'indexes': [Index(fields=['partner_id', 'created_at']), Index(fields=['partner_id', 'starts_at'])], 'pk_attr': 'id', 'table_description': 'A pinning ceremony or a certificate request: what the Recognition dashboard lists.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecognitionCohort',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recognition', fields.ForeignKeyField('models.Recognition', source_field='recognition_id', db_constraint=True, to_field='id', related_name='selected_cohorts', on_delete=OnDelete.CASCADE)),
                ('cohort', fields.ForeignKeyField('models.Cohort', source_field='cohort_id', db_constraint=True, to_field='id', related_name='recognitions', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'recognition_cohort', 'app': 'models', 'unique_together': (('recognition', 'cohort'),), 'pk_attr': 'id', 'table_description': 'A cohort selected in step 1.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecognitionEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recognition', fields.ForeignKeyField('models.Recognition', source_field='recognition_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='CREATED: CREATED\nUPDATED: UPDATED\nSUBMITTED: SUBMITTED\nPINS_MAILED: PINS_MAILED\nFINALIZED: FINALIZED\nDELETED: DELETED', enum_type=EventKind, max_length=16)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', db_constraint=True, to_field='id', related_name='recognition_events', on_delete=OnDelete.RESTRICT)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('changes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'recognition_event', 'app': 'models', 'indexes': [Index(fields=['recognition_id', 'at'])], 'pk_attr': 'id', 'table_description': 'Append-only history: who did what to a recognition, when, and what changed.'},
            bases=['Model'],
        ),
    ]
