"""Request headers over a size refused before anything reads them (a 1 MB Authorization header is
never split, decoded or looked up): 431 over HTTP, a refused handshake over WebSocket."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send


class HeaderLimit:
    """ASGI middleware: requests whose header lines add up to more than ``limit`` bytes are refused."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])  # ": " and CRLF
        if size <= self.limit:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "Request headers too large"})
            return
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"The request headers are larger than {self.limit} bytes.",
                        "extensions": {"code": "HEADERS_TOO_LARGE", "limit": self.limit},
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 431,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
