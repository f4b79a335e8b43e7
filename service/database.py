"""Tortoise ORM configuration, start-up and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations

from service.settings import get_settings

MODEL_MODULES = [
    "service.partners.models",
    "service.users.models",
    "service.cohorts.models",
    "service.enrollments.models",
    "service.recognitions.models",
    "service.mail.models",
    "service.certificates.models",
    "service.certificate_files.models",
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config for one database URL; one app, migrations under ``service.migrations``."""
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "service.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _prepare_sqlite_folder(database_url: str) -> None:
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)


async def open_database(database_url: str) -> TortoiseContext:
    """Connect (lazily) and make the connection visible to every task of the process."""
    _prepare_sqlite_folder(database_url)
    context = TortoiseContext()
    # The lifespan runs in another task than the requests, hence the process-wide fallback.
    with context:
        await context.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    return context


async def migrate(database_url: str) -> None:
    """Apply every migration not yet applied."""
    _prepare_sqlite_folder(database_url)
    async with TortoiseContext():
        await run_migrations(config=tortoise_config(database_url))


# Read by the `tortoise` command (pyproject's [tool.tortoise]) for `makemigrations`.
TORTOISE_ORM = tortoise_config(get_settings().resolved_database_url)
