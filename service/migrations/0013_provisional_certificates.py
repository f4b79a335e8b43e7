from enum import StrEnum
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


# The enum as it stood when this migration was written, so that it never changes with the models.
class CertificateStatus(StrEnum):
    VALID = "VALID"
    PROVISIONAL = "PROVISIONAL"
    VOIDED = "VOIDED"
    REVOKED = "REVOKED"
    REPLACED = "REPLACED"


class Migration(migrations.Migration):
    dependencies = [('models', '0010_ceremony_date')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Certificate',
            name='status',
            field=fields.CharEnumField(default=CertificateStatus.VALID, description='VALID: VALID\nPROVISIONAL: PROVISIONAL\nVOIDED: VOIDED\nREVOKED: REVOKED\nREPLACED: REPLACED', enum_type=CertificateStatus, max_length=11),
        ),
        ops.AddField(
            model_name='Certificate',
            name='validated_at',
            field=fields.DatetimeField(null=True, description='When a provisional certificate turned valid (the LMS reported completion).', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Certificate',
            name='voided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Certificate',
            name='voided_reason',
            field=fields.CharField(null=True, description='Why it was voided: a Listing value of the certificates rules.', max_length=40),
        ),
        # SQLite's AlterField rebuilds the table and loses its other indexes (Tortoise 1.1.9):
        # put back the one the model declares (PostgreSQL kept it; IF NOT EXISTS leaves it alone).
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_certificate_enrollm_741da1" '
            'ON "certificate" ("enrollment_id", "issued_at")',
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
