from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0019_chunk_drawn_for')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CertificateFileChunk',
            name='retry_due',
            field=fields.DatetimeField(null=True, description='A try failed and the queue retries it by about then: till then the sweep leaves the chunk to that retry, so it has one chain of retries.', auto_now=False, auto_now_add=False),
        ),
    ]
