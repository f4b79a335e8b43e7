"""Our `graphql-transport-ws` handler lets go of each message once handled: Strawberry's message loop
keeps its last one while a socket idles, and an idle subscriber's last message was its
`subscribe`, query text and all."""

from __future__ import annotations

import asyncio
import gc
import types
import uuid
from collections.abc import AsyncIterator

import pytest
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

from service.app import create_app
from service.graphql.core import fanout
from service.settings import Settings
from tests.support.clock import MovableClock
from tests.support.factories import make_admin, make_partner
from tests.support.graphql_client import token_for
from tests.support.live_server import serving, subscriber


@pytest.fixture
async def server(settings: Settings, clock: MovableClock) -> AsyncIterator[str]:
    async with serving(create_app(settings, clock=clock)) as url:
        yield url


def _message_loops_last_messages() -> list[object]:
    """What each socket's message loop (suspended in this process) holds as its last message."""
    return [
        found.cr_frame.f_locals.get("message")
        for found in gc.get_objects()
        if type(found) is types.CoroutineType  # not isinstance: a dead weak proxy raises on it
        and found.cr_frame is not None
        and found.cr_code is BaseGraphQLTransportWSHandler.handle.__code__
    ]


async def test_an_idle_socket_holds_not_its_subscribe_message(server: str) -> None:
    # given a subscriber whose document is like no other
    admin = await make_admin(await make_partner())
    document = f"subscription {{ recognitionActivity {{ recognition {{ id }} }} }}  # {uuid.uuid4()}"
    async with subscriber(server, token_for(admin)) as client:
        # when it subscribes, and its socket idles once the subscription runs
        await client.subscribe("1", document)
        for _ in range(500):
            if fanout.running() == 1:
                break
            await asyncio.sleep(0.01)
        running, last_messages = fanout.running(), _message_loops_last_messages()

    # then its message loop holds an emptied message, not the document
    assert running == 1
    assert last_messages == [{}]
