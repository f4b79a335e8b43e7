import unicodedata

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


# A copy of enrollments.rules.name_search_key as it stood, for the names already stored.
_FOLDED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})


def _name_search_key(name):
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(_FOLDED)[:1000]


async def fill_search_names(apps, schema_editor):
    """Course-takers stored before this column existed get their search name."""
    course_taker = apps.get_model("models", "CourseTaker")
    client = schema_editor.client
    for row in await course_taker.all().using_db(client).values("id", "name"):
        await course_taker.filter(id=row["id"]).using_db(client).update(search_name=_name_search_key(row["name"]))


class Migration(migrations.Migration):
    dependencies = [('models', '0017_template_previewed')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CourseTaker',
            name='search_name',
            # With a database default first: neither SQLite nor PostgreSQL adds a NOT NULL column
            # without one to a table that has rows. The default is dropped below (the model's is Python's).
            field=fields.CharField(default='', description='What searches match, kept from the name (enrollments.rules.name_search_key).', max_length=1000, db_default=''),
        ),
        ops.RunPython(fill_search_names, ops.RunPython.noop),
        ops.AlterField(
            model_name='CourseTaker',
            name='search_name',
            field=fields.CharField(default='', description='What searches match, kept from the name (enrollments.rules.name_search_key).', max_length=1000),
        ),
        # SQLite's AlterField rebuilds the table and loses its unique (partner, email) (Tortoise 1.1.9):
        # put it back (PostgreSQL kept it; IF NOT EXISTS leaves it alone).
        ops.RunSQL(
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_course_take_partner_6d5189" ON "course_taker" ("partner_id", "email")',
            reverse_sql=ops.RunSQL.noop,
        ),
    ]
