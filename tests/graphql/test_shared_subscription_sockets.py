"""Shared subscription executions and their subscribers' sockets, over real WebSockets: a client
that stops reading holds up no one else and is dropped once a frame waits too long for it; a
refusal reaches whoever subscribes while it is being sent; the execution keeps nothing of its
first subscriber.

A client that stops reading is one whose socket's sends wait (`Stalling`): exactly what a server's
do once that client's buffers are full (uvicorn's wait before writing anything, a close too), without
filling megabytes of kernel buffers first."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from service import job_queue
from service.app import create_app
from service.graphql.core import fanout
from service.job_queue import Job
from service.settings import Settings
from tests.graphql.test_shared_subscriptions import WITH_LINK, _data
from tests.graphql.test_subscriptions import _key, _request
from tests.support.certificates_world import (
    CertificatesWorld,
    world_with_online_completers,
)
from tests.support.clock import MovableClock
from tests.support.graphql_client import token_for
from tests.support.live_server import Subscriber, serving, subscriber

pytestmark = pytest.mark.jobs

# Shared (its root field is), but refused: the document does not validate.
INVALID = "subscription Job($id: ID!) { certificateFileJobUpdated(id: $id) { nope } }"


class Gate:
    """Whether the stalled sockets' client reads; which of their sends are waiting meanwhile."""

    def __init__(self) -> None:
        self.reading = asyncio.Event()
        self.reading.set()
        self.waiting: list[str] = []

    async def until_waiting(self, *types: str) -> None:
        for _ in range(400):
            if self.waiting == list(types):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"waiting: {self.waiting}, not {list(types)}")


