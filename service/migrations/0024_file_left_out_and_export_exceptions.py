from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields


# A combined file records whom it left out (staff revoked their certificate) for its mail and its job;
# an export by filter may leave some of its matches out (the portal's "select all" but a few).
# (Numbered 0024: another branch adds a 0023, and this one is pointed after it when they meet.)
class Migration(migrations.Migration):
    dependencies = [('models', '0023_ceremony_past_from')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CandidateExport',
            name='except_ids',
            field=fields.JSONField(null=True, description='With a filter: the enrolments it matches that are not exported.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='CertificateFileJob',
            name='left_out',
            field=fields.JSONField(default=list, description="Those the request matched (a filter, or the last file regenerated) but left out because staff revoked their certificate, in the page's order: enrollment_id, name and email (as listed then), certificate_id.", db_default=[], encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
