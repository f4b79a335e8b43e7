"""What the service sends and takes in headers: the /verify page's policy, and request headers over
a size refused before anything reads them."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from service.app import create_app
from service.settings import Settings
from service.web.verify_page import STYLE_HASH
from tests.support.clock import MovableClock
from tests.support.live_server import serving


async def test_the_verify_page_sends_a_policy_and_nosniff(http: httpx.AsyncClient) -> None:
    response = await http.get("/verify/NOPE-NOPE")

    assert response.status_code == 404
    assert response.headers["content-security-policy"] == (
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_a_megabyte_authorization_header_is_refused_before_it_is_read(
    http: httpx.AsyncClient, app: Starlette
) -> None:
    big = {"Authorization": "Bearer " + "x" * 1_000_000}

    refused = await http.post("/graphql", json={"query": "{ viewer { id } }"}, headers=big)
    fits = await http.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": "Bearer x"}
    )

    assert (refused.status_code, refused.json()) == (
        431,
        {
            "errors": [
                {
                    "message": "The request headers are larger than 16384 bytes.",
                    "extensions": {"code": "HEADERS_TOO_LARGE", "limit": 16384},
                }
            ]
        },
    )
    assert refused.headers["x-request-id"]  # counted and logged like any request
    assert fits.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_websocket_with_oversized_headers_is_refused(settings: Settings, clock: MovableClock) -> None:
    application = create_app(settings.model_copy(update={"max_header_bytes": 2_000}), clock=clock)
    async with serving(application) as url:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                url.replace("http", "ws", 1) + "/graphql",
                additional_headers={"X-Padding": "x" * 3_000},
            ):
                await asyncio.sleep(0)

    assert refused.value.response.status_code == 403