class Stalling:
    """The app, where each send to a socket opened with `?stall` waits while its client does not
    read (``gate.reading`` cleared), before anything of it is written."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app, self.gate = app, gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or scope.get("query_string") != b"stall":
            await self.app(scope, receive, send)
            return

        async def stalled(message: Message) -> None:
            if message["type"] in {"websocket.send", "websocket.close"}:
                self.gate.waiting.append(message["type"])
                try:
                    await self.gate.reading.wait()
                finally:
                    self.gate.waiting.remove(message["type"])
            await send(message)

        await self.app(scope, receive, stalled)


@pytest.fixture
async def gate() -> Gate:
    return Gate()


@pytest.fixture
async def server(settings: Settings, clock: MovableClock, gate: Gate) -> AsyncIterator[str]:
    app = create_app(settings, clock=clock)
    app.add_middleware(Stalling, gate=gate)
    async with serving(app) as url:
        yield url


@pytest.fixture
async def world(server: str) -> CertificatesWorld:
    return await world_with_online_completers(2)


@asynccontextmanager
async def stalling_subscriber(url: str, token: str) -> AsyncIterator[Subscriber]:
    """A signed-in connection whose reading ``Gate`` stops and starts."""
    async with connect(
        url.replace("http", "ws", 1) + "/graphql?stall", subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as socket:
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"type": "connection_ack"}
        yield Subscriber(socket)


async def _rest(client: Subscriber) -> list[dict[str, Any]]:
    return await client.until_complete("1", seconds=30)


async def test_a_subscriber_that_stops_reading_holds_up_no_one(
    server: str, world: CertificatesWorld, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout, "SEND_SECONDS", 120.0)  # not dropped while the test runs
    held = job_queue.current_adapter()
    job_queue.set_adapter(None)
    job_id = await _request(server, world, ["Zoe 00", "Zoe 01"])
    token = token_for(world.admin)
    async with stalling_subscriber(server, token) as slow, subscriber(server, token) as other_tab:
        await slow.subscribe("1", WITH_LINK, {"id": job_id})
        slow_first = await slow.receive()
        gate.reading.clear()  # the slow client reads no more
        await other_tab.subscribe("1", WITH_LINK, {"id": job_id})
        other_first = await other_tab.receive()
        assert fanout.running() == 1  # the same viewer's two tabs: one execution

        # when the job is made, the other tab hears all of it while the slow one reads nothing
        job_queue.set_adapter(held)
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, _key(job_id))
        other_rest = await _rest(other_tab)
        assert gate.waiting == ["websocket.send"]
        assert fanout.running() == 0

        # and once the slow one reads again, it hears the same, in order
        gate.reading.set()
        slow_rest = await _rest(slow)

    assert _data(other_first)["status"] == "QUEUED"
    assert _data(other_rest[-2])["status"] == "READY"
    assert other_rest[-1] == {"id": "1", "type": "complete"}
    assert [slow_first, *slow_rest] == [other_first, *other_rest]


async def test_a_socket_that_takes_no_frame_in_time_is_dropped_and_closed(
    server: str, world: CertificatesWorld, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout, "SEND_SECONDS", 0.5)
    held = job_queue.current_adapter()
    job_queue.set_adapter(None)
    job_id = await _request(server, world, ["Zoe 00", "Zoe 01"])
    token = token_for(world.admin)
    async with stalling_subscriber(server, token) as slow, subscriber(server, token) as other_tab:
        await slow.subscribe("1", WITH_LINK, {"id": job_id})
        assert _data(await slow.receive())["status"] == "QUEUED"
        await other_tab.subscribe("1", WITH_LINK, {"id": job_id})
        assert _data(await other_tab.receive())["status"] == "QUEUED"
        gate.reading.clear()

        job_queue.set_adapter(held)
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, _key(job_id))
        other_rest = await _rest(other_tab)
        # the frame that waited too long was never written; the socket's close waits in its place
        await gate.until_waiting("websocket.close")
        gate.reading.set()
        with pytest.raises(ConnectionClosed) as closed:
            await slow.receive()

    assert other_rest[-1] == {"id": "1", "type": "complete"}
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1013, "Too slow to read its messages")
    assert fanout.running() == 0


async def test_one_who_subscribes_while_a_refusal_is_sent_hears_it_too(
    server: str, world: CertificatesWorld, gate: Gate
) -> None:
    job_id = await _request(server, world, ["Zoe 00"])
    token = token_for(world.admin)
    async with stalling_subscriber(server, token) as slow, subscriber(server, token) as other_tab:
        gate.reading.clear()
        await slow.subscribe("1", INVALID, {"id": job_id})
        await gate.until_waiting("websocket.send")  # the refusal, on its way to the slow client
        await other_tab.subscribe("1", INVALID, {"id": job_id})
        joined = await other_tab.until_complete("1", seconds=10)
        gate.reading.set()
        refused = await slow.until_complete("1", seconds=10)

    error = {
        "id": "1",
        "type": "error",
        "payload": [
            {
                "message": "Cannot query field 'nope' on type 'CertificateFileJob'. Did you mean 'done'?",
                "locations": [{"line": 1, "column": 67}],
            }
        ],
    }
    assert joined == [error]
    assert refused == [error]
    assert fanout.running() == 0


async def test_the_execution_keeps_nothing_of_its_first_subscriber(
    server: str, world: CertificatesWorld
) -> None:
    job_queue.set_adapter(None)
    job_id = await _request(server, world, ["Zoe 00"])
    token = token_for(world.admin)
    async with subscriber(server, token) as first, subscriber(server, token) as second:
        for client in (first, second):
            await client.subscribe("1", WITH_LINK, {"id": job_id})
            assert _data(await client.receive())["status"] == "QUEUED"
        [execution] = fanout._executions.values()
        [operation, _] = execution.members
        handler = operation.handler
        context = execution.context

        # its context is its own: the viewer, and nothing of the socket that started it
        assert context.known_actor is handler.context.known_actor
        assert (context.authorization, context.connection_params) == (None, None)
        assert handler.context.authorization is not None and handler.context.connection_params
        assert context.request_id != handler.context.request_id
        assert context.request.client is None and "app" not in context.request.scope
        assert context.loaders is not handler.context.loaders
        # and its frames go out through the very socket Strawberry's own sends use
        assert fanout.socket_of(handler) is handler.websocket.ws  # type: ignore[attr-defined]
