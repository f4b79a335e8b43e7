from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_certificate_files_on_demand')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CertificateFileJob',
            name='join_attempts',
            field=fields.IntField(default=0),
        ),
    ]
