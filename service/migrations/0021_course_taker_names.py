import unicodedata

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


# A copy of enrollments.rules.name_search_key as it stands now (apostrophes left out, dashes as
# spaces), for the names already stored: their keys were made without it (0018).
_FOLDED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
_APOSTROPHES = "'\u2019\u2018\u201b\u02bc\u02bb`\u00b4\u2032\uff07"
_SEARCH_FOLDED = str.maketrans({**dict.fromkeys(_APOSTROPHES + "\u00ad"), "\u2212": " "})


def _without_punctuation(text):
    folded = text.translate(_SEARCH_FOLDED)
    return "".join(" " if unicodedata.category(c) == "Pd" else c for c in folded)


def _letters(decomposed):
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(_FOLDED)


def _name_search_key(text):
    decomposed = unicodedata.normalize("NFKD", _without_punctuation(text))
    return " ".join(_without_punctuation(_letters(decomposed)).split())[:1000]


async def refill_search_names(apps, schema_editor):
    """Every stored course-taker's search name made again, where it changes."""
    course_taker = apps.get_model("models", "CourseTaker")
    client = schema_editor.client
    for row in await course_taker.all().using_db(client).values("id", "name", "search_name"):
        key = _name_search_key(row["name"])
        if key != row["search_name"]:
            await course_taker.filter(id=row["id"]).using_db(client).update(search_name=key)


class Migration(migrations.Migration):
    dependencies = [('models', '0020_chunk_retry_due')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ProgressSyncRun',
            name='names_changed',
            field=fields.IntField(default=0, db_default=0, description='Course-takers whose name the run changed to the one Canvas has now.'),
        ),
        ops.RunPython(refill_search_names, ops.RunPython.noop),
    ]
