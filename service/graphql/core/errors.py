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
        problem = error.problems[0]
        extensions: dict[str, object] = {"code": problem.code.value}
        if problem.field:
            extensions["field"] = list(problem.field)
        raise GraphQLError(problem.message, extensions=extensions) from error
