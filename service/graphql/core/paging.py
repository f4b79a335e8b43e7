"""Cursors and page sizes shared by every connection: cursors are opaque to clients and checked."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Protocol

import strawberry
from graphql import GraphQLError
from strawberry.relay import PageInfo

MAX_PAGE_SIZE = 100

# What every connection's parts are, in its schema description.
EDGES = "The rows of this page, in the list's order."
NODE = "The row."
CURSOR = "Pass it as `after` to get the rows that follow this one."
PAGE_INFO = "Whether more rows follow (`hasNextPage`) and the cursor to ask for them (`endCursor`)."
TOTAL_COUNT = "How many rows match, on every page."

First = Annotated[
    int,
    strawberry.argument(description="How many rows, 1 to 100; INVALID_PAGE_SIZE outside that."),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="The `endCursor` of the page before, to get the next one; left out, the first page. "
        "A cursor of another list or order is INVALID_CURSOR."
    ),
]


def encode_cursor(ordering: str, *values: Any) -> str:
    """A cursor naming the ordering it belongs to and the keyset values of the last row."""
    return base64.urlsafe_b64encode(json.dumps([ordering, *values]).encode()).decode()


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected an integer")
    return value


def decode_cursor(cursor: str, ordering: str, parsers: tuple[Callable[[Any], Any], ...]) -> list[Any]:
    """The keyset values of a cursor this list gave out under ``ordering``, each read by its parser
    (which raises ValueError or TypeError on a value it cannot take); a clear error otherwise."""
    try:
        given, *values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if given != ordering or len(values) != len(parsers):
            raise ValueError("cursor of another list or ordering")
        return [parse(value) for parse, value in zip(parsers, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise GraphQLError(
            "The cursor is not one this list gave out with this order.",
            extensions={"code": "INVALID_CURSOR", "field": ["after"]},
        ) from error


def checked_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise GraphQLError(
            f"`first` must be between 1 and {MAX_PAGE_SIZE}.",
            extensions={"code": "INVALID_PAGE_SIZE", "field": ["first"]},
        )
    return first


class Edge(Protocol):
    cursor: str


def page_info(edges: Sequence[Edge], *, has_next_page: bool, after: str | None) -> PageInfo:
    """Where a forward page stands: more after it, and whether it started after a cursor."""
    return PageInfo(
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
