"""Subscriptions shared by their subscribers (issue 19): one execution per distinct (document,
variables, operation name, viewer), its result encoded once and the same text sent to each of them.

Only the subscriptions named in SHARED are shared: those whose results depend on nothing but the
document, the variables and the signed-in actor (the viewer: user, role and partner, so a
viewer never hears another's answer, not even a colleague's per-user link) and on when they are
made. A subscriber who joins a running execution is sent its latest result first where results
are states (the latest is the current state), and only what comes after it joined where they are
events (the latest happened before it was there). Each result is made with loaders of its own (the
subscriptions' resolvers empty the context's loaders before each), so an event's answer is read
after the event. Each subscriber still has its own operation on its own
socket (its id, `complete`, the limit per socket); what it no longer has is a task, a graphql-core
stream, a generator and an event queue of its own.

The execution never waits for a socket: it queues each frame on each subscriber (synchronously, so
a joiner's first frame is queued before any newer one, and no subscriber joins an execution that
has ended), and a subscriber's frames are sent in order by a task of its own that lives only while
some are waiting. A socket that takes longer than SEND_SECONDS to take one drops its subscriber and
is closed: a client that stops reading holds up no one else, not even its own viewer's other tabs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from contextlib import suppress
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from service.graphql.core.context import Context
from service.graphql.core.extensions.documents import admitted, root_fields
from service.graphql.core.extensions.observability import metrics_of
from service.observability.logs import noting, request_id_set
from service.users.actor import Actor

logger = logging.getLogger("service.subscriptions")

# The shared subscriptions, and whether each one's results are states (True: its first result is
# the current state, and a joiner is sent the latest) or events (False: a joiner hears the next).
SHARED = {"certificateFileJobUpdated": True, "recognitionActivity": False}
# How long a subscriber's socket may take to take one frame before the subscriber is dropped and
# its socket closed (a client that has stopped reading: its buffers are full).
SEND_SECONDS = 10.0
# The close code of a socket too slow to read its messages (1013, "try again later": clients such
# as graphql-ws reconnect).
TOO_SLOW = 1013

Key = tuple[str, str, str | None, Actor]
Shared = tuple[Key, str | None, bool]  # the key, the operation's name, whether it replays its latest
Text = str | bytes


class SharedOperation(Operation[Context, None]):
    """A subscriber's operation served by a shared execution (no task of its own while idle)."""

    __slots__ = ("counted", "execution", "pending", "sender")

    def __init__(
        self, handler: BaseGraphQLTransportWSHandler[Context, None], id: str, execution: SharedExecution
    ) -> None:
        super().__init__(handler, id, "", None, None)
        self.execution = execution
        self.counted = False
        self.pending: list[Text] = []  # frames queued for its socket, oldest first
        self.sender: asyncio.Task[None] | None = None  # sends them while any are waiting

    def post(self, text: Text) -> None:
        """Send ``text`` after the frames queued before it, without waiting for the socket."""
        self.pending.append(text)
        if self.sender is None:
            self.sender = asyncio.create_task(self._deliver())

    async def _deliver(self) -> None:
        try:
            socket = socket_of(self.handler)
            while self.pending:
                text = self.pending.pop(0)
                try:
                    async with asyncio.timeout(SEND_SECONDS):
                        if isinstance(text, bytes):
                            await socket.send_bytes(text)
                        else:
                            await socket.send_text(text)
                except TimeoutError:
                    self.execution.drop(self)
                    with suppress(Exception):  # waits until the socket can take it, or is gone
                        await self.handler.websocket.close(TOO_SLOW, "Too slow to read its messages")
                    return
                except Exception:  # its socket is gone
                    self.execution.leave(self)
                    return
        finally:
            self.sender = None


def socket_of(handler: BaseGraphQLTransportWSHandler[Context, None]) -> WebSocket:
    """The handler's socket: the Starlette WebSocket the view made the context with (Strawberry's
    ASGI view accepts it and hands the same object to its adapter and to ``get_context``)."""
    socket = handler.context.request
    if not isinstance(socket, WebSocket):
        raise TypeError(f"a shared subscription needs a WebSocket context, not {type(socket).__name__}")
    return socket


