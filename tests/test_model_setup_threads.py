"""Setting up Tortoise in one thread while another reads rows: a model's lists of columns are
swapped in whole, never emptied and filled in place, so a row read meanwhile gets every field."""

from __future__ import annotations

from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from service.certificate_files.models import CertificateFileJob
from service.database import tortoise_config
from service.settings import Settings


async def test_a_context_set_up_leaves_the_column_lists_a_reader_holds_whole(
    app: Starlette, settings: Settings
) -> None:
    # given the app's database open, and the lists a reader in another thread is going through
    meta = CertificateFileJob._meta
    held = (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields)
    copies = tuple(list(columns) for columns in held)

    # when another context is set up (as a worker thread starting does)
    context = TortoiseContext()
    with context:
        await context.init(config=tortoise_config(settings.resolved_database_url))
        await context.close_connections()

    # then the model has new lists, just as complete, and what the reader holds was never emptied
    # (Tortoise's own set-up empties and refills the same lists: a reader saw them empty)
    assert [
        new is old
        for new, old in zip(
            (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields), held, strict=True
        )
    ] == [False] * 3
    assert tuple(list(columns) for columns in held) == copies
    assert (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields) == copies
    assert sum(len(columns) for columns in copies) == len(meta.db_fields) > 0
