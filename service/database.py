"""Tortoise ORM configuration, start-up and migrations."""

from __future__ import annotations

import os
import pkgutil
import shlex
import socket
import types
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg
from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations
from tortoise.models import MetaInfo

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


_regenerate_db_fields = MetaInfo._generate_db_fields


def _generate_db_fields_aside(meta: MetaInfo) -> None:
    """Tortoise empties a model's lists of columns and fills them again each time a context is set
    up; a row read meanwhile in another thread (a worker thread starting while a request or another
    thread's message reads) became an object without some of its fields ("'CertificateFileJob'
    object has no attribute 'status'"). The same lists, made by Tortoise's own code on a stand-in,
    then swapped in whole: a reader goes through the old lists or the new, each complete."""
    stand_in = types.SimpleNamespace(
        db_fields=meta.db_fields,
        fields_db_projection_reverse=meta.fields_db_projection_reverse,
        fields_map=meta.fields_map,
        db=meta.db,
        db_default_fields=[],
        db_complex_fields=[],
        db_native_fields=[],
    )
    _regenerate_db_fields(stand_in)  # type: ignore[arg-type]
    meta.db_default_fields = stand_in.db_default_fields
    meta.db_complex_fields = stand_in.db_complex_fields
    meta.db_native_fields = stand_in.db_native_fields


MetaInfo._generate_db_fields = _generate_db_fields_aside  # type: ignore[method-assign,assignment]


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


class DatabaseNotReady(Exception):
    """The database cannot be used as it is: missing, not migrated (or behind this version), or a
    file this process cannot write. Its text is one line for a person: what is wrong, what to do."""


MIGRATIONS_TABLE = "tortoise_migrations"  # where Tortoise records the migrations applied
MIGRATIONS_APP = "models"


def database_name(database_url: str) -> str:
    """The database as a person would name it in a message: a SQLite file's path, or a server's
    address and database without the user and password (a log or a terminal is no place for them)."""
    if (path := _sqlite_file(database_url)) is not None:
        return str(path)
    if database_url.startswith("sqlite://"):
        return database_url
    parts = urlsplit(database_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def _sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL (None for another engine or an in-memory database)."""
    if not database_url.startswith("sqlite://"):
        return None
    file_path = str(expand_db_url(database_url)["credentials"]["file_path"])
    return None if file_path == ":memory:" else Path(file_path)


def _check_sqlite_file(path: Path) -> None:
    """The embedded database's file must exist (a command other than `portal migrate` never makes
    one: it would make an empty database and then fail on its missing tables), be writable, and be
    readable by its owner alone: it holds people's names and mail addresses (SQLite gives its -wal
    and -shm files the same mode)."""
    if path.is_dir():
        raise DatabaseNotReady(f"The database at {path} is a folder, not a file.")
    if not path.exists():
        raise DatabaseNotReady(f"There is no database at {path} yet: run `portal migrate`.")
    try:
        # Asked of the system, not worked out from the mode bits: root, a read-only mount or an
        # immutable file answer differently from what the bits say.
        os.close(os.open(path, os.O_RDWR))
    except OSError as error:
        raise DatabaseNotReady(f"Cannot write the database at {path}: {error.strerror}.") from None
    try:
        if path.stat().st_mode & 0o777 != 0o600:
            path.chmod(0o600)  # also one made before this rule
    except OSError as error:
        raise DatabaseNotReady(
            f"Cannot make the database at {path} readable by its owner alone: {error.strerror}."
        ) from None


def _make_sqlite_file(path: Path) -> None:
    """A new embedded database's file, in a folder that must exist already: a folder named in
    PORTAL_DATABASE_URL is the operator's to make (a mistyped path should not become a new tree)."""
    if path.exists():
        return
    if not path.parent.is_dir():
        problem = "is not a folder" if path.parent.exists() else "does not exist"
        raise DatabaseNotReady(f"Cannot make the database at {path}: the folder {path.parent} {problem}.")
    try:
        path.touch(mode=0o600, exist_ok=True)  # exists already: another process made it meanwhile
    except OSError as error:
        raise DatabaseNotReady(f"Cannot make the database at {path}: {error.strerror}.") from None


async def open_database(database_url: str) -> TortoiseContext:
    """Connect (lazily) and make the connection visible to every task of the process. A SQLite file
    must exist already (`portal migrate` makes it); ``DatabaseNotReady`` says why it cannot be used."""
    if (path := _sqlite_file(database_url)) is not None:
        _check_sqlite_file(path)
    context = TortoiseContext()
    # The lifespan runs in another task than the requests, hence the process-wide fallback.
    with context:
        await context.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    return context


