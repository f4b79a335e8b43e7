from enum import StrEnum

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


# As the service knows it when this was written (never imported from it).
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
    TEMPLATE_PREVIEWED = "TEMPLATE_PREVIEWED"


class Migration(migrations.Migration):
    dependencies = [('models', '0016_credential_status_index')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='AuditEntry',
            name='action',
            field=fields.CharEnumField(description='SIGN_IN_FAILED: SIGN_IN_FAILED\nMINIMUM_NOTICE_OVERRIDDEN: MINIMUM_NOTICE_OVERRIDDEN\nPINS_MARKED_MAILED: PINS_MARKED_MAILED\nCERTIFICATE_REVOKED: CERTIFICATE_REVOKED\nCERTIFICATE_REISSUED: CERTIFICATE_REISSUED\nFILE_DOWNLOADED: FILE_DOWNLOADED\nTEMPLATE_CREATED: TEMPLATE_CREATED\nTEMPLATE_EDITED: TEMPLATE_EDITED\nTEMPLATE_ASSIGNED: TEMPLATE_ASSIGNED\nTEMPLATE_UNASSIGNED: TEMPLATE_UNASSIGNED\nTEMPLATE_IMAGE_UPLOADED: TEMPLATE_IMAGE_UPLOADED\nTEMPLATE_PREVIEWED: TEMPLATE_PREVIEWED', enum_type=AuditAction, max_length=30),
        ),
        # SQLite's AlterField rebuilds the table and loses its other indexes (as in 0015): put back
        # the one the model declares (PostgreSQL kept it; IF NOT EXISTS leaves it alone).
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_audit_entry_occurre_094a66" ON "audit_entry" ("occurred_at", "id")',
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
