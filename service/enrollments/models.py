from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from service.enrollments.rules import SEARCH_NAME_LENGTH, SORT_NAME_LENGTH, name_search_key, name_sort_key

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
    sort_name = fields.CharField(
        max_length=SORT_NAME_LENGTH,
        default="",
        description="What lists sort by, kept from the name (enrollments.rules.name_sort_key).",
    )
    search_name = fields.CharField(
        max_length=SEARCH_NAME_LENGTH,
        default="",
        description="What searches match, kept from the name (enrollments.rules.name_search_key).",
    )
    email = fields.CharField(max_length=254)
    lms_user_id = fields.CharField(max_length=64, null=True)
    locale = fields.CharField(
        max_length=35, null=True, description="The person's locale in the LMS (BCP 47), e.g. ja or zh-Hant."
    )

    class Meta:
        table = "course_taker"
        unique_together = (("partner", "email"),)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Also for bulk_create, which never calls save().
        if "name" in kwargs and "sort_name" not in kwargs:
            self.sort_name = name_sort_key(self.name)
        if "name" in kwargs and "search_name" not in kwargs:
            self.search_name = name_search_key(self.name)

    async def save(self, *args: Any, **kwargs: Any) -> None:
        self.sort_name, self.search_name = name_sort_key(self.name), name_search_key(self.name)
        await super().save(*args, **kwargs)


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
