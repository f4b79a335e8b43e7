"""Reads whose SQL Tortoise builds once per shape, not once per call.

Building a statement (pypika's terms, the joins, the SQL text) costs Tortoise 0.15–0.4 ms, as much as
running it; a request of the dashboard runs four. A ``Prepared`` read builds its query the first
time a shape is seen, with stand-in values, finds where each stand-in went among the statement's
parameters, and from then on runs the same SQL with each call's values. Tortoise still runs the
statement and makes the models (its own ``_execute``), so rows come back exactly as they would.

A call's *shape* is its positional arguments (hashable, part of the statement's form: an ordering,
a kind, whether the actor is staff) with, for each keyword value, whether it is None and, for a
list, its length. Values are what changes between calls of one shape: ints, strings and lists of
ints. A shape whose stand-ins do not all come back once each as parameters (a string Tortoise
wraps for LIKE, a value it writes into the SQL text), or a call with a value of another kind, is
built by Tortoise each time, as if there were no cache: never a wrong answer, only a slower one.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.router import router

ResultT = TypeVar("ResultT")

_SHAPES_PER_READ = 256
"""Shapes kept per read: lists of every length up to a page of 100, for staff and partners."""
_FIRST_STAND_IN = 7_301_946_053_000_001
"""Stand-in ints start here: far beyond any id or count the service stores, and unlike any constant."""
_STRING_STAND_IN = " Stand-In_%{} "
"""Stand-in strings: mixed case, spaces at both ends, LIKE's wildcards: any change Tortoise makes to
a string (case, trimming, escaping, wrapping) shows, and that shape is not cached."""
_UNCACHEABLE = object()

Source = tuple[str | None, int | None, Any]
"""Where a parameter comes from: (keyword, None, None) a value, (keyword, index, None) an item of a
list, (None, None, constant) a constant of the statement."""


@dataclass(frozen=True, slots=True)
class _Built:
    """A shape's statement: the query as Tortoise left it after building it once (what its
    ``_execute`` reads besides the SQL), the SQL, and where each parameter comes from."""

    query: Any
    """An ``AwaitableQuery`` that has made its query (``_make_query``)."""
    sql: str
    sources: tuple[Source, ...]

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        arguments = []
        for name, index, constant in self.sources:
            if name is None:
                arguments.append(constant)
            elif index is None:
                arguments.append(values[name])
            else:
                arguments.append(values[name][index])
        return arguments


@dataclass(frozen=True, slots=True)
class _Statement:
    """Stands in for pypika's query in a copy of the built one: Tortoise's ``_execute`` asks it for
    the SQL and parameters, and gets the cached SQL with this call's values."""

    sql: str
    values: list[Any]

    def get_parameterized_sql(self) -> tuple[str, list[Any]]:
        return self.sql, self.values


class Prepared(Generic[ResultT]):
    """A read run through Tortoise with its SQL built once per shape (see the module).

    ``build`` takes the shape's positional arguments and the values by keyword, and returns the
    query. It may decide the query's form by the shape and by whether a value is None, never by a
    value itself: it is called with stand-ins once, and its statement then serves every value."""

    def __init__(self, build: Callable[..., Awaitable[ResultT]]) -> None:
        self._build = build
        self._model: type[Model] | None = None
        self._shapes: dict[Hashable, _Built | object] = {}

    @property
    def statements_kept(self) -> int:
        """How many shapes run from a kept statement (the rest are built each time)."""
        return sum(isinstance(built, _Built) for built in self._shapes.values())

    async def __call__(
        self, *shape: Hashable, connection: BaseDBAsyncClient | None = None, **values: Any
    ) -> ResultT:
        key = _key_of(shape, values)
        if key is not None and self._model is not None:
            db = connection or router.db_for_read(self._model) or self._model._meta.db
            key = (db.capabilities.dialect, key)
            built = self._shapes.get(key)
            if built is None:
                built = self._prepare(key, db, shape, values)
            if isinstance(built, _Built):
                ready = copy.copy(built.query)
                ready._db = db
                ready.query = _Statement(built.sql, built.arguments(values))
                return cast(ResultT, await ready._execute())
        query: Any = self._build(*shape, **values)
        self._model = query.model
        return cast(ResultT, await (query if connection is None else query.using_db(connection)))

    def _prepare(
        self, key: Hashable, db: BaseDBAsyncClient, shape: tuple[Hashable, ...], values: dict[str, Any]
    ) -> object:
        built: _Built | object = _UNCACHEABLE
        stand_ins = _stand_ins(values)
        try:
            query: Any = self._build(*shape, **{name: value for name, (value, _) in stand_ins.items()})
            query._db = db
            query._make_query()
            sql, parameters = query.query.get_parameterized_sql()
        except Exception:  # a stand-in the query refused: that shape is built each time
            parameters = None
        if parameters is not None:
            sources = {stand_in: source for _, placed in stand_ins.values() for stand_in, source in placed}
            found = [
                (isinstance(parameter, (int, str)) and sources.get(parameter)) or (None, None, parameter)
                for parameter in parameters
            ]
            taken = [source for source in found if source[0] is not None]
            if len(taken) == len(set(taken)) == len(sources) and not any(
                str(stand_in).strip() in sql for stand_in in sources
            ):
                if len(getattr(query, "_select_related_idx", ())) == 1:
                    # All of one model's columns and nothing joined: each row is the model's
                    # fields (and annotations) as they are, which Tortoise's executor makes into
                    # a model at once, not through its path for joined rows (~2 us a row less).
                    query._select_related_idx = []
                built = _Built(query=query, sql=sql, sources=tuple(found))
        if len(self._shapes) < _SHAPES_PER_READ:
            self._shapes[key] = built
        return built


def _key_of(shape: tuple[Hashable, ...], values: dict[str, Any]) -> Hashable | None:
    """The call's shape, or None when a value is of a kind that has no stand-in."""
    parts: list[Hashable] = [shape]
    for name, value in sorted(values.items()):
        if value is None:
            parts.append((name, None))
        elif isinstance(value, str) or _is_int(value):
            parts.append((name, type(value)))
        elif isinstance(value, (list, tuple)) and all(_is_int(item) for item in value):
            parts.append((name, len(value)))
        else:
            return None
    return tuple(parts)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _stand_ins(values: dict[str, Any]) -> dict[str, tuple[Any, list[tuple[Any, Source]]]]:
    """Per keyword: the value to build with (None kept) and which stand-in stands for what."""
    numbers = itertools.count(_FIRST_STAND_IN, 7919)
    made: dict[str, tuple[Any, list[tuple[Any, Source]]]] = {}
    for name, value in values.items():
        if value is None:
            made[name] = (None, [])
        elif isinstance(value, str):
            text = _STRING_STAND_IN.format(next(numbers))
            made[name] = (text, [(text, (name, None, None))])
        elif isinstance(value, (list, tuple)):
            items = [next(numbers) for _ in value]
            made[name] = (items, [(item, (name, index, None)) for index, item in enumerate(items)])
        else:
            number = next(numbers)
            made[name] = (number, [(number, (name, None, None))])
    return made
