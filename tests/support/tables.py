"""Every row of every table: what a test compares before and after a refusal."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise


async def every_row() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by model name, in key order."""
    return {
        model.__name__: await model.all().order_by(model._meta.pk_attr).values()
        for model in sorted(Tortoise.apps.get_models_iterable(), key=lambda model: model.__name__)
    }
