from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.cohorts.models import CertificateType, Cohort
    from service.partners.models import Partner


class CourseTaker(Model):
    """A person enrolled in one or more cohorts of a partner."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="course_takers", on_delete=fields.RESTRICT
    )
    partner_id: int
    name = fields.CharField(max_length=300)
    email = fields.CharField(max_length=254)
    lms_user_id = fields.CharField(max_length=64, null=True)
    locale = fields.CharField(
        max_length=35, null=True, description="The person's locale in the LMS (BCP 47), e.g. ja or zh-Hant."
    )

    class Meta:
        table = "course_taker"
        unique_together = (("partner", "email"),)


class Enrollment(Model):
    """A course-taker in a cohort, with the progress the LMS reported."""

    id = fields.IntField(primary_key=True)
    course_taker: fields.ForeignKeyRelation[CourseTaker] = fields.ForeignKeyField(
        "models.CourseTaker", related_name="enrollments", on_delete=fields.RESTRICT
    )
    course_taker_id: int
    cohort: fields.ForeignKeyRelation[Cohort] = fields.ForeignKeyField(
        "models.Cohort", related_name="enrollments", on_delete=fields.RESTRICT
    )
    cohort_id: int
    modules_completed = fields.SmallIntField(default=0)
    modules_required = fields.SmallIntField()
    percent_complete = fields.DecimalField(max_digits=5, decimal_places=2, default=0)
    completed_at = fields.DatetimeField(null=True)
    certified = fields.BooleanField(default=False)
    certificate_type: fields.ForeignKeyRelation[CertificateType] = fields.ForeignKeyField(
        "models.CertificateType", related_name="enrollments", on_delete=fields.RESTRICT
    )
    certificate_type_id: int
    progress_synced_at = fields.DatetimeField(null=True)

    class Meta:
        table = "enrollment"
        unique_together = (("cohort", "course_taker"),)
