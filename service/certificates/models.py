from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.certificate_templates.models import CertificateTemplateVersion
    from service.enrollments.models import Enrollment
    from service.partners.models import Partner
    from service.recognitions.models import Recognition
    from service.users.models import User


class CertificateStatus(StrEnum):
    VALID = "VALID"
    PROVISIONAL = "PROVISIONAL"
    VOIDED = "VOIDED"
    REVOKED = "REVOKED"
    REPLACED = "REPLACED"


# The statuses of an enrolment's current certificate: the one a download, a re-issue or a
# revocation acts on (valid_enrollment_id is set).
CURRENT = (CertificateStatus.VALID, CertificateStatus.PROVISIONAL)


class Certificate(Model):
    """One issued certificate: the data as printed and its PDF, kept exactly as issued."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="certificates", on_delete=fields.RESTRICT
    )
    partner_id: int
    enrollment: fields.ForeignKeyRelation[Enrollment] = fields.ForeignKeyField(
        "models.Enrollment", related_name="certificates", on_delete=fields.RESTRICT
    )
    enrollment_id: int
    # Equals enrollment_id while the certificate is current (valid or provisional), NULL after: the
    # unique constraint allows one current certificate per enrollment on every database.
    valid_enrollment_id = fields.IntField(null=True, unique=True)
    recognition: fields.ForeignKeyRelation[Recognition] = fields.ForeignKeyField(
        "models.Recognition", related_name="certificates", on_delete=fields.RESTRICT
    )
    recognition_id: int
    status = fields.CharEnumField(CertificateStatus, max_length=11, default=CertificateStatus.VALID)
    printed: dict[str, Any] = fields.JSONField(description="Every value as printed on the PDF.")
    # The design it was printed with (NULL: the default design), so it is always drawn the same.
    template_version: fields.ForeignKeyNullableRelation[CertificateTemplateVersion] = fields.ForeignKeyField(
        "models.CertificateTemplateVersion", related_name="certificates", null=True, on_delete=fields.RESTRICT
    )
    template_version_id: int | None
    issued_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="certificates_issued", on_delete=fields.RESTRICT
    )
    issued_by_id: int
    issued_at = fields.DatetimeField()
    # The certificate's own PDF, made on issue or on first download (certificates issued for a
    # combined file are drawn into its pages and get their own file only if downloaded alone).
    file_name = fields.CharField(max_length=100, null=True)
    file_size = fields.IntField(null=True)
    file_sha256 = fields.CharField(max_length=64, null=True)
    validated_at = fields.DatetimeField(
        null=True, description="When a provisional certificate turned valid (the LMS reported completion)."
    )
    voided_at = fields.DatetimeField(null=True)
    voided_reason = fields.CharField(
        max_length=40, null=True, description="Why it was voided: a Listing value of the certificates rules."
    )
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=500, null=True)
    replaced_by: fields.ForeignKeyNullableRelation[Certificate] = fields.ForeignKeyField(
        "models.Certificate", related_name="replaces", null=True, on_delete=fields.RESTRICT
    )
    replaced_by_id: int | None
    # Where its credential's entry sits in the status lists: random and unique (herd privacy), given
    # on issue by service.credentials.indexes (NULL only until then).
    credential_status_index = fields.IntField(null=True, unique=True)

    class Meta:
        table = "certificate"
        indexes = (("enrollment_id", "issued_at"),)


class CandidateExport(Model):
    """A CSV export asked for on the certificates step. Its rows are read when it is downloaded."""

    id = fields.IntField(primary_key=True)
    recognition: fields.ForeignKeyRelation[Recognition] = fields.ForeignKeyField(
        "models.Recognition", related_name="exports", on_delete=fields.CASCADE
    )
    recognition_id: int
    requested_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="exports", on_delete=fields.RESTRICT
    )
    requested_by_id: int
    enrollment_ids: list[int] | None = fields.JSONField(null=True, description="The selection, in its order.")
    candidate_filter: dict[str, Any] | None = fields.JSONField(
        null=True, description="Or a filter of the list."
    )
    except_ids: list[int] | None = fields.JSONField(
        null=True, description="With a filter: the enrolments it matches that are not exported."
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "candidate_export"
