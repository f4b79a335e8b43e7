"""How domain refusals reach clients of queries (mutations answer them in their payloads)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graphql import GraphQLError

from service.errors import DomainError


@contextmanager
def domain_errors_as_graphql() -> Iterator[None]:
    """A DomainError becomes a GraphQL error with its code and the field it concerns."""
    try:
        yield
    except DomainError as error:
        extensions: dict[str, object] = {"code": error.code.value}
        if error.field:
            extensions["field"] = list(error.field)
        raise GraphQLError(error.message, extensions=extensions) from error