async def shared_key(context: Context, payload: dict[str, Any]) -> Shared | None:
    """The key of the execution a `subscribe` message's operation may share, the operation's name
    and whether a joiner is sent the latest result; or None: not a document that parses and passes
    the document limits, not a subscription, or not one of SHARED."""
    query, variables, name = payload["query"], payload.get("variables"), payload.get("operationName")
    actor = context.known_actor
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict | None) or actor is None:
        return None
    found = await admitted(query, context.settings)
    if found.document is None or found.errors:
        return None
    operation = get_operation_ast(found.document, name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    fields = root_fields(operation, found.document)
    if not fields <= SHARED.keys():
        return None
    try:
        encoded = json.dumps(variables, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    named = operation.name.value if operation.name else None
    return (query, encoded, name, actor), named, all(SHARED[field] for field in fields)


class SharedExecution:
    """One subscription's execution and the operations it serves, on one event loop. Its members,
    latest result and end change only in code that does not wait (no lock needed)."""

    def __init__(
        self, key: Key, name: str | None, replays: bool, handler: BaseGraphQLTransportWSHandler[Context, None]
    ) -> None:
        self.key = key
        self.replays = replays  # whether a joiner is sent the latest result
        self.schema = handler.schema
        self.root_value = handler.root_value
        self.encode = handler.view.encode_json
        self.context = _shared_context(handler.context, key[3])
        self.metrics = metrics_of(handler.context)
        self.label = "" if self.metrics is None else self.metrics.operation_label(name)
        self.members: dict[SharedOperation, None] = {}  # in the order they joined
        self.latest: dict[str, Any] | None = None  # the last `next` payload
        self.errors = False  # whether the last result had errors (for the metrics)
        self.ended = False
        self.task: asyncio.Task[None] | None = None

    def join(self, operation: SharedOperation) -> None:
        """Serve the operation from now on (counted while it runs, as one of its own would be), the
        latest result first if it is a state (queued before any newer one)."""
        assert not self.ended, "an ended execution is no longer found by its key"
        self.members[operation] = None
        self._count(operation)
        if self.replays and self.latest is not None:
            operation.post(self._text(operation, {"type": "next", "payload": self.latest}, {}))

    def leave(self, operation: SharedOperation) -> None:
        """The subscriber completed it or left: nothing more is sent to it, and the last one out
        stops the execution."""
        operation.pending.clear()
        self.leave_quietly(operation)
        if not self.members and not self.ended:
            self._end()
            if self.task is not None:
                self.task.cancel()

    def leave_quietly(self, operation: SharedOperation) -> None:
        if operation in self.members:
            del self.members[operation]
            self._uncount(operation)

    def drop(self, operation: SharedOperation) -> None:
        """Its socket did not take a frame in time: it is sent nothing more, and its id is free."""
        self.leave(operation)
        operation.completed = True
        _forget(operation)

    def _end(self) -> None:
        self.ended = True
        if _executions.get(self.key) is self:
            del _executions[self.key]

    async def run(self) -> None:
        query, variables, name, _ = self.key
        # Its log lines carry its own request id, and its operation's name is noted for no socket's.
        with request_id_set(self.context.request_id), noting({}):
            try:
                source = await self.schema.stream(
                    query,
                    variable_values=json.loads(variables),
                    context_value=self.context,
                    root_value=self.root_value,
                    operation_name=name,
                )
                async with aclosing(source):
                    first = True
                    async for result in source:
                        if (first and isinstance(result, PreExecutionError)) or not isinstance(
                            result, ExecutionResult
                        ):
                            self._refuse(result)
                            return
                        first = False
                        self._broadcast(result)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.exception("shared subscription failed", exc_info=error)
            finally:
                self._end()
                for operation in list(self.members):
                    self._finish(operation, {"type": "complete"})

    def _refuse(self, result: Any) -> None:
        """Each member is sent the error; one who subscribes from now on starts an execution of
        its own (and is sent the error by it), never joining this one for a bare `complete`."""
        self._end()
        if isinstance(result, PreExecutionError) and result.errors:
            errors = result.errors
        else:
            errors = [GraphQLError("Incremental delivery is not supported over graphql-transport-ws")]
        payload = [error.formatted for error in errors]
        for operation in list(self.members):
            self._uncount(operation, kind="unknown", outcome="refused")
            self._finish(operation, {"type": "error", "payload": payload})

    def _broadcast(self, result: ExecutionResult) -> None:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        self.latest, self.errors = payload, bool(result.errors)
        frame = {"type": "next", "payload": payload}
        texts: dict[str, Text] = {}
        for operation in list(self.members):
            operation.post(self._text(operation, frame, texts))

    def _finish(self, operation: SharedOperation, message: dict[str, Any]) -> None:
        """The operation's last message (`complete` or `error`), after the frames queued before it;
        its id is free at once, as Strawberry frees the id of an operation of its own."""
        self.leave_quietly(operation)
        if operation.completed:
            return
        operation.completed = True
        _forget(operation)
        operation.post(self.encode({"id": operation.id, **message}))

    def _text(self, operation: SharedOperation, frame: dict[str, Any], texts: dict[str, Text]) -> Text:
        """The frame with the operation's id, encoded once per distinct id (the same bytes each
        subscriber's own operation would have sent)."""
        text = texts.get(operation.id)
        if text is None:
            text = texts[operation.id] = self.encode({"id": operation.id, **frame})
        return text

    def _count(self, operation: SharedOperation) -> None:
        operation.counted = True
        if self.metrics is not None:
            self.metrics.subscriptions.inc()

    def _uncount(self, operation: SharedOperation, *, kind: str = "subscription", outcome: str = "") -> None:
        """It no longer runs: counted as a subscription that ended (ok, or with errors if its last
        result had some), or with the ``kind`` and ``outcome`` given."""
        if operation.counted and self.metrics is not None:
            outcome = outcome or ("errors" if self.errors else "ok")
            self.metrics.graphql_operations.labels(self.label, kind, outcome).inc()
            self.metrics.subscriptions.dec()
        operation.counted = False


# The executions running on this process's event loop (the app serves from one loop).
_executions: dict[Key, SharedExecution] = {}


def subscribe(
    handler: BaseGraphQLTransportWSHandler[Context, None], id: str, key: Key, name: str | None, replays: bool
) -> None:
    """Register operation ``id`` on the handler's socket, served by the execution for ``key``
    (``name``: the operation's, for the metrics; ``replays``: whether a joiner is sent the latest)."""
    execution = _executions.get(key)
    if execution is None:
        execution = _executions[key] = SharedExecution(key, name, replays, handler)
        execution.task = asyncio.create_task(execution.run())
    operation = SharedOperation(handler, id, execution)
    handler.operations[id] = operation
    execution.join(operation)


def running() -> int:
    """How many shared executions run in this process (for tests and the benchmark)."""
    return len(_executions)


def _forget(operation: SharedOperation) -> None:
    """Free the operation's id on its socket (unless a newer operation has it already)."""
    if operation.handler.operations.get(operation.id) is operation:
        del operation.handler.operations[operation.id]


def _shared_context(context: Context, actor: Actor) -> Context:
    """A context of the execution's own, for the same actor: its own loaders and request id, and
    nothing of the first subscriber's (its socket's scope and address, its sign-in header and
    `connection_init` payload). Its request carries no app, so the operation metrics are counted
    here, once per subscriber."""
    scope = {"type": "websocket", "path": context.request.scope.get("path", ""), "headers": []}
    return Context.signed_in(
        actor,  # the key's viewer, signed in on each subscriber's socket
        request=HTTPConnection(scope),  # type: ignore[arg-type]
        settings=context.settings,
        request_id=uuid.uuid4().hex,
        clock=context.clock,
        verify_limiter=context.verify_limiter,
    )
