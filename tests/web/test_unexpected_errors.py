"""Nothing is ever a bare 500: an error escaping a route, even a CancelledError from work it
awaited, is answered with the request id its log line carries."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.observability.metrics import Metrics
from service.web.observability import RequestObservability


async def _cancelled_inside(_: Request) -> Response:
    shared: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    shared.cancel()  # as when another waiter's cancellation cancels a shared future
    await shared
    return Response("never")


async def test_a_cancelled_error_from_inside_is_answered_with_the_request_id() -> None:
    application = Starlette(
        routes=[Route("/broken", _cancelled_inside)],
        middleware=[Middleware(RequestObservability, metrics=Metrics())],
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://t") as http:
        response = await http.get("/broken", headers={"X-Request-ID": "req-1"})

    assert (response.status_code, response.text) == (500, "Unexpected error (request req-1).")
    assert response.headers["x-request-id"] == "req-1"
