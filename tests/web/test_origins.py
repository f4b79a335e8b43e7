"""Which browser pages may use the API: CORS for HTTP, the Origin check for WebSockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

from service.app import create_app
from service.settings import Settings
from tests.support.clock import MovableClock
from tests.support.live_server import serving

PORTAL = "https://portal.example.edu"


@pytest.fixture
async def url(settings: Settings, clock: MovableClock) -> AsyncIterator[str]:
    application = create_app(settings.model_copy(update={"allowed_origins": [PORTAL]}), clock=clock)
    async with serving(application) as address:
        yield address


async def _preflight(url: str, origin: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.options(
            f"{url}/graphql",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )


async def test_cors_answers_allowed_origins_only(url: str) -> None:
    allowed = await _preflight(url, PORTAL)
    public = await _preflight(url, "http://127.0.0.1:8000")  # PORTAL_PUBLIC_URL's origin
    other = await _preflight(url, "https://evil.example")

    assert (allowed.status_code, allowed.headers["access-control-allow-origin"]) == (200, PORTAL)
    assert "x-request-id" in allowed.headers["access-control-allow-headers"].lower()
    assert public.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers


async def test_a_page_may_send_and_read_the_request_id(url: str) -> None:
    # when
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{url}/healthz", headers={"Origin": PORTAL, "X-Request-ID": "page-7"})

    # then: the browser lets the page's script read it, to quote it to support
    assert (answer.headers["x-request-id"], answer.headers["access-control-expose-headers"]) == (
        "page-7",
        "X-Request-ID",
    )


@pytest.mark.parametrize("origin", [PORTAL, None, "same host"])
async def test_a_websocket_from_an_allowed_page_or_no_browser_opens(url: str, origin: str | None) -> None:
    headers = {"Origin": url if origin == "same host" else origin} if origin else {}
    async with connect(
        url.replace("http", "ws") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
    ) as socket:
        assert socket.subprotocol == "graphql-transport-ws"


async def test_a_websocket_from_another_page_is_refused(url: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            url.replace("http", "ws") + "/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
            additional_headers={"Origin": "https://evil.example"},
        ):
            pass

    assert refused.value.response.status_code == 403
