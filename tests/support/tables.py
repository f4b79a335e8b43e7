"""What a test compares before and after a refusal: every row of every table, or each table's count."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise


async def every_row() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by model name, in key order."""
    return {
        model.__name__: await model.all().order_by(model._meta.pk_attr).values()
        for model in sorted(Tortoise.apps.get_models_iterable(), key=lambda model: model.__name__)
    }


async def row_counts() -> dict[str, int]:
    """How many rows each table holds, by table name."""
    return {
        model._meta.db_table: await model.all().count()
        for model in sorted(Tortoise.apps.get_models_iterable(), key=lambda model: model._meta.db_table)
    }
