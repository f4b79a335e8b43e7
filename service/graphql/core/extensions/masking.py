"""What clients see of errors: ours readable, the unexpected masked, no data without sign-in."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.relay.types import InvalidGlobalIDError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import StreamExecutionResult

from service.database import is_unreachable
from service.graphql.core.context import UNAUTHENTICATED
from service.graphql.core.node import INVALID_ID

logger = logging.getLogger("service.graphql")

MASKED_MESSAGE = "Unexpected error."
UNAVAILABLE_MESSAGE = "The service cannot reach its database just now. Please try again in a moment."


def _is_unexpected(error: GraphQLError) -> bool:
    # Errors without an original exception are parse/validation errors; GraphQLErrors are ours.
    # Strawberry's refusals of an operation its transport does not run ("queries are not allowed"
    # on a subscriptions-only socket) are answers too.
    original = error.original_error
    return original is not None and not isinstance(
        original,
        GraphQLError | InvalidOperationTypeError | CannotGetOperationTypeError | InvalidGlobalIDError,
    )


_SUGGESTION = re.compile(r" Did you mean .*\?$")


def _without_suggestions(error: GraphQLError) -> GraphQLError:
    """Validation messages name fields and types one may have meant: the schema, piece by piece."""
    if _SUGGESTION.search(error.message) is None:
        return error
    return GraphQLError(
        _SUGGESTION.sub("", error.message), nodes=error.nodes, source=error.source, positions=error.positions
    )


class ClientErrors(SchemaExtension):
    """Applied to each result before it reaches the client: over HTTP when the operation ends, over a
    WebSocket to each result streamed (a socket gets them before the operation ends)."""

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if not self._streamed:
            self._for_client_result(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        self._streamed = True
        self._for_client_result(result)
        yield

    def _for_client_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        errors = [self._for_client(error, request_id) for error in errors]
        if not context.settings.graphql_explorer:
            errors = [_without_suggestions(error) for error in errors]
        result.errors = errors  # type: ignore[attr-defined]
        if any((error.extensions or {}).get("code") == UNAUTHENTICATED for error in errors):
            result.data = None  # type: ignore[attr-defined]

    @staticmethod
    def _for_client(error: GraphQLError, request_id: str | None) -> GraphQLError:
        if isinstance(error.original_error, InvalidGlobalIDError) and not error.extensions:
            error.extensions = {"code": INVALID_ID}
        if not _is_unexpected(error):
            return error
        if is_unreachable(error.original_error):  # type: ignore[arg-type]
            logger.warning(
                "database unreachable in %s (request %s)", ".".join(map(str, error.path or [])), request_id
            )
            return GraphQLError(
                UNAVAILABLE_MESSAGE,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": "SERVICE_UNAVAILABLE", "retryable": True, "requestId": request_id},
            )
        logger.error(
            "unexpected error in %s (request %s)",
            ".".join(map(str, error.path or [])) or "operation",
            request_id,
            exc_info=error.original_error,
        )
        return GraphQLError(
            MASKED_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )
