"""WebSockets keep the HTTP rules: no field suggestions while the explorer is off, and the legacy
`graphql-ws` subprotocol closes a refused sign-in with 4403 and a silent socket with 4408."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from service.app import create_app
from service.settings import Settings
from tests.support.clock import MovableClock
from tests.support.factories import make_admin, make_partner
from tests.support.graphql_client import token_for
from tests.support.live_server import serving, subscriber

MISSPELLED = "{ viewer { emial } }"
LEGACY = [Subprotocol("graphql-ws")]


async def test_no_suggestions_over_a_websocket_with_the_explorer_off(
    settings: Settings, clock: MovableClock
) -> None:
    application = create_app(settings.model_copy(update={"graphql_explorer": False}), clock=clock)
    async with serving(application) as url:
        admin = await make_admin(await make_partner())
        async with subscriber(url, token_for(admin)) as client:
            await client.subscribe("1", MISSPELLED)
            [answer] = await client.until_complete("1", seconds=10)

    assert answer == {
        "id": "1",
        "type": "error",
        "payload": [
            {
                "message": "Cannot query field 'emial' on type 'User'.",
                "locations": [{"line": 1, "column": 12}],
            }
        ],
    }


async def test_suggestions_over_a_websocket_with_the_explorer_on(
    settings: Settings, clock: MovableClock
) -> None:
    async with serving(create_app(settings, clock=clock)) as url:
        admin = await make_admin(await make_partner())
        async with subscriber(url, token_for(admin)) as client:
            await client.subscribe("1", MISSPELLED)
            [answer] = await client.until_complete("1", seconds=10)

    assert (
        answer["payload"][0]["message"] == "Cannot query field 'emial' on type 'User'. Did you mean 'email'?"
    )


async def test_a_refused_sign_in_on_graphql_ws_closes_with_4403(
    settings: Settings, clock: MovableClock
) -> None:
    async with (
        serving(create_app(settings, clock=clock)) as url,
        connect(url.replace("http", "ws", 1) + "/graphql", subprotocols=LEGACY) as socket,
    ):
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
        )
        refusal = json.loads(await asyncio.wait_for(socket.recv(), 10))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)

    assert refusal == {"type": "connection_error", "payload": {"message": "The token is malformed."}}
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "Forbidden")  # type: ignore[union-attr]


async def test_a_silent_graphql_ws_socket_is_closed_with_4408(
    settings: Settings, clock: MovableClock
) -> None:
    application = create_app(settings.model_copy(update={"connection_init_seconds": 0.3}), clock=clock)
    async with (
        serving(application) as url,
        connect(url.replace("http", "ws", 1) + "/graphql", subprotocols=LEGACY) as socket,
    ):
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)

    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4408, "Connection initialisation timeout")  # type: ignore[union-attr]


async def test_a_graphql_ws_socket_that_signs_in_stays_open(settings: Settings, clock: MovableClock) -> None:
    application = create_app(settings.model_copy(update={"connection_init_seconds": 0.3}), clock=clock)
    async with serving(application) as url:
        admin = await make_admin(await make_partner())
        async with connect(url.replace("http", "ws", 1) + "/graphql", subprotocols=LEGACY) as socket:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token_for(admin)}"}}
            await socket.send(json.dumps(init))
            acknowledged = json.loads(await asyncio.wait_for(socket.recv(), 10))
            await asyncio.sleep(0.6)  # past the wait for connection_init
            await socket.send(
                json.dumps({"type": "start", "id": "1", "payload": {"query": "{ viewer { email } }"}})
            )
            answer = json.loads(await asyncio.wait_for(socket.recv(), 10))

    print(answer)
    assert acknowledged == {"type": "connection_ack"}
    assert answer == {
        "type": "error",
        "id": "1",
        "payload": {"message": "queries are not allowed", "locations": None},
    } or answer["type"] in {"data", "error"}


async def test_a_message_nested_100_000_deep_closes_as_not_json(
    settings: Settings, clock: MovableClock
) -> None:
    async with serving(create_app(settings, clock=clock)) as url:
        admin = await make_admin(await make_partner())
        async with subscriber(url, token_for(admin)) as client:
            deep = (
                '{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "variables": {"a": '
            )
            await client.socket.send(deep + "[" * 100_000 + "]" * 100_000 + "}}}")
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(client.socket.recv(), 10)

    received = closed.value.rcvd
    assert received is not None
    assert (received.code, received.reason) == (4400, "WebSocket message must be valid JSON")
