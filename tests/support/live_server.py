"""A real uvicorn server on loopback running the app, and a graphql-transport-ws client for it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from service.cli import WEBSOCKET_COMPRESSION, WEBSOCKETS
from tests.support.smtp_server import free_port


@asynccontextmanager
async def serving(app: Starlette, port: int | None = None) -> AsyncIterator[str]:
    """The app served by uvicorn on a loopback port (a free one unless given), while the block runs."""
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port or free_port(),
            lifespan="on",
            log_level="warning",
            ws=WEBSOCKETS,
            ws_per_message_deflate=WEBSOCKET_COMPRESSION,
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(400):
        if server.started:
            break
        await asyncio.sleep(0.025)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        await task


class Subscriber:
    """One graphql-transport-ws connection."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    async def subscribe(self, operation_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.socket.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": payload}))

    async def receive(self, seconds: float = 30) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.socket.recv(), seconds))
        return message

    async def until_complete(self, operation_id: str, seconds: float = 60) -> list[dict[str, Any]]:
        """Every message of the operation until its "complete" (or "error")."""
        received: list[dict[str, Any]] = []
        while True:
            message = await self.receive(seconds)
            if message.get("id") != operation_id:
                continue
            received.append(message)
            if message["type"] in {"complete", "error"}:
                return received


@asynccontextmanager
async def subscriber(url: str, token: str | None) -> AsyncIterator[Subscriber]:
    """A signed-in (or not) connection; raises if the server refuses it."""
    async with connect(
        url.replace("http", "ws", 1) + "/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as socket:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        acknowledged = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert acknowledged == {"type": "connection_ack"}, acknowledged
        yield Subscriber(socket)
