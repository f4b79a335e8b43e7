"""Outages survived: the database out of reach for a while (a real network cut between the service
and PostgreSQL), on the services engines."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from service.app import create_app
from service.certificates.rules import new_code
from service.settings import Settings
from tests.support.clock import MovableClock
from tests.support.databases import POSTGRES_URL
from tests.support.factories import make_admin, make_partner
from tests.support.graphql_client import token_for
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL over TCP (make test-services)")

VIEWER = {"query": "{ viewer { email } }"}


async def test_a_database_outage_is_a_clear_retryable_error_and_passes_by_itself(
    settings: Settings, clock: MovableClock
) -> None:
    # given the service reaching its database through a link the test can cut
    database = urlsplit(settings.resolved_database_url)
    proxy = TcpProxy(database.hostname or "127.0.0.1", database.port or 5432)
    await proxy.start()
    through_proxy = urlunsplit(database._replace(netloc=f"{database.username}@127.0.0.1:{proxy.port}"))
    application = create_app(settings.model_copy(update={"database_url": through_proxy}), clock=clock)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://portal.test"
        ) as http,
    ):
        admin = await make_admin(await make_partner())
        headers = {"Authorization": f"Bearer {token_for(admin)}"}
        before = await http.post("/graphql", json=VIEWER, headers=headers)

        # when the link is cut
        await proxy.cut()
        during = await http.post("/graphql", json=VIEWER, headers=headers)
        ready_during = await http.get("/readyz")
        pages_during = [
            await http.get(path, headers={"X-Request-ID": f"cut-{number}"})
            for number, path in enumerate([f"/verify/{new_code()}", "/credentials/status/0"])
        ]

        # and comes back
        await proxy.start()
        after = await http.post("/graphql", json=VIEWER, headers=headers)
        ready_after = await http.get("/readyz")
        await proxy.cut()  # let the pool's connections go before the database is dropped
        await proxy.start()

    # then requests fail clearly (no stack trace, a code a client can retry on) and the service
    # recovers by itself, readiness saying so all along
    assert before.json() == {"data": {"viewer": {"email": admin.email}}}
    body = during.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert (error["message"], error["extensions"]["code"], error["extensions"]["retryable"]) == (
        "The service cannot reach its database just now. Please try again in a moment.",
        "SERVICE_UNAVAILABLE",
        True,
    )
    assert "Traceback" not in during.text and "asyncpg" not in during.text
    assert (ready_during.status_code, ready_during.json()) == (
        503,
        {
            "status": "unavailable",
            "database": "down",
            "events": "up" if settings.pubsub_url else "in-process",
        },
    )
    # the pages outside GraphQL (verification, the credentials' status list) say the same: an outage
    # to wait out, not an unexpected error
    assert [(page.status_code, page.headers.get("retry-after"), page.text) for page in pages_during] == [
        (
            503,
            "5",
            f"The service cannot reach its database just now; try again shortly (request cut-{number}).",
        )
        for number in range(2)
    ]
    assert after.json() == {"data": {"viewer": {"email": admin.email}}}
    assert (ready_after.status_code, ready_after.json()) == (
        200,
        {"status": "ok", "database": "up", "events": "up" if settings.pubsub_url else "in-process"},
    )
