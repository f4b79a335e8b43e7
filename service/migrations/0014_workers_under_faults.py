from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint


async def mark_active_jobs(apps, schema_editor):
    """Jobs queued or running now keep their selection's key (the newest one, where duplicates ran)."""
    job = apps.get_model("models", "CertificateFileJob")
    client = schema_editor.client
    rows = await job.filter(status__in=["QUEUED", "RUNNING"]).using_db(client).order_by("-id").values(
        "id", "recognition_id", "selection_key"
    )
    seen = set()
    for row in rows:
        if (row["recognition_id"], row["selection_key"]) not in seen:
            seen.add((row["recognition_id"], row["selection_key"]))
            await job.filter(id=row["id"]).using_db(client).update(active_selection_key=row["selection_key"])


class Migration(migrations.Migration):
    dependencies = [('models', '0013_issue16_part_b')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CertificateFileJob',
            name='active_selection_key',
            field=fields.CharField(null=True, description="The selection's key while the job is queued or running, NULL after: with the recognition, unique, so the database keeps one active job per selection.", max_length=64),
        ),
        ops.AddIndex(
            model_name='CertificateFileJob',
            index=Index(fields=['requested_by_id', 'created_at']),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='queued_until',
            field=fields.DatetimeField(null=True, description='A message for it is in the job queue (or its retry is due) until about then: the sweep leaves it to that message till then.', auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(mark_active_jobs, ops.RunPython.noop),
        ops.AddConstraint(
            model_name='CertificateFileJob',
            constraint=UniqueConstraint(fields=('recognition_id', 'active_selection_key'), name=None),
        ),
    ]
