import math
import random

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# As the service knows them when this was written (never imported from it).
LIST_ENTRIES = 131_072
CHUNK = 500


async def place_existing(apps, schema_editor):
    """Each certificate issued before gets a random, unique place in the status lists: a random
    permutation of places drawn from as many lists as keep them at most half full (as on issue)."""
    certificate = apps.get_model("models", "Certificate")
    client = schema_editor.client
    ids = (
        await certificate.filter(credential_status_index__isnull=True)
        .using_db(client)
        .values_list("id", flat=True)
    )
    if not ids:
        return
    space = max(1, math.ceil(2 * len(ids) / LIST_ENTRIES)) * LIST_ENTRIES
    places = random.SystemRandom().sample(range(space), len(ids))
    await certificate.all().using_db(client).bulk_update(
        [certificate(id=key, credential_status_index=place) for key, place in zip(ids, places)],
        fields=["credential_status_index"],
        batch_size=CHUNK,
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0015_certificate_templates")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Certificate",
            name="credential_status_index",
            field=fields.IntField(null=True, unique=True),
        ),
        ops.RunPython(place_existing, ops.RunPython.noop),
    ]