async def migrate(database_url: str) -> list[str]:
    """Apply every migration not yet applied; their names, in the order applied. A SQLite file is
    made if missing, in a folder that must exist."""
    if (path := _sqlite_file(database_url)) is not None:
        _make_sqlite_file(path)
        _check_sqlite_file(path)
    applied: list[str] = []

    def note(event: str, _app: str, name: str) -> None:
        if event == "apply_done":
            applied.append(name)

    config = tortoise_config(database_url)
    sqlite = database_url.startswith("sqlite://")
    if sqlite:
        # SQLite changes a column by copying its table into a new one and dropping the old (Tortoise's
        # AlterField). With foreign keys enforced, dropping a table deletes its rows first, and with
        # them the rows pointing at them (ON DELETE CASCADE: a ceremony's history and cohorts), or
        # refuses (RESTRICT: its certificates). So, as SQLite's procedure for such changes says,
        # foreign keys are not enforced while migrating, and are checked after.
        config["connections"]["default"]["credentials"]["foreign_keys"] = "OFF"
    async with TortoiseContext():
        await run_migrations(config=config, progress=note)
        if sqlite:
            _, broken = await connections.get("default").execute_query("PRAGMA foreign_key_check")
            if broken:
                tables = ", ".join(sorted({row["table"] for row in broken}))
                raise DatabaseNotReady(
                    f"The database at {database_name(database_url)} has rows pointing at rows that do not "
                    f"exist (in {tables}): `PRAGMA foreign_key_check` lists them."
                )
    return applied


def migration_names() -> list[str]:
    """This version's migrations, in order (their modules' names, listed without importing them)."""
    import service.migrations

    return sorted(
        module.name
        for module in pkgutil.iter_modules(service.migrations.__path__)
        if module.name[:4].isdigit()
    )


async def check_schema(database_url: str) -> None:
    """Raise ``DatabaseNotReady`` when the open database cannot serve this version: none of the
    service's tables yet, or migrations of this version not applied. Two small queries. A database
    ahead of this version (a newer one migrated it during a rolling upgrade) is no problem here."""
    import sqlite3

    from tortoise.exceptions import BaseORMException

    connection = connections.get("default")
    name = database_name(database_url)
    if connection.capabilities.dialect == "postgres":
        present = f"SELECT to_regclass('{MIGRATIONS_TABLE}') IS NOT NULL AS present"
    else:
        present = (
            "SELECT count(*) AS present FROM sqlite_master "
            f"WHERE type = 'table' AND name = '{MIGRATIONS_TABLE}'"
        )
    try:
        _, [row] = await connection.execute_query(present)
        if not row["present"]:
            raise DatabaseNotReady(
                f"The database at {name} has none of the service's tables yet: run `portal migrate`."
            )
        _, rows = await connection.execute_query(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE app = '{MIGRATIONS_APP}'"
        )
    except (BaseORMException, sqlite3.DatabaseError) as error:
        if is_unreachable(error):
            raise
        # Not a database at all, or one this user may not read: SQLite's or PostgreSQL's own words.
        reason = (str(error).strip() or type(error).__name__).splitlines()[0]
        raise DatabaseNotReady(f"Cannot read the database at {name}: {reason}.") from None
    missing = sorted(set(migration_names()) - {row["name"] for row in rows})
    if missing:
        count = f"{len(missing)} migration{'s' if len(missing) > 1 else ''}"
        raise DatabaseNotReady(
            f"The database at {name} is {count} behind this version (from {missing[0]}): "
            "run `portal migrate`."
        )


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


def missing_database(error: BaseException, database_url: str) -> str | None:
    """When the error (or one it came from) is a PostgreSQL server saying it has no database of the
    URL's name, or refusing the URL's user, what to do about it in a line: the server answers, so
    "cannot reach" would send the operator looking in the wrong place. The user is not named (nor
    the password): a log or a terminal is no place for them."""
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current, asyncpg.InvalidCatalogNameError | asyncpg.InvalidAuthorizationSpecificationError
        ):
            break
        current = current.__cause__ or current.__context__
    else:
        return None
    parts = urlsplit(database_url)
    name = unquote(parts.path.lstrip("/")) or unquote(parts.username or "")
    host, port = parts.hostname or "localhost", parts.port or 5432
    if not isinstance(current, asyncpg.InvalidCatalogNameError):  # no such role, a wrong password
        return (
            f"The PostgreSQL server at {host}:{port} refused PORTAL_DATABASE_URL's user (no such role, "
            "or a wrong password): check the URL's user and password."
        )
    command = f"createdb -h {shlex.quote(host)} -p {port} -O <user> {shlex.quote(name)}"
    return (
        f"The database {name} does not exist on the PostgreSQL server at {host}:{port}: create it, "
        f"owned by PORTAL_DATABASE_URL's user (`{command}`), then run `portal migrate`."
    )


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
