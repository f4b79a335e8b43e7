"""Health: /healthz says the process is alive, /readyz that the database answers (and whether the
Redis that events go through does: "degraded", not unready, when it does not)."""

import shutil
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import connections

from service.app import create_app
from service.settings import Settings
from tests.support.private_servers import PrivateRedis, private_redis


def _events(settings: Settings) -> str:
    return "up" if settings.pubsub_url else "in-process"


async def test_healthz_answers_ok(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")

    assert (response.status_code, response.text) == (200, "ok")


async def test_readyz_reports_the_database_up(http: httpx.AsyncClient, settings: Settings) -> None:
    response = await http.get("/readyz")

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "database": "up", "events": _events(settings)},
    )


async def test_readyz_reports_the_database_down(
    app: Starlette, http: httpx.AsyncClient, settings: Settings
) -> None:
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
    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "database": "down", "events": _events(settings)},
    )


@pytest.fixture
async def ready(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, PrivateRedis]]:
    """The app with its events through a Redis of the test's own, and that Redis."""
    with private_redis() as redis:
        application = create_app(settings.model_copy(update={"pubsub_url": redis.url}))
        async with (
            application.router.lifespan_context(application),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=application), base_url="http://portal.test"
            ) as http,
        ):
            yield http, redis


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server for a Redis of its own")
async def test_readyz_says_degraded_while_the_events_redis_is_away_and_ok_when_it_is_back(
    ready: tuple[httpx.AsyncClient, PrivateRedis],
) -> None:
    http, redis = ready
    before = await http.get("/readyz")

    # when the events' Redis stops, then starts again
    redis.stop()
    during = await http.get("/readyz")
    redis.start()
    after = await http.get("/readyz")

    # then the process stays in rotation (200) and says what is missing meanwhile
    answers = [(response.status_code, response.json()) for response in (before, during, after)]
    assert answers == [
        (200, {"status": "ok", "database": "up", "events": "up"}),
        (200, {"status": "degraded", "database": "up", "events": "down"}),
        (200, {"status": "ok", "database": "up", "events": "up"}),
    ]
