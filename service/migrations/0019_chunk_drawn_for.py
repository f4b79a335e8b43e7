from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0018_course_taker_search_name')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CertificateFileChunk',
            name='drawn_for',
            field=fields.DateField(null=True, description="The ceremony's day (in its time zone) that the part's provisional pages print, NULL when none does: a part drawn before the ceremony moved is drawn again before the file is ready."),
        ),
    ]
