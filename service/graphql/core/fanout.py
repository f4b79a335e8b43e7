"""Subscriptions shared by their subscribers (issue 19): one execution per distinct (document,
variables, operation name, viewer), its result encoded once and the same text sent to each of them.

Only the subscriptions named in SHARED are shared: those whose results depend on nothing but the
document, the variables and the signed-in actor (the viewer: user, role and partner, so a
viewer never hears another's answer, not even a colleague's per-user link), and whose first
result is the current state, so a subscriber who joins a running execution is sent its latest
result first. Each subscriber still has its own operation on its own socket (its id, `complete`,
the limit per socket); what it no longer has is a task, a graphql-core stream, a generator and an
event queue of its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import suppress
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast
from starlette.requests import HTTPConnection
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from service.graphql.core.context import Context
from service.graphql.core.extensions.documents import admitted, root_fields
from service.observability.metrics import Metrics
from service.users.actor import Actor

logger = logging.getLogger("service.subscriptions")

SHARED = frozenset({"certificateFileJobUpdated"})

Key = tuple[str, str, str | None, Actor]


class SharedOperation(Operation[Context, None]):
    """A subscriber's operation served by a shared execution (no task of its own)."""

    __slots__ = ("counted", "execution")

    def __init__(
        self, handler: BaseGraphQLTransportWSHandler[Context, None], id: str, execution: SharedExecution
    ) -> None:
        super().__init__(handler, id, "", None, None)
        self.execution = execution
        self.counted = False


