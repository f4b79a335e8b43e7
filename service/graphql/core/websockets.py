"""The WebSocket subprotocols' handlers: `graphql-transport-ws` with shared subscription executions
(`fanout`), and the legacy `graphql-ws` held to the same rules as `graphql-transport-ws` (a refused
sign-in closes the socket with 4403, and a socket that does not send `connection_init` in time is
closed with 4408). On both, an operation past the socket's limit is refused with a code, as every
expected refusal is."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any, cast

from graphql import GraphQLError
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message, SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ConnectionInitMessage, StartMessage
from strawberry.types.unset import UnsetType

from service.graphql.core import fanout
from service.graphql.core.context import Context

FORBIDDEN = 4403
INITIALISATION_TIMEOUT = 4408
TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"


def subscription_limit_error(limit: int) -> GraphQLError:
    """The refusal of an operation past the socket's limit (Strawberry's own has no code). Queries
    and mutations sent over the socket count while they run, as Strawberry counts them."""
    return GraphQLError(
        f"Subscription limit reached: this connection is already running {limit:,} operations, the most "
        "one WebSocket may run at once. Complete one before starting another, or open another connection.",
        extensions={"code": TOO_MANY_SUBSCRIPTIONS, "limit": limit},
    )


class LegacyWebSocketHandler(BaseGraphQLWSHandler[Any, None]):
    connection_init_received = False

    async def handle(self) -> None:
        waiting = asyncio.create_task(self._close_unless_initialised())
        try:
            await super().handle()
        finally:
            waiting.cancel()
            with suppress(BaseException):
                await waiting

    async def _close_unless_initialised(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_init_received:
            await self.websocket.close(
                code=INITIALISATION_TIMEOUT, reason="Connection initialisation timeout"
            )

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        self.connection_init_received = True
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self.send_message({"type": "connection_error"})
            await self.websocket.close(code=1000, reason="")
            return
        self.context.connection_params = payload
        try:
            acknowledgement = await self.view.on_ws_connect(self.context)
        except ConnectionRejectionError as rejection:
            await self.send_message({"type": "connection_error", "payload": rejection.payload})
            await self.websocket.close(code=FORBIDDEN, reason="Forbidden")
            return
        if isinstance(acknowledgement, UnsetType) or acknowledgement is None:
            await self.send_message({"type": "connection_ack"})
        else:
            await self.send_message({"type": "connection_ack", "payload": acknowledgement})
        self.connection_acknowledged = True
        if self.keep_alive:
            self.keep_alive_task = asyncio.create_task(self.handle_keep_alive())

    async def handle_start(self, message: StartMessage) -> None:
        limit = self.max_subscriptions_per_connection
        # An id already running is replaced (Strawberry stops it first), so it does not count.
        if (
            self.connection_acknowledged
            and message["id"] not in self.tasks
            and limit is not None
            and len(self.tasks) >= limit
        ):
            refusal = subscription_limit_error(limit)
            await self.send_message({"type": "error", "id": message["id"], "payload": refusal.formatted})
            return
        await super().handle_start(message)


class TransportWebSocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """`graphql-transport-ws`, with the subscriptions of `fanout.SHARED` served by one execution
    per distinct (document, variables, viewer) rather than one per subscriber; an idle socket holds
    neither its last message nor its finished sign-in timer."""

    async def handle_message(self, message: Message) -> None:
        """Strawberry's, then the message emptied: its message loop keeps the last one while the
        socket idles (an idle socket's last one was its `subscribe`, query text and all). Nothing
        keeps the message itself once handled, only values taken from it (an operation's query,
        the `connection_init` payload)."""
        try:
            await super().handle_message(message)
        finally:
            if isinstance(message, dict):  # a JSON message that is not an object is not ours to empty
                cast(dict[str, object], message).clear()

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        super()._task_done(task)
        if task is self.connection_init_timeout_task:  # cancelled by `connection_init`, or done
            self.connection_init_timeout_task = None

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        shared = None
        limit = self.max_subscriptions_per_connection
        if self.connection_acknowledged and message["id"] not in self.operations:
            if limit is not None and len(self.operations) >= limit:
                refusal = subscription_limit_error(limit)
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [refusal.formatted]}
                )
                return
            shared = await fanout.shared_key(self.context, message["payload"])  # type: ignore[arg-type]
        if shared is None:  # not shared, or refused: Strawberry's own way
            await super().handle_subscribe(message)
            return
        fanout.subscribe(self, message["id"], *shared)

    async def cleanup_operation(self, operation_id: str) -> None:
        operation = self.operations.get(operation_id)
        if isinstance(operation, fanout.SharedOperation):
            del self.operations[operation_id]
            operation.execution.leave(operation)
            return
        await super().cleanup_operation(operation_id)
