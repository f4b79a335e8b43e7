"""Tortoise ORM configuration, start-up and migrations."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations

MODEL_MODULES = [
    "service.partners.models",
    "service.users.models",
    "service.cohorts.models",
    "service.enrollments.models",
    "service.recognitions.models",
    "service.mail.models",
    "service.certificate_templates.models",
    "service.certificates.models",
    "service.certificate_files.models",
    "service.lms.models",
    "service.audit.models",
]


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg is untyped
    """A PostgreSQL connection handed back to Tortoise's pool without a round trip of its own.

    asyncpg resets every connection it takes back (``SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL``): one more round trip after each statement Tortoise runs outside a
    transaction. The service keeps no session state on a pooled connection (no advisory locks,
    cursors held past a transaction, LISTEN or SET; its events go through Redis), so there is
    nothing to reset. asyncpg still rolls back a transaction left open and drops Python-side
    listeners; a connection that was made to LISTEN gets the full reset, to be safe."""

    _listened = False

    def get_reset_query(self) -> str:
        if self._listened:
            return str(super().get_reset_query())
        return ""

    async def add_listener(self, channel: str, callback: Any) -> None:
        self._listened = True
        await super().add_listener(channel, callback)


def connection_config(database_url: str) -> str | dict[str, Any]:
    """A database URL as Tortoise takes it; SQLite through ``service.sqlite_backend``, whose writers
    wait their turn instead of failing; PostgreSQL through asyncpg with ``PooledConnection``."""
    expanded = expand_db_url(database_url)
    if database_url.startswith("sqlite://"):
        return {**expanded, "engine": "service.sqlite_backend"}
    if expanded["engine"] == "tortoise.backends.asyncpg":
        credentials = {**expanded["credentials"], "connection_class": PooledConnection}
        return {**expanded, "credentials": credentials}
    return database_url


def tortoise_config(database_url: str, *, queued_writers: bool = True) -> dict[str, Any]:
    """The Tortoise config for one database URL; one app, migrations under ``service.migrations``.
    Without ``queued_writers``, the plain URL (the `tortoise` command, a single process)."""
    connection = connection_config(database_url) if queued_writers else database_url
    return {
        "connections": {"default": connection},
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
    """The embedded database's folder, and its file readable by its owner alone: it holds people's
    names and mail addresses (SQLite gives its -wal and -shm files the same mode)."""
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        path = Path(database_url.removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)  # also one made before this rule


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


async def reachable() -> None:
    """Ask the open database something (connections open lazily): raises when it cannot be reached."""
    await connections.get("default").execute_query("SELECT 1")


# Every table's key is an `integer` column (32 bits on PostgreSQL): a larger number names no row, and
# asking the database for it would fail the query instead of finding nothing.
LARGEST_KEY = 2**31 - 1


def storable_key(key: int) -> bool:
    """Whether a table's key could be this number at all."""
    return 0 < key <= LARGEST_KEY


_CLOSED_WORDS = ("connection is closed", "pool is closed", "pool is closing")


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
            | asyncpg.CannotConnectNowError,
        ):
            return True
        # Most of asyncpg's InterfaceErrors are faults of the request (too many bind parameters, an
        # operation already in progress); only a closed connection or pool means the database is gone.
        if isinstance(current, asyncpg.InterfaceError) and any(
            words in str(current) for words in _CLOSED_WORDS
        ):
            return True
        current = current.__cause__ or current.__context__
    return False
