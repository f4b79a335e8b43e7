"""Health: /healthz says the process is alive, /readyz that the database answers."""

import httpx
from starlette.applications import Starlette
from tortoise import connections


async def test_healthz_answers_ok(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")

    assert (response.status_code, response.text) == (200, "ok")


async def test_readyz_reports_the_database_up(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")

    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "up"})


async def test_readyz_reports_the_database_down(app: Starlette, http: httpx.AsyncClient) -> None:
    # given a connection whose every query fails, as when the database is unreachable
    connection = connections.get("default")

    async def unreachable(*_: object) -> None:
        raise ConnectionRefusedError("database unreachable")

    original = connection.execute_query
    connection.execute_query = unreachable
    try:
        # when
        response = await http.get("/readyz")
    finally:
        connection.execute_query = original

    # then
    assert (response.status_code, response.json()) == (503, {"status": "unavailable", "database": "down"})
