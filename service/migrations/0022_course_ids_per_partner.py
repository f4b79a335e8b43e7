from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint


# A cohort's LMS course id is unique within its partner, not across partners: each partner has its own
# Canvas, and two Canvas instances may both have a course 12345.
class Migration(migrations.Migration):
    dependencies = [('models', '0021_course_taker_names')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Cohort',
            name='lms_course_id',
            field=fields.CharField(null=True, description="The course's id in the partner's Canvas: unique within the partner, not across partners (each has its own Canvas, whose ids may be the same as another's).", max_length=64),
        ),
        # SQLite's AlterField rebuilds the table and loses its indexes (Tortoise 1.1.9): put back the
        # ones the model declares (PostgreSQL kept them; IF NOT EXISTS leaves them alone).
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_cohort_partner_040d3e" ON "cohort" ("partner_id", "ends_on")',
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.RunSQL(
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_cohort_program_1230fd" ON "cohort" ("program_id", "name")',
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.AddConstraint(
            model_name='Cohort',
            constraint=UniqueConstraint(fields=('partner', 'lms_course_id'), name=None),
        ),
    ]
