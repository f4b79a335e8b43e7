"""Abusive operations refused before they run: each limit with an operation just under it and one
just over it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from service.app import create_app
from service.settings import Settings
from tests.support.clock import MovableClock
from tests.support.factories import make_admin, make_partner
from tests.support.graphql_client import token_for
from tests.support.live_server import serving, subscriber

# recognitions 1, edges 2, node 3, cohorts 4, program 5, certificateType 6, name 7
DEPTH_7 = "{ recognitions(first: 5) { edges { node { cohorts { program { certificateType { name } } } } } } }"
# recognitions 1, edges 2, node 3, cohorts 4, program 5, cohorts 6, program 7, name 8
DEPTH_8 = (
    "{ recognitions(first: 5) { edges { node { cohorts { program { cohorts { program { name } } } } } } } }"
)
# 1 + 5 × (edges 1 + node 1 + name 1) = 16
COST_16 = "{ recognitions(first: 5) { edges { node { name } } } }"


@asynccontextmanager
async def _client(settings: Settings, clock: MovableClock, **limits: int) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings.model_copy(update=limits), clock=clock)
    transport = httpx.ASGITransport(app=application)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http,
    ):
        admin = await make_admin(await make_partner())
        http.headers["Authorization"] = f"Bearer {token_for(admin)}"
        yield http


async def _post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = (
        await http.post("/graphql", json={"query": query, "variables": variables or {}})
    ).json()
    return body


def _refusals(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            error["extensions"]["code"],
            error["extensions"]["limit"],
            error["extensions"]["found"],
            error["message"],
        )
        for error in body.get("errors", [])
    ]


async def test_depth(settings: Settings, clock: MovableClock) -> None:
    async with _client(settings, clock, max_query_depth=7) as http:
        at_limit = await _post(http, DEPTH_7)
        over = await _post(http, DEPTH_8)

    assert at_limit == {"data": {"recognitions": {"edges": []}}}
    assert over["data"] is None
    assert _refusals(over) == [
        ("QUERY_TOO_DEEP", 7, 8, "The operation is 8 levels deep; at most 7 are allowed.")
    ]


async def test_depth_counts_fragments(settings: Settings, clock: MovableClock) -> None:
    query = """{ recognitions(first: 5) { ...Rows } }
      fragment Rows on RecognitionConnection { edges { node { cohorts { ...Deep } } } }
      fragment Deep on Cohort { program { cohorts { program { name } } } }"""
    async with _client(settings, clock, max_query_depth=7) as http:
        over = await _post(http, query)

    assert [refusal[:3] for refusal in _refusals(over)] == [("QUERY_TOO_DEEP", 7, 8)]


async def test_aliases(settings: Settings, clock: MovableClock) -> None:
    async with _client(settings, clock, max_aliases=2) as http:
        at_limit = await _post(http, "{ a: viewer { email } b: viewer { email } }")
        over = await _post(http, "{ a: viewer { email } b: viewer { email } c: viewer { email } }")

    assert list(at_limit["data"]) == ["a", "b"]
    assert _refusals(over) == [
        ("TOO_MANY_ALIASES", 2, 3, "The operation has 3 aliases; at most 2 are allowed.")
    ]


async def test_cost_multiplies_by_the_page_asked_for(settings: Settings, clock: MovableClock) -> None:
    async with _client(settings, clock, max_query_cost=16) as http:
        at_limit = await _post(http, COST_16)
        over = await _post(http, COST_16.replace("{ name }", "{ name id }"))  # 1 + 5 × 4 = 21
        variable = await _post(
            http, "query($n: Int!) { recognitions(first: $n) { edges { node { name } } } }", {"n": 1}
        )

    assert at_limit == {"data": {"recognitions": {"edges": []}}}
    assert [refusal[:3] for refusal in _refusals(over)] == [("QUERY_TOO_COSTLY", 16, 21)]
    # A page size in a variable counts as the largest page (100): 1 + 100 × 3.
    assert [refusal[:3] for refusal in _refusals(variable)] == [("QUERY_TOO_COSTLY", 16, 301)]


async def test_tokens(settings: Settings, clock: MovableClock) -> None:
    async with _client(settings, clock, max_query_tokens=6) as http:
        at_limit = await _post(http, "{ viewer { email } }")  # { viewer { email } }: 6 tokens
        over = await _post(http, "{ viewer { email name } }")

    assert list(at_limit["data"]) == ["viewer"]
    assert over["data"] is None
    assert [error["message"].splitlines()[0] for error in over["errors"]] == [
        "Syntax Error: Document contains more than 6 tokens. Parsing aborted."
    ]


async def test_request_body_size(settings: Settings, clock: MovableClock) -> None:
    def body(padding: int) -> bytes:
        return json.dumps({"query": "{ viewer { email } }", "x": "." * padding}).encode()

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for chunk in (body(400)[:100], body(400)[100:]):
            yield chunk

    json_type = {"Content-Type": "application/json"}
    async with _client(settings, clock, max_request_bytes=300) as http:
        fits = await http.post("/graphql", content=body(200), headers=json_type)
        too_big = await http.post("/graphql", content=body(300), headers=json_type)
        chunked = await http.post("/graphql", content=streamed(), headers=json_type)

    assert (len(body(200)), fits.status_code) == (242, 200), fits.text
    assert (too_big.status_code, too_big.json()["errors"][0]["extensions"]) == (
        413,
        {"code": "REQUEST_TOO_LARGE", "limit": 300},
    )
    assert chunked.status_code == 413


async def test_the_default_limits_let_a_dashboard_through(settings: Settings, clock: MovableClock) -> None:
    dashboard = """{ recognitions(first: 50) { edges { node { id name status availableActions
      cohorts { name endsOn program { name certificateType { name } } }
      lastCertificateFile { status done total file { pageCount } } } } } }"""
    async with _client(settings, clock) as http:
        body = await _post(http, dashboard)

    assert body == {"data": {"recognitions": {"edges": []}}}


async def test_a_websocket_that_never_signs_in_is_closed(settings: Settings, clock: MovableClock) -> None:
    application = create_app(settings.model_copy(update={"connection_init_seconds": 0.3}), clock=clock)
    async with (
        serving(application) as url,
        connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]) as socket,  # type: ignore[list-item]
    ):
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)

    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4408, "Connection initialisation timeout")  # type: ignore[union-attr]


async def test_the_default_limits_let_graphiql_introspect(settings: Settings, clock: MovableClock) -> None:
    async with _client(settings, clock) as http:
        body = await _post(http, get_introspection_query(descriptions=True))

    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_with_the_explorer_off_the_schema_is_not_shown(settings: Settings, clock: MovableClock) -> None:
    async with _client(settings, clock, graphql_explorer=False) as http:
        introspection = await _post(http, "{ __schema { queryType { name } } }")
        misspelled = await _post(http, "{ viewer { emial } }")
        page = await http.get("/graphql", headers={"Accept": "text/html"})
    async with _client(settings, clock) as http:
        explained = await _post(http, "{ viewer { emial } }")
        explorer = await http.get("/graphql", headers={"Accept": "text/html"})

    assert [error["message"] for error in introspection["errors"]] == [
        "GraphQL introspection has been disabled, but the requested query contained the field '__schema'.",
        "GraphQL introspection has been disabled, but the requested query contained the field 'queryType'.",
    ]
    assert [error["message"] for error in misspelled["errors"]] == [
        "Cannot query field 'emial' on type 'User'."
    ]
    assert [error["message"] for error in explained["errors"]] == [
        "Cannot query field 'emial' on type 'User'. Did you mean 'email'?"
    ]
    assert "graphiql" not in page.text.lower() and page.status_code != 200
    assert (explorer.status_code, "graphiql" in explorer.text.lower()) == (200, True)


LIMIT_REACHED = {
    "message": "Subscription limit reached: this connection is already running 2 operations, the most one "
    "WebSocket may run at once. Complete one before starting another, or open another connection.",
    "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": 2},
}


async def test_subscriptions_per_socket(settings: Settings, clock: MovableClock) -> None:
    application = create_app(settings.model_copy(update={"max_subscriptions_per_socket": 2}), clock=clock)
    updates = "subscription { recognitionActivity { recognition { name } } }"
    async with serving(application) as url:
        admin = await make_admin(await make_partner())
        async with subscriber(url, token_for(admin)) as client:
            # given two subscriptions running, the socket's limit
            for operation in ("1", "2"):
                await client.subscribe(operation, updates)
            # when a third is started
            await client.subscribe("3", updates)
            third = await client.receive(seconds=10)
            # then it is refused with a code; once one completes, there is room for another
            await client.socket.send(json.dumps({"id": "1", "type": "complete"}))
            await client.subscribe("4", "{ viewer { email } }")
            fourth = await client.until_complete("4", seconds=10)

    assert third == {"id": "3", "type": "error", "payload": [LIMIT_REACHED]}
    assert fourth == [
        {"id": "4", "type": "next", "payload": {"data": {"viewer": {"email": admin.email}}}},
        {"id": "4", "type": "complete"},
    ]


async def test_subscriptions_per_legacy_socket(settings: Settings, clock: MovableClock) -> None:
    application = create_app(settings.model_copy(update={"max_subscriptions_per_socket": 2}), clock=clock)
    updates = {"query": "subscription { recognitionActivity { recognition { name } } }"}
    async with serving(application) as url:
        admin = await make_admin(await make_partner())
        async with connect(
            url.replace("http", "ws", 1) + "/graphql", subprotocols=[Subprotocol("graphql-ws")]
        ) as socket:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token_for(admin)}"}}
            await socket.send(json.dumps(init))
            acknowledged = json.loads(await asyncio.wait_for(socket.recv(), 10))
            for operation in ("1", "2", "3"):
                await socket.send(json.dumps({"type": "start", "id": operation, "payload": updates}))
            third = json.loads(await asyncio.wait_for(socket.recv(), 10))

    assert acknowledged == {"type": "connection_ack"}
    assert third == {"type": "error", "id": "3", "payload": LIMIT_REACHED}
