from tortoise import fields
from tortoise.models import Model


class Partner(Model):
    """An institution: every program, cohort and course-taker belongs to one."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=80, unique=True)
    time_zone = fields.CharField(max_length=64, default="UTC")
    created_at = fields.DatetimeField(auto_now_add=True)
    canvas_base_url = fields.CharField(max_length=200, null=True)
    canvas_token_variable = fields.CharField(
        max_length=100, null=True, description="Environment variable that holds the Canvas API token."
    )
    default_locale = fields.CharField(
        max_length=35,
        null=True,
        description="BCP 47 locale for names whose course-taker has none, e.g. ja: picks Han regional forms.",
    )

    class Meta:
        table = "partner"
        ordering = ["name"]
