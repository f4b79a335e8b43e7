from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('models', '0010_ceremony_date')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CourseTaker',
            name='locale',
            field=fields.CharField(null=True, description="The person's locale in the LMS (BCP 47), e.g. ja or zh-Hant.", max_length=35),
        ),
        ops.AddField(
            model_name='Partner',
            name='default_locale',
            field=fields.CharField(null=True, description='BCP 47 locale for names whose course-taker has none, e.g. ja: picks Han regional forms.', max_length=35),
        ),
        ops.AddField(
            model_name='ProgressSyncRun',
            name='warnings',
            field=fields.JSONField(default=list, description='What the run changed in what it read, e.g. bidi controls removed from a name.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
