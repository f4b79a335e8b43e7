"""What clients see of errors: ours readable, the unexpected masked, no data without sign-in."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from service.database import is_unreachable
from service.graphql.core.context import UNAUTHENTICATED

logger = logging.getLogger("service.graphql")

MASKED_MESSAGE = "Unexpected error."
UNAVAILABLE_MESSAGE = "The service cannot reach its database just now. Please try again in a moment."


def _is_unexpected(error: GraphQLError) -> bool:
    # Errors without an original exception are parse/validation errors; GraphQLErrors are ours.
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


_SUGGESTION = re.compile(r" Did you mean .*\?$")


def _without_suggestions(error: GraphQLError) -> GraphQLError:
    """Validation messages name fields and types one may have meant: the schema, piece by piece."""
    if _SUGGESTION.search(error.message) is None:
        return error
    return GraphQLError(
        _SUGGESTION.sub("", error.message), nodes=error.nodes, source=error.source, positions=error.positions
    )


class ClientErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        result.errors = [self._for_client(error, request_id) for error in result.errors]
        if not context.settings.graphql_explorer:
            result.errors = [_without_suggestions(error) for error in result.errors]
        if any((error.extensions or {}).get("code") == UNAUTHENTICATED for error in result.errors):
            result.data = None

    @staticmethod
    def _for_client(error: GraphQLError, request_id: str | None) -> GraphQLError:
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
