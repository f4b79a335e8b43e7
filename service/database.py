"""Tortoise ORM configuration, start-up and migrations."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations

MODEL_MODULES = [
    "service.partners.models",
    "service.users.models",
    "service.cohorts.models",
    "service.enrollments.models",
    "service.recognitions.models",
    "service.mail.models",
    "service.certificates.models",
    "service.certificate_files.models",
    "service.lms.models",
    "service.audit.models",
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


def is_unreachable(error: BaseException) -> bool:
    """Whether the error (or one it came from) means the database cannot be reached just now — a
    refused or broken connection, a timeout — rather than a fault in the request."""
    import asyncpg
    from tortoise.exceptions import DBConnectionError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current,
            DBConnectionError
            | ConnectionError
            | TimeoutError
            | socket.gaierror
            | asyncpg.PostgresConnectionError
            | asyncpg.InterfaceError
            | asyncpg.CannotConnectNowError,
        ):
            return True
        current = current.__cause__ or current.__context__
    return False
