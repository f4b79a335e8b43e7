"""Per-test databases: SQLite files by default; PostgreSQL when PORTAL_TEST_POSTGRES_URL is set.

Either way the schema is built once per run by the migrations into a template, and each test
gets a fresh copy (a file copy, or CREATE DATABASE … TEMPLATE), so tests never see each other.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service.database import migrate

POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Databases:
    template: str
    folder: Path
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def create(cls, folder: Path) -> Databases:
        if POSTGRES_URL:
            databases = cls(template="", folder=folder)
            databases.template = f"portal_test_{databases.run}_template"
            asyncio.run(databases._admin(f'CREATE DATABASE "{databases.template}"'))
            asyncio.run(migrate(with_database(POSTGRES_URL, databases.template)))
            return databases
        path = folder / "template.sqlite3"
        asyncio.run(migrate(f"sqlite://{path}"))
        return cls(template=str(path), folder=folder)

    def fresh(self, tmp_path: Path) -> str:
        """A new database with the migrated schema; its URL."""
        if POSTGRES_URL:
            name = f"portal_test_{self.run}_{next(self._numbers)}"
            asyncio.run(self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
            return with_database(POSTGRES_URL, name)
        database = tmp_path / "portal.sqlite3"
        shutil.copyfile(self.template, database)
        return f"sqlite://{database}"

    def drop_all(self) -> None:
        if POSTGRES_URL:
            asyncio.run(self._drop_run_databases())

    async def _admin(self, statement: str) -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def _drop_run_databases(self) -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            names = await connection.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1", f"portal_test_{self.run}_%"
            )
            for row in names:
                await connection.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
        finally:
            await connection.close()
