"""How domain refusals reach clients of queries (mutations answer them in their payloads)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from graphql import GraphQLError

from service.errors import DomainError


@contextmanager
def domain_errors_as_graphql(*, arguments: Collection[str] | None = None) -> Iterator[None]:
    """A DomainError becomes a GraphQL error with its code and the field it concerns; with
    ``arguments``, only a field that is one of them (the error's ``path`` says which field refused)."""
    try:
        yield
    except DomainError as error:
        problem = error.problems[0]
        extensions: dict[str, object] = {"code": problem.code.value}
        if problem.field and (arguments is None or problem.field[0] in arguments):
            extensions["field"] = list(problem.field)
        raise GraphQLError(problem.message, extensions=extensions) from error
