from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index


# A scheduled ceremony is PAST once its date is in the past (the guide), not once it has started:
# from the midnight that ends its day in its own time zone. That instant is stored, so the dashboard
# filters on it in SQL on every engine (SQLite knows no time zones), in place of the start.
def day_over_at(starts_at, time_zone):
    """The next day's midnight on the ceremony's own wall clock (as service.recognitions.models
    computes it when this was written; kept here so the migration stays as it ran)."""
    day = starts_at.astimezone(ZoneInfo(time_zone)).date()
    midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(time_zone))
    return midnight.astimezone(UTC)


async def fill_past_from(apps, schema_editor):
    """Every ceremony with a start gets the end of its day, each in its own time zone."""
    recognition = apps.get_model("models", "Recognition")
    client = schema_editor.client
    rows = await (
        recognition.filter(starts_at__isnull=False, time_zone__isnull=False)
        .using_db(client)
        .values("id", "starts_at", "time_zone")
    )
    for row in rows:
        try:
            past_from = day_over_at(row["starts_at"], row["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            continue  # a zone that is no place ("localtime" where none is): `portal migrate` names it
        await recognition.filter(id=row["id"]).using_db(client).update(past_from=past_from)


class Migration(migrations.Migration):
    dependencies = [('models', '0022_course_ids_per_partner')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Recognition',
            name='past_from',
            field=fields.DatetimeField(null=True, description='When a scheduled ceremony becomes PAST: the midnight that ends its day on its own wall clock, as an instant (kept by save(), filtered on).', auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(fill_past_from, ops.RunPython.noop),
        # The status filter compares past_from now, no longer the start.
        ops.AddIndex(
            model_name='Recognition',
            index=Index(fields=['partner_id', 'past_from']),
        ),
        ops.RemoveIndex(
            model_name='Recognition',
            name=None,
            fields=['partner_id', 'starts_at'],
        ),
    ]
