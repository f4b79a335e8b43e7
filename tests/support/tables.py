"""Every table's row count: a refusal must leave each one as it was."""

from __future__ import annotations

from tortoise import Tortoise


async def row_counts() -> dict[str, int]:
    """How many rows each table holds, by table name."""
    return {
        model._meta.db_table: await model.all().count()
        for model in sorted(Tortoise.apps.get_models_iterable(), key=lambda model: model._meta.db_table)
    }
