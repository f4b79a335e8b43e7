"""Whether a database error means an outage (the API then answers SERVICE_UNAVAILABLE) or a fault
of the request: only a connection that cannot be made or is gone is an outage."""

from __future__ import annotations

import socket

import asyncpg
import pytest

from service.database import is_unreachable
from tests.support.databases import POSTGRES_URL

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
