"""Whether a database error means an outage (the API then answers SERVICE_UNAVAILABLE) or a fault
of the request: only a connection that cannot be made or is gone is an outage. And whether a
database that answers can serve this version: its tables made, every migration applied."""

from __future__ import annotations

import asyncio
import socket
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise import connections
from tortoise.exceptions import DBConnectionError

from service.database import (
    DatabaseNotReady,
    check_schema,
    database_name,
    is_unreachable,
    migration_names,
    missing_database,
    open_database,
)
from tests.support.databases import POSTGRES_URL, Databases

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="PORTAL_TEST_POSTGRES_URL is not set")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_port_nobody_listens_on_is_unreachable() -> None:
    # when asyncpg connects to a closed port
    with pytest.raises(OSError) as refused:
        await asyncpg.connect(host="127.0.0.1", port=_closed_port(), user="postgres", timeout=5)

    # then
    assert is_unreachable(refused.value) is True


@needs_postgres
async def test_a_closed_connection_is_unreachable_and_too_many_parameters_is_not() -> None:
    # given a real PostgreSQL connection
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        # when a statement has more bind parameters than the protocol allows
        values = list(range(40_000))
        placeholders = ", ".join(f"${number}::int" for number in range(1, len(values) + 1))
        with pytest.raises(asyncpg.InterfaceError) as too_many:
            await connection.fetch(f"select 1 where 1 in ({placeholders})", *values)
    finally:
        await connection.close()
    # and when a closed connection is used
    with pytest.raises(asyncpg.InterfaceError) as closed:
        await connection.fetch("select 1")

    # then only the closed connection is an outage
    assert "32767" in str(too_many.value)
    assert (is_unreachable(too_many.value), is_unreachable(closed.value)) == (False, True)


def test_a_database_is_named_without_its_user_and_password() -> None:
    assert [
        database_name("postgres://portal:secret@db.internal:5432/portal"),
        database_name("postgres://db.internal/portal"),
        database_name("sqlite:///var/lib/portal/portal.sqlite3"),
        database_name("sqlite://data/portal.sqlite3"),
    ] == [
        "postgres://db.internal:5432/portal",
        "postgres://db.internal/portal",
        "/var/lib/portal/portal.sqlite3",
        "data/portal.sqlite3",
    ]


async def _check_schema(database_url: str, *, forget: str | None = None) -> None:
    """Open the database, forget that a migration was applied (if told to), and check its schema."""
    context = await open_database(database_url)
    try:
        if forget is not None:
            await connections.get("default").execute_query(
                f"DELETE FROM tortoise_migrations WHERE name = '{forget}'"
            )
        await check_schema(database_url)
    finally:
        await context.close_connections()


def test_a_migrated_database_passes_and_one_missing_a_migration_is_told_to_migrate(
    databases: Databases, tmp_path: Path
) -> None:
    # given a database migrated by this version
    url = databases.fresh(tmp_path)
    newest = migration_names()[-1]

    # when it is checked, then checked again once its newest migration is forgotten
    asyncio.run(_check_schema(url))
    with pytest.raises(DatabaseNotReady) as behind:
        asyncio.run(_check_schema(url, forget=newest))

    # then only the second is refused, saying what to do
    assert str(behind.value) == (
        f"The database at {database_name(url)} is 1 migration behind this version (from {newest}): "
        "run `portal migrate`."
    )


@needs_postgres
def test_an_empty_postgresql_database_is_told_to_migrate() -> None:
    # given an empty database on the server
    name = f"portal_test_empty_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        # when
        with pytest.raises(DatabaseNotReady) as empty:
            asyncio.run(_check_schema(url))
    finally:
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))

    # then
    assert str(empty.value) == (
        f"The database at {database_name(url)} has none of the service's tables yet: run `portal migrate`."
    )


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def test_a_server_without_the_database_is_told_apart_from_one_out_of_reach() -> None:
    # given the error Tortoise raises when the server answers that it has no such database
    try:
        try:
            raise asyncpg.InvalidCatalogNameError('database "portal_prod" does not exist')
        except asyncpg.InvalidCatalogNameError as missing:
            raise DBConnectionError("Can't establish connection to database portal_prod") from missing
    except DBConnectionError as error:
        no_database = error
    url = "postgres://portal:secret@db.internal:6432/portal_prod"

    # then it names the database, the server and how to make it (never the user or password); a
    # refused connection is no missing database
    assert missing_database(no_database, url) == (
        "The database portal_prod does not exist on the PostgreSQL server at db.internal:6432: create it, "
        "owned by PORTAL_DATABASE_URL's user (`createdb -h db.internal -p 6432 -O <user> portal_prod`), "
        "then run `portal migrate`."
    )
    assert missing_database(ConnectionRefusedError(111, "Connection refused"), url) is None


@pytest.mark.parametrize(
    "refusal",
    [
        asyncpg.InvalidAuthorizationSpecificationError('role "nobody" does not exist'),
        asyncpg.InvalidPasswordError('password authentication failed for user "portal"'),
    ],
)
def test_a_server_refusing_the_user_says_so_in_one_line_without_naming_it(refusal: Exception) -> None:
    # given the error a connection gets when the server will not have the URL's user
    try:
        try:
            raise refusal
        except Exception as refused:
            raise DBConnectionError("Can't establish connection") from refused
    except DBConnectionError as error:
        found = error

    assert missing_database(found, "postgres://nobody:secret@db.internal:6432/portal_prod") == (
        "The PostgreSQL server at db.internal:6432 refused PORTAL_DATABASE_URL's user (no such role, or a "
        "wrong password): check the URL's user and password."
    )
