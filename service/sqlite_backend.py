"""The embedded mode's SQLite, made to take concurrent saves: the API process and its worker threads
each hold a connection to one file, so writers must queue rather than fail.

- WAL (Tortoise's default, kept): readers never wait for the writer, nor the writer for readers.
- A busy timeout: a writer waits up to ``BUSY_TIMEOUT_MS`` for the one write lock instead of
  answering "database is locked" at once.
- ``BEGIN IMMEDIATE`` for every transaction: a transaction takes the write lock when it begins
  (waiting its turn under the busy timeout). SQLite's default, ``BEGIN DEFERRED``, reads first and
  asks for the lock at its first write; if another connection wrote in between, its snapshot is
  stale and SQLite refuses at once, whatever the timeout (SQLITE_BUSY_SNAPSHOT).

Write transactions are kept short (no drawing or file work inside one), so the queue moves.
This module is a Tortoise engine: ``service.database.tortoise_config`` names it for sqlite URLs.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError

BUSY_TIMEOUT_MS = 30_000
PRAGMAS = {"journal_mode": "WAL", "busy_timeout": BUSY_TIMEOUT_MS, "synchronous": "NORMAL"}


class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise TransactionManagementError(error) from error


class WaitingSqliteClient(SqliteClient):
    """Tortoise's SQLite client whose transactions begin IMMEDIATE, with the pragmas above."""

    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **{**PRAGMAS, **kwargs})

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransaction(self), self._lock)


client_class = WaitingSqliteClient


def get_client_class(db_info: dict[str, Any]) -> type[SqliteClient]:
    return WaitingSqliteClient
