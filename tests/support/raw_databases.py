"""A database as a test writes and reads it without the service (as an older version left it): its
tables' columns, rows put in and read back as they are stored, and its schema as the engine's
catalog has it. SQLite files, and PostgreSQL databases."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import asyncpg

Row = tuple[str, dict[str, object]]  # a table and a row's values by column


def sqlite_schema(path: Path) -> dict[str, object]:
    """Tables with their columns, indexes with their columns and uniqueness, foreign keys. Columns by
    name: a column added by a later migration comes last, which changes nothing the code sees."""
    with sqlite3.connect(path) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name != 'tortoise_migrations' ORDER BY name"
            )
        ]
        schema: dict[str, object] = {}
        for table in tables:
            columns = sorted(row[1:6] for row in connection.execute(f"PRAGMA table_info('{table}')"))
            indexes = sorted(
                (bool(unique), tuple(info[2] for info in connection.execute(f"PRAGMA index_info('{name}')")))
                for _, name, unique, *_ in connection.execute(f"PRAGMA index_list('{table}')")
            )
            foreign_keys = sorted(
                row[2:7] for row in connection.execute(f"PRAGMA foreign_key_list('{table}')")
            )
            schema[table] = {"columns": columns, "indexes": indexes, "foreign_keys": foreign_keys}
        return schema


class SqliteFile:
    def __init__(self, url: str) -> None:
        self.path = Path(url.removeprefix("sqlite://"))

    async def columns(self) -> dict[str, list[str]]:
        """Each table's columns, in order."""
        with sqlite3.connect(self.path) as connection:
            tables = [
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {
                table: [row[1] for row in connection.execute(f"PRAGMA table_info('{table}')")]
                for table in tables
            }

    async def insert(self, rows: list[Row]) -> None:
        with sqlite3.connect(self.path) as connection:
            for table, row in rows:
                names = ", ".join(f'"{name}"' for name in row)
                marks = ", ".join("?" for _ in row)
                connection.execute(
                    f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                    [_as_stored(value) for value in row.values()],
                )

    async def select(self, table: str, columns: list[str]) -> list[tuple[object, ...]]:
        """The columns of every row, by id."""
        names = ", ".join(f'"{name}"' for name in columns)
        with sqlite3.connect(self.path) as connection:
            return list(connection.execute(f'SELECT {names} FROM "{table}" ORDER BY id'))

    async def schema(self) -> dict[str, object]:
        return sqlite_schema(self.path)


def _as_stored(value: object) -> object:
    """As Tortoise stores it on SQLite."""
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class PostgresDatabase:
    def __init__(self, url: str) -> None:
        self.url = url

    async def columns(self) -> dict[str, list[str]]:
        """Each table's columns, in order."""
        rows = await self._fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        )
        columns: dict[str, list[str]] = {}
        for row in rows:
            columns.setdefault(row["table_name"], []).append(row["column_name"])
        return columns

    async def insert(self, rows: list[Row]) -> None:
        connection = await asyncpg.connect(self.url)
        try:
            async with connection.transaction():
                for table, row in rows:
                    names = ", ".join(f'"{name}"' for name in row)
                    marks = ", ".join(f"${number}" for number in range(1, len(row) + 1))
                    await connection.execute(
                        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', *row.values()
                    )
                # as if the service had made the rows: each table's next key follows them
                for table in {table for table, _ in rows}:
                    await connection.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM \"{table}\""
                    )
        finally:
            await connection.close()

    async def select(self, table: str, columns: list[str]) -> list[tuple[object, ...]]:
        """The columns of every row, by id."""
        names = ", ".join(f'"{name}"' for name in columns)
        return [tuple(row) for row in await self._fetch(f'SELECT {names} FROM "{table}" ORDER BY id')]

    async def schema(self) -> dict[str, object]:
        """Tables with their columns, indexes with their columns and uniqueness, and the constraints
        that are no index (foreign keys, checks), as PostgreSQL's catalog has them."""
        columns = await self._fetch(
            "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, "
            "numeric_scale, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name != 'tortoise_migrations'"
        )
        indexes = await self._fetch(
            "SELECT t.relname AS table_name, i.indisunique AS is_unique, "
            "array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(number, place) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.number ORDER BY k.place) AS columns "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_namespace s ON s.oid = t.relnamespace "
            "WHERE s.nspname = 'public' AND t.relname != 'tortoise_migrations'"
        )
        constraints = await self._fetch(
            "SELECT c.conrelid::regclass::text AS table_name, pg_get_constraintdef(c.oid) AS definition "
            "FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace "
            "WHERE s.nspname = 'public' AND c.contype NOT IN ('p', 'u') "
            "AND c.conrelid::regclass::text != 'tortoise_migrations'"
        )
        schema: dict[str, dict[str, list[tuple[object, ...]]]] = {}
        for row in columns:
            table = schema.setdefault(row["table_name"], {"columns": [], "indexes": [], "constraints": []})
            table["columns"].append(tuple(row)[1:])
        for row in indexes:
            schema[row["table_name"]]["indexes"].append((row["is_unique"], tuple(row["columns"])))
        for row in constraints:
            schema[row["table_name"]]["constraints"].append((row["definition"],))
        return {
            name: {part: sorted(items) for part, items in table.items()}
            for name, table in sorted(schema.items())
        }

    async def _fetch(self, query: str) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.url)
        try:
            return list(await connection.fetch(query))
        finally:
            await connection.close()


def raw_database(url: str) -> SqliteFile | PostgresDatabase:
    return SqliteFile(url) if url.startswith("sqlite://") else PostgresDatabase(url)
