from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from zoneinfo import ZoneInfo


async def fill_ceremony_dates(apps, schema_editor):
    """Ceremonies scheduled before this column existed get their local day."""
    recognition = apps.get_model("models", "Recognition")
    client = schema_editor.client
    rows = await recognition.filter(starts_at__isnull=False).using_db(client).values("id", "starts_at", "time_zone")
    for row in rows:
        if row["time_zone"]:
            day = row["starts_at"].astimezone(ZoneInfo(row["time_zone"])).date()
            await recognition.filter(id=row["id"]).using_db(client).update(ceremony_date=day)

class Migration(migrations.Migration):
    dependencies = [('models', '0009_audit_log')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Recognition',
            name='ceremony_date',
            field=fields.DateField(null=True, description='The day it starts on its own wall clock (kept by save(), filtered on).'),
        ),
        ops.AddIndex(
            model_name='Recognition',
            index=Index(fields=['partner_id', 'ceremony_date']),
        ),
        ops.RunPython(fill_ceremony_dates, ops.RunPython.noop),
    ]
