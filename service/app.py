"""The Starlette app: GraphQL over HTTP and WebSocket, GraphiQL, health checks, the example dashboard."""

from __future__ import annotations

import contextlib
import contextvars
import gc
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import get_operation_ast
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UnsetType
from tortoise import connections
from tortoise.context import TortoiseContext

from service.clock import Clock, SystemClock
from service.database import open_database
from service.events import bus
from service.graphql.core.context import UNAUTHENTICATED, Context, Unauthenticated
from service.graphql.core.extensions.documents import admitted
from service.graphql.core.websockets import LegacyWebSocketHandler, TransportWebSocketHandler
from service.graphql.schema import schema
from service.observability.logs import current_request_id
from service.observability.metrics import Metrics
from service.settings import Settings, get_settings
from service.web.body_limit import BodyLimit
from service.web.credentials import credential_routes
from service.web.downloads import file_routes
from service.web.header_limit import HeaderLimit
from service.web.observability import RequestObservability, metrics_page
from service.web.pages import GRAPHIQL, page_routes
from service.web.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from service.web.verify_page import verification_page
from workers.broker import QueueWatch
from workers.embedded import running_jobs

logger = logging.getLogger("service")


GRAPHQL_RESPONSE = "application/graphql-response+json"
# What the response to the current request should be: set while the result is processed (each
# request runs in its own task, so its own copy), read when the response is made.
_answer: contextvars.ContextVar[tuple[str, int]] = contextvars.ContextVar("answer")


SUBSCRIPTIONS_OVER_WEBSOCKET = (
    "Subscriptions run over a WebSocket (graphql-transport-ws) at /graphql, not over plain HTTP."
)


async def operation_type(query: str, operation_name: str | None, settings: Settings) -> str | None:
    """None when the document does not say (the schema's own parsing then gives the error). The
    document is parsed once, off the event loop, and remembered for the schema (DocumentGate)."""
    found = await admitted(query, settings)
    operation = None if found.document is None else get_operation_ast(found.document, operation_name)
    return None if operation is None else operation.operation.value


MAX_JSON_NESTING = 64
NESTED_TOO_DEEPLY = f"The request body is nested more than {MAX_JSON_NESTING} levels deep."


class NestedTooDeeply(json.JSONDecodeError):
    def __init__(self) -> None:
        super().__init__(NESTED_TOO_DEEPLY, "", 0)


def _nesting(value: object) -> int:
    """How deeply a decoded JSON value nests (without recursion: it may be nested ~1,000 deep)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_NESTING:
                break
            children = current.values() if isinstance(current, dict) else current
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _only_unauthenticated(result: ExecutionResult) -> bool:
    """Refused before validation for want of a sign-in: answered as it always was once executed,
    data null with a 200, so a page signing in can tell it from a broken request."""
    codes = {(error.extensions or {}).get("code") for error in result.errors or []}
    return codes == {UNAUTHENTICATED}


class GraphQLApp(GraphQL[Context, None]):
    """GraphQL over HTTP: `application/graphql-response+json` for clients that accept it, with the
    specification's statuses (a document that cannot be parsed or is not valid: 400, and no
    `data`); `application/json`, always 200, for the others."""

    graphql_ws_handler_class = LegacyWebSocketHandler
    graphql_transport_ws_handler_class = TransportWebSocketHandler

    def __init__(self, settings: Settings, clock: Clock, verify_limiter: RateLimiter) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphql_explorer else None,
            allow_queries_via_get=True,
            connection_init_wait_timeout=timedelta(seconds=settings.connection_init_seconds),
            max_subscriptions_per_connection=settings.max_subscriptions_per_socket,
            # A browser page from elsewhere may not open the WebSocket (no Origin: not a browser).
            allowed_origins=settings.browser_origins(),
            # File uploads (template images) by the GraphQL multipart request specification. A
            # cross-site HTML form can send a multipart request without a CORS preflight, which is
            # cross-site request forgery where a cookie signs in; here only an Authorization: Bearer
            # header does, which no such form can send, so its request is anonymous and refused.
            # Its size: PORTAL_MAX_UPLOAD_BYTES (BodyLimit).
            multipart_uploads_enabled=True,
        )
        self.settings = settings
        self.clock = clock
        self.verify_limiter = verify_limiter

    def decode_json(self, data: str | bytes) -> object:
        """JSON nested deeper than any request needs is not taken (and JSON nested past Python's own
        recursion limit is not a crash), over HTTP and on a WebSocket alike (where it counts as a
        message that is not JSON)."""
        try:
            decoded = json.loads(data)
        except RecursionError as error:
            raise NestedTooDeeply from error
        if _nesting(decoded) > MAX_JSON_NESTING:
            raise NestedTooDeeply
        return decoded

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return super().parse_json(data)
        except HTTPException as error:
            if isinstance(error.__cause__, NestedTooDeeply):
                raise HTTPException(400, NESTED_TOO_DEEPLY) from error
            raise

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        try:
            parsed = await super().parse_http_body(request)
        except AttributeError as error:  # a JSON number or string: not a request
            raise HTTPException(400, "The request body must be a JSON object.") from error
        for item in parsed if isinstance(parsed, list) else [parsed]:
            if not isinstance(item.operation_name, str | None):
                raise HTTPException(
                    400, "The GraphQL operation's `operationName` must be a string or null, if provided."
                )
        return parsed

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if GRAPHQL_RESPONSE not in request.headers.get("accept", ""):
            _answer.set(("application/json", 200))
        elif isinstance(result, PreExecutionError) and not _only_unauthenticated(result):
            processed.pop("data", None)  # a request error: nothing was executed
            _answer.set((GRAPHQL_RESPONSE, 400))
        else:
            _answer.set((GRAPHQL_RESPONSE, 200))
        return processed

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """A mutation sent with GET: 405, as the GraphQL-over-HTTP specification asks (not 400); a
        subscription sent over plain HTTP: 405 too, naming the WebSocket it needs."""
        kind = await operation_type(request_data.query or "", request_data.operation_name, self.settings)
        if kind == "subscription":
            raise HTTPException(405, SUBSCRIPTIONS_OVER_WEBSOCKET)
        try:
            return await super().execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )
        except HTTPException as error:
            if request_adapter.method == "GET" and "not allowed" in error.reason:
                raise HTTPException(405, error.reason) from error
            raise

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type, status = _answer.get(("application/json", 200))
        response.headers["content-type"] = media_type
        if not sub_response.status_code:
            response.status_code = status
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page, with its scripts served by this app rather than a public CDN."""
        return GRAPHIQL.response()

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            request=request,
            settings=self.settings,
            authorization=request.headers.get("authorization"),
            # The id the request's log lines carry (RequestObservability set it).
            request_id=current_request_id() or uuid.uuid4().hex,
            clock=self.clock,
            verify_limiter=self.verify_limiter,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """WebSockets sign in with ``{"authorization": "Bearer …"}`` in ``connection_init`` (browsers
        cannot set headers on a WebSocket); a socket without a valid token is closed with 4403."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        # Header names are case-insensitive, and GraphiQL sends its headers editor as typed.
        given = {str(key).lower(): value for key, value in params.items()}
        authorization = given.get("authorization") or context.authorization
        context.authorization = authorization if isinstance(authorization, str) else None
        try:
            await context.actor()
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": error.message}) from error
        return UnsetType()  # no payload in the acknowledgement


_frozen = False


# A request frees what it made by reference counting (it leaves no cycles: issue 19), so the
# collector's young pass, run every 700 net allocations by default (three times a dashboard request),
# only walked the objects of the requests still running: with 5,000, about never at one client.
YOUNG_COLLECTION_THRESHOLD = 5000


def _freeze_startup_objects() -> None:
    """Once per process, when the app has started: what exists then (modules, the schema, settings)
    lives as long as the process, so the garbage collector's full passes need not walk it again.
    Without this a full pass during a request walked every object of the process: ~15 ms, one
    request in three, under load (issue 19)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older, oldest)


