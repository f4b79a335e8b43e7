from enum import StrEnum

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


# The enums as they stood when this migration was written, so that it never changes with the models.
class Role(StrEnum):
    PARTNER_ADMIN = "PARTNER_ADMIN"
    STAFF = "STAFF"


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="CertificateType",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("code", fields.CharField(unique=True, max_length=40)),
                ("name", fields.CharField(max_length=200)),
            ],
            options={
                "table": "certificate_type",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A certificate a course-taker can earn, e.g. a micro-credential. Data, not code.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Partner",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=200)),
                ("slug", fields.CharField(unique=True, max_length=80)),
                ("time_zone", fields.CharField(default="UTC", max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "partner",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An institution: every program, cohort and course-taker belongs to one.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CourseTaker",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="course_takers",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=300)),
                ("email", fields.CharField(max_length=254)),
                ("lms_user_id", fields.CharField(null=True, max_length=64)),
            ],
            options={
                "table": "course_taker",
                "app": "models",
                "unique_together": (("partner", "email"),),
                "pk_attr": "id",
                "table_description": "A person enrolled in one or more cohorts of a partner.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Program",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="programs",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                (
                    "certificate_type",
                    fields.ForeignKeyField(
                        "models.CertificateType",
                        source_field="certificate_type_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="programs",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "program",
                "app": "models",
                "unique_together": (("partner", "name"),),
                "pk_attr": "id",
                "table_description": "A course offering of a partner, run as cohorts.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Cohort",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="cohorts",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "program",
                    fields.ForeignKeyField(
                        "models.Program",
                        source_field="program_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="cohorts",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                ("starts_on", fields.DateField()),
                ("ends_on", fields.DateField()),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("lms_course_id", fields.CharField(null=True, unique=True, max_length=64)),
            ],
            options={
                "table": "cohort",
                "app": "models",
                "unique_together": (("program", "name"),),
                "indexes": [Index(fields=["partner_id", "ends_on"])],
                "pk_attr": "id",
                "table_description": "One run of a program. ``partner`` repeats the program's so step-1 search is one index scan.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Enrollment",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "course_taker",
                    fields.ForeignKeyField(
                        "models.CourseTaker",
                        source_field="course_taker_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="enrollments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "cohort",
                    fields.ForeignKeyField(
                        "models.Cohort",
                        source_field="cohort_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="enrollments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("modules_completed", fields.SmallIntField(default=0)),
                ("modules_required", fields.SmallIntField()),
                ("percent_complete", fields.DecimalField(default=0, max_digits=5, decimal_places=2)),
                ("completed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("certified", fields.BooleanField(default=False)),
                (
                    "certificate_type",
                    fields.ForeignKeyField(
                        "models.CertificateType",
                        source_field="certificate_type_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="enrollments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("progress_synced_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "enrollment",
                "app": "models",
                "unique_together": (("cohort", "course_taker"),),
                "pk_attr": "id",
                "table_description": "A course-taker in a cohort, with the progress the LMS reported.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("name", fields.CharField(max_length=200)),
                (
                    "role",
                    fields.CharEnumField(
                        description="PARTNER_ADMIN: PARTNER_ADMIN\nSTAFF: STAFF",
                        enum_type=Role,
                        max_length=20,
                    ),
                ),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "models.Partner",
                        source_field="partner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="users",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "portal_user",
                "app": "models",
                "pk_attr": "id",
                "table_description": "Someone who signs in: a partner admin, or staff of the certifying organisation.",
            },
            bases=["Model"],
        ),
    ]
