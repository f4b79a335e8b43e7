"""Each HTTP request: its request id (the client's X-Request-ID when sane, else a new one, sent back
in the response), one log line, and its count in the metrics; and the /metrics page."""

from __future__ import annotations

import asyncio
import hmac
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Mapping

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.database import is_unreachable
from service.observability.logs import fields, noting, request_id_from, request_id_set
from service.observability.metrics import LiveFigures, Metrics
from service.settings import Settings

logger = logging.getLogger("service.requests")

REQUEST_ID_HEADER = "x-request-id"
RETRY_AFTER_SECONDS = 5
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _cancelled_from_outside() -> bool:
    """Whether this request's own task is being cancelled (the client went, the server stops), as
    opposed to a CancelledError escaping from some awaited work inside it: an error like another."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _answer_error(scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
    """A database that cannot be reached just now is an outage, not a fault: 503 with Retry-After,
    which verifiers, caches and downloads can wait out, and a warning instead of a traceback."""
    error = sys.exc_info()[1]
    if error is not None and is_unreachable(error):
        logger.warning(
            "database unreachable in %s %s (%s)", scope["method"], scope["path"], type(error).__name__
        )
        answer = PlainTextResponse(
            f"The service cannot reach its database just now; try again shortly (request {request_id}).",
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    else:
        logger.exception("unexpected error in %s %s", scope["method"], scope["path"])
        answer = PlainTextResponse(f"Unexpected error (request {request_id}).", status_code=500)
    await answer(scope, receive, send)


class RequestObservability:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(REQUEST_ID_HEADER))
        if scope["type"] == "websocket":
            with request_id_set(request_id):  # logs of the socket's life carry it
                await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0  # until a response starts

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with request_id_set(request_id), noting({}) as notes:
            try:
                await self.app(scope, receive, answer)
            except (Exception, asyncio.CancelledError):
                if status or _cancelled_from_outside():  # the server ends the connection
                    raise
                # Answered here rather than by Starlette's own 500, so it carries the request id
                # that the log line of the error carries too.
                await _answer_error(scope, receive, answer, request_id)
            finally:
                self._record(scope, status or 500, time.perf_counter() - started, notes)

    def _record(self, scope: Scope, status: int, seconds: float, notes: Mapping[str, object]) -> None:
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        route = getattr(scope.get("route"), "path", None) or "unmatched"  # a template: no ids in labels
        self.metrics.http_requests.labels(method, route, str(status)).inc()
        logger.info(
            "%s %s %s",
            method,
            route,
            status,
            extra=fields(
                method=method,
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 1),
                operation=notes.get("operation"),
            ),
        )


def metrics_page(
    settings: Settings, metrics: Metrics, live: Callable[[], Awaitable[LiveFigures]]
) -> Callable[[Request], Awaitable[Response]]:
    """Prometheus' text format; behind a bearer token when PORTAL_METRICS_TOKEN is set."""
    expected = f"Bearer {settings.metrics_token}".encode()

    async def page(request: Request) -> Response:
        if settings.metrics_token:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return PlainTextResponse("A bearer token is needed.", status_code=401)
        return Response(metrics.exposition(await live()), media_type=CONTENT_TYPE_LATEST)

    return page
