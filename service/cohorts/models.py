from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from service.partners.models import Partner


class CertificateType(Model):
    """A certificate a course-taker can earn, e.g. a micro-credential. Data, not code.

    Types are defined by the certifying organisation and shared by every partner.
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=200)

    class Meta:
        table = "certificate_type"
        ordering = ["name"]


class Program(Model):
    """A course offering of a partner, run as cohorts."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="programs", on_delete=fields.RESTRICT
    )
    partner_id: int
    name = fields.CharField(max_length=200)
    certificate_type: fields.ForeignKeyRelation[CertificateType] = fields.ForeignKeyField(
        "models.CertificateType", related_name="programs", on_delete=fields.RESTRICT
    )
    certificate_type_id: int
    certification_percent = fields.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=100,
        description="Share of the required modules a completer must have completed to be certified.",
    )

    class Meta:
        table = "program"
        unique_together = (("partner", "name"),)


class Cohort(Model):
    """One run of a program. ``partner`` repeats the program's so step-1 search is one index scan."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="cohorts", on_delete=fields.RESTRICT
    )
    partner_id: int
    program: fields.ForeignKeyRelation[Program] = fields.ForeignKeyField(
        "models.Program", related_name="cohorts", on_delete=fields.RESTRICT
    )
    program_id: int
    name = fields.CharField(max_length=200)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    closed_at = fields.DatetimeField(null=True)
    lms_course_id = fields.CharField(
        max_length=64,
        null=True,
        description="The course's id in the partner's Canvas: unique within the partner, not across "
        "partners (each has its own Canvas, whose ids may be the same as another's).",
    )

    class Meta:
        table = "cohort"
        indexes = (("partner_id", "ends_on"),)
        unique_together = (("program", "name"), ("partner", "lms_course_id"))