async def shared_key(context: Context, payload: dict[str, Any]) -> tuple[Key, str | None] | None:
    """The key of the execution a `subscribe` message's operation may share, and the operation's
    name, or None: not a document that parses and passes the document limits, not a subscription,
    or not one of SHARED."""
    query, variables, name = payload["query"], payload.get("variables"), payload.get("operationName")
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict | None) or context._actor is None:
        return None
    found = await admitted(query, context.settings)
    if found.document is None or found.errors:
        return None
    operation = get_operation_ast(found.document, name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    if not root_fields(operation, found.document) <= SHARED:
        return None
    try:
        encoded = json.dumps(variables, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    named = operation.name.value if operation.name else None
    return (query, encoded, name, context._actor), named


class SharedExecution:
    """One subscription's execution and the operations it serves, on one event loop."""

    def __init__(
        self, key: Key, name: str | None, handler: BaseGraphQLTransportWSHandler[Context, None]
    ) -> None:
        self.key = key
        self.schema = handler.schema
        self.encode = handler.view.encode_json
        self.context = _shared_context(handler.context, key[3])
        self.metrics = _metrics_of(handler.context)
        self.label = "" if self.metrics is None else self.metrics.operation_label(name)
        self.members: dict[SharedOperation, None] = {}  # in the order they joined
        self.latest: dict[str, Any] | None = None  # the last `next` payload
        self.errors = False  # whether the last result had errors (for the metrics)
        self.ended = False
        self.lock = asyncio.Lock()  # a joiner's first frame is never overtaken by a newer one
        self.task: asyncio.Task[None] | None = None

    async def join(self, operation: SharedOperation) -> bool:
        """Serve the operation from now on (its latest result first); False if this execution
        has ended meanwhile (the caller starts another)."""
        async with self.lock:
            if self.ended:
                return False
            self.members[operation] = None
            if self.latest is not None:
                self._count(operation)
                await self._send(operation, self._frames(self.latest), {})
            return True

    def leave(self, operation: SharedOperation) -> None:
        """The subscriber completed it or left: the last one out stops the execution."""
        self.leave_quietly(operation)
        if not self.members and not self.ended:
            self._end()
            if self.task is not None:
                self.task.cancel()

    def leave_quietly(self, operation: SharedOperation) -> None:
        if operation in self.members:
            del self.members[operation]
            self._uncount(operation)

    def _end(self) -> None:
        self.ended = True
        if _executions.get(self.key) is self:
            del _executions[self.key]

    async def run(self) -> None:
        query, variables, name, _ = self.key
        try:
            source = await self.schema.stream(
                query,
                variable_values=json.loads(variables),
                context_value=self.context,
                operation_name=name,
            )
            async with aclosing(source):
                first = True
                async for result in source:
                    async with self.lock:
                        if (first and isinstance(result, PreExecutionError)) or not isinstance(
                            result, ExecutionResult
                        ):
                            await self._refuse(result)
                            return
                        first = False
                        await self._broadcast(result)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.exception("shared subscription failed", exc_info=error)
        finally:
            self._end()
            for operation in list(self.members):
                self.leave_quietly(operation)
                with suppress(Exception):
                    await operation.send_operation_message({"id": operation.id, "type": "complete"})

    async def _refuse(self, result: Any) -> None:
        if isinstance(result, PreExecutionError) and result.errors:
            errors = result.errors
        else:
            errors = [GraphQLError("Incremental delivery is not supported over graphql-transport-ws")]
        for operation in list(self.members):
            self.members.pop(operation)
            if self.metrics is not None:
                self.metrics.graphql_operations.labels(self.label, "unknown", "refused").inc()
            with suppress(Exception):
                await operation.send_initial_errors(errors)

    async def _broadcast(self, result: ExecutionResult) -> None:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        self.latest, self.errors = payload, bool(result.errors)
        frames = self._frames(payload)
        texts: dict[str, str | bytes] = {}
        for operation in list(self.members):
            if not operation.counted:
                self._count(operation)
            await self._send(operation, frames, texts)

    def _frames(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"type": "next", "payload": payload}

    async def _send(
        self, operation: SharedOperation, frame: dict[str, Any], texts: dict[str, str | bytes]
    ) -> None:
        """The frame with the operation's id, encoded once per distinct id (the same bytes each
        subscriber's own operation would have sent)."""
        if operation.completed or operation not in self.members:  # done, or left meanwhile
            return
        text = texts.get(operation.id)
        if text is None:
            text = texts[operation.id] = self.encode({"id": operation.id, **frame})
        socket = operation.handler.websocket.ws  # type: ignore[attr-defined]
        try:
            if isinstance(text, bytes):
                await socket.send_bytes(text)
            else:
                await socket.send_text(text)
        except Exception:  # its socket is gone: its handler cleans it up
            self.leave_quietly(operation)

    def _count(self, operation: SharedOperation) -> None:
        operation.counted = True
        if self.metrics is not None:
            self.metrics.subscriptions.inc()

    def _uncount(self, operation: SharedOperation) -> None:
        if operation.counted and self.metrics is not None:
            outcome = "errors" if self.errors else "ok"
            self.metrics.graphql_operations.labels(self.label, "subscription", outcome).inc()
            self.metrics.subscriptions.dec()
        operation.counted = False


# The executions running on this process's event loop (the app serves from one loop).
_executions: dict[Key, SharedExecution] = {}


async def subscribe(
    handler: BaseGraphQLTransportWSHandler[Context, None], id: str, key: Key, name: str | None
) -> None:
    """Register operation ``id`` on the handler's socket, served by the execution for ``key``
    (``name``: the operation's, for the metrics)."""
    while True:
        execution = _executions.get(key)
        if execution is None:
            execution = _executions[key] = SharedExecution(key, name, handler)
            execution.task = asyncio.create_task(execution.run())
        operation = SharedOperation(handler, id, execution)
        handler.operations[id] = operation
        if await execution.join(operation):
            return
        handler.operations.pop(id, None)


def running() -> int:
    """How many shared executions run in this process (for tests and the benchmark)."""
    return len(_executions)


def _shared_context(context: Context, actor: Actor) -> Context:
    """A context of the execution's own (its loaders are its own), for the same actor; its request
    carries no app, so the operation metrics are counted here, once per subscriber."""
    scope = {**context.request.scope, "app": None}
    shared = Context(
        request=HTTPConnection(scope),  # type: ignore[arg-type]
        settings=context.settings,
        authorization=context.authorization,
        request_id=context.request_id,
        clock=context.clock,
        verify_limiter=context.verify_limiter,
        connection_params=context.connection_params,
    )
    shared._actor = actor
    return shared


def _metrics_of(context: Context) -> Metrics | None:
    app = context.request.scope.get("app")
    metrics = getattr(getattr(app, "state", None), "metrics", None)
    return metrics if isinstance(metrics, Metrics) else None
