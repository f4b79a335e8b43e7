"""Counts round trips to PostgreSQL on the wire: a relay between the service and the server that
reads the server's messages and counts its ReadyForQuery ('Z'), which ends every exchange the client
waits for (a simple query, or an extended-protocol batch up to its Sync). Nothing is faked: the
service talks to the real server through it.

The relay reads the messages in clear: it works with a server that answers a request for TLS with "no".
"""

from __future__ import annotations

import asyncio
import contextlib
import struct

from tests.support.tcp_proxy import TcpProxy

READY_FOR_QUERY = ord("Z")


class RoundTripCounter(TcpProxy):
    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__(target_host, target_port)
        self.round_trips = 0

    async def _downstream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Server to client, message by message: a type byte, then a length that counts itself. A
        server's first byte "N" is its one-byte answer to a request for TLS (no message comes before
        the client's start-up); the client then starts in clear."""
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            pending = await reader.readexactly(1)
            if pending == b"N":
                writer.write(pending)
                pending = b""
            while True:
                header = pending + await reader.readexactly(5 - len(pending))
                pending = b""
                (length,) = struct.unpack("!I", header[1:])
                body = await reader.readexactly(length - 4)
                if header[0] == READY_FOR_QUERY:
                    self.round_trips += 1
                writer.write(header + body)
                await writer.drain()
        writer.transport.abort()