async def healthz(_: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(_: Request) -> Response:
    """503 while the database does not answer: nothing can be served. The events' Redis only says
    "degraded" (200): requests are served, and subscribers read again every few seconds, so a
    process is not taken out of rotation for it."""
    events = await bus.state()
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as error:  # any failure of the database means "not ready"
        logger.warning("readiness check failed: %s", error)
        return JSONResponse({"status": "unavailable", "database": "down", "events": events}, status_code=503)
    return JSONResponse(
        {"status": "degraded" if events == "down" else "ok", "database": "up", "events": events}
    )


def _verify_limiter(settings: Settings) -> RateLimiter:
    """Counted in Redis when the processes share a Redis event bus (several API processes), else here."""
    if settings.pubsub_url.startswith(("redis://", "rediss://")):
        return RedisRateLimiter(
            settings.pubsub_url, prefix=settings.namespace, limit=settings.verify_per_minute
        )
    return MemoryRateLimiter(limit=settings.verify_per_minute)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Starlette:
    """The ASGI app; the lifespan opens the database and closes it on shutdown."""
    settings = settings or get_settings()
    clock = clock or SystemClock()
    verify_limiter = _verify_limiter(settings)
    allowed_origins = settings.browser_origins()
    graphql_app = GraphQLApp(settings, clock, verify_limiter)
    metrics, queues = Metrics(), QueueWatch()

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        database: TortoiseContext = await open_database(
            settings.resolved_database_url, migrate_makes_folder=not settings.database_url
        )
        try:
            async with contextlib.AsyncExitStack() as stack:
                if settings.pubsub_url:
                    await stack.enter_async_context(
                        bus.relaying(settings.pubsub_url, prefix=settings.namespace)
                    )
                if isinstance(verify_limiter, RedisRateLimiter):
                    stack.push_async_callback(verify_limiter.close)
                jobs = await stack.enter_async_context(running_jobs(settings, clock, metrics=metrics))
                queues.watch(jobs.broker, settings.namespace)
                _freeze_startup_objects()
                yield
        finally:
            metrics.process_stopped()
            await database.close_connections()

    application = Starlette(
        middleware=[
            Middleware(RequestObservability, metrics=metrics),
            Middleware(HeaderLimit, limit=settings.max_header_bytes),
            Middleware(
                CORSMiddleware,
                allow_origins=allowed_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
                expose_headers=["X-Request-ID"],  # a page can quote it to support
                max_age=600,
            ),
            Middleware(
                BodyLimit,
                limit=settings.max_request_bytes,
                upload_limit=settings.max_upload_bytes,
                paths=("/graphql",),
            ),
        ],
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_page(settings, metrics, queues.live_figures)),
            *file_routes(settings, clock),
            *credential_routes(settings, clock, verify_limiter),
            Route("/verify/{code}", verification_page(clock, verify_limiter)),
            *page_routes(),
        ],
        lifespan=lifespan,
    )
    application.state.metrics = metrics  # for the GraphQL extension, which sees only the request
    return application
