"""Counts the SQL statements sent while a block runs, to prove a request's cost does not grow."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tortoise import connections


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every SQL statement the default connection executes inside the block, in order."""
    client_class = type(connections.get("default"))
    statements: list[str] = []
    originals = {name: getattr(client_class, name) for name in ("execute_query", "execute_query_dict")}

    def counted(original: Any) -> Any:
        async def run(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            statements.append(query)
            return await original(self, query, *args, **kwargs)

        return run

    for name, original in originals.items():
        setattr(client_class, name, counted(original))
    try:
        yield statements
    finally:
        for name, original in originals.items():
            setattr(client_class, name, original)
