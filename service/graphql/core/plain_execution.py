"""A shorter way through graphql-core for the parts of a query that resolve at once.

graphql-core completes every field of every row through ``execute_field`` and ``complete_value``:
an info object, a path, an awaitability check and a dispatch on the return type each time, and a
``try`` per field that turns a failure into a located error. Under load that machinery was most of
the API's CPU (py-spy and cProfile, issue 19), far more than our resolvers.

Here a query's object values are completed by a plan built once per (object type, selection) in a
request: per field, the resolver, whether it needs an info object, and a completer for its return
type (leaf, non-null, list, object, interface or union), recursively. Running a plan calls the same
resolvers with the same arguments, coerces leaves with the same functions and builds the same result
dict in the same order, but without graphql-core's per-field bookkeeping.

A plan calls only resolvers ``direct_resolvers.py`` marked ``PLAIN``: synchronous functions of fields
without arguments, field extensions, permissions or exception handlers. Such a resolver cannot reach
the database (Tortoise is asynchronous only): it reads the object it is given, the request's clock
and actor, and the request's loader caches. Some of them (``Recognition.cohorts``, ``availableActions``,
the ``ScopedLoader.then`` ones) return an awaitable when the cache has nothing yet; a plan then gives
up and cancels or closes it, so it never runs. Plans run in query operations only.

A plan covers only what it can answer exactly, and gives up on anything else:

- not built (graphql-core does all of it) for a selection with a field whose resolver is not marked
  plain, that takes arguments, a directive other than ``@skip``/``@include``, deferred fragments,
  field middleware, or outside a query operation;
- abandoned at run time (graphql-core completes the object from the start) when a resolver raises or
  returns something awaitable, a value is an exception, a non-null field is null, a list is not a
  list, a leaf does not coerce, or an abstract type's runtime type is not plain to decide.

A resolver that reads only ``info.context`` (``direct_resolvers.py`` reads that from its bytecode),
and relay's ``id``, get the execution's ``ContextInfo`` instead of an info object and a path: a
dashboard request built 550 of them for the rows' ``status``, ``cohorts``, ``program`` … (issue 19).

Errors, their paths and null propagation are then graphql-core's own. Abandoning calls the object's
resolvers again, so a plan that gave up is dropped for the rest of the request, with every plan it
was running inside: graphql-core completes those selections (their objects' children still through
their own plans), and a resolver runs at most twice for the value that gave up and once for the
others (``tests/graphql/test_plain_execution.py`` counts the calls). Give-ups are counted in the
metrics (``portal_graphql_plain_give_ups``): the dashboard and the certificates step have none.
``tests/graphql/test_direct_resolvers.py`` holds graphql-core's answers and these equal, for the
benchmark's operations and operations generated from the schema, and every object value a plan
completes while the test suite runs is held to graphql-core's (``tests/support/plain_execution_check.py``).
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    OperationType,
    TypeNameMetaFieldDef,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from service.graphql.core.extensions.observability import metrics_of

# What a plan's completer gets: the value, its path and the field's info (each None unless needed).
Complete = Callable[[Any, Path | None, Any], Any]
Run = Callable[[Any, Path | None], dict[str, Any]]
# A completer, whether it needs the field's info, and whether it needs the field's path (to make the
# paths of the values under it: only what builds an info object reads a path).
Completer = tuple[Complete, bool, bool]
NEEDS_PATH = "_needs_path"
"""Set on a plan's run: whether it reads the path it is given (some field under it builds an info)."""

PLAIN = "_plain"
"""Set (true) on a resolver a plan may call: see the module's docstring and ``direct_resolvers.py``."""

IGNORES_INFO = "_ignores_info"
"""Set on a resolver that never reads its info argument: a plan passes None instead of building one."""

READS_ONLY_CONTEXT = "_reads_only_context"
"""Set on a resolver that reads only ``info.context``: a plan passes it the request's ``ContextInfo``."""

PLAIN_DIRECTIVES = frozenset({"skip", "include"})  # applied by collect_subfields already


class GiveUp(Exception):
    """This value is graphql-core's to complete."""


class ContextInfo:
    """What a plan passes as the info of a resolver that reads only ``info.context`` (one per
    execution): any other attribute is an AttributeError, which gives the value up to graphql-core."""

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context


def _weakly(method: Callable[[Any], Any]) -> Callable[[Any], Any]:
    reference = weakref.WeakMethod(method)

    def call(values: Any) -> Any:
        bound = reference()
        assert bound is not None, "called only while its execution runs"
        return bound(values)

    return call


def _discard(value: Any) -> None:
    """An awaitable a plan will not await: a coroutine that never ran is closed (no warning, and it
    did nothing); a pending future is cancelled, which a resolver's future allows: a loader's is a
    shield of its own (``ScopedLoader.load``; the batch's shared future goes on, the retry asks it
    again) and a settled one is left as it is."""
    if inspect.iscoroutine(value):
        value.close()
    elif isinstance(value, asyncio.Future) and not value.done():
        value.cancel()


class PlainExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, completing plain object values through plans."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (object type, id of the selection) -> (the selection, kept alive; its plan or None)
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, Run | None]] = {}
        middleware = self.middleware_manager.middlewares if self.middleware_manager else ()
        self._plain = self.operation.operation is OperationType.QUERY and not middleware
        self._context_info = ContextInfo(self.context_value)
        # graphql-core's helpers hold this context's bound methods, and the context holds them: a
        # cycle that kept the request's objects (its Context, loaders, every value loaded) alive until
        # the garbage collector's next full pass. Weakly bound here: only code running inside this
        # execution calls them, so the context is alive when they are called.
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_weakly(self.gather_async_work), track=_weakly(self.track_async_work)
        )

    def build_response(self, data: dict[str, Any] | None) -> Any:
        response = super().build_response(data)
        if not self.background_futures:  # nothing runs on: no plan is needed any more
            self._plans.clear()  # (they hold this context: a cycle the collector would have to free)
        return response

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        planned = self._planned_value(return_type, field_details_list, info, path, result, position_context)
        if planned is not None:
            return planned
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _planned_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> dict[str, Any] | None:
        """The object value as its plan completes it, or None where graphql-core is to complete it."""
        if not (self._plain and position_context is None):
            return None
        run = self._plan(return_type, field_details_list)
        if run is None:
            return None
        try:
            is_type_of = return_type.is_type_of
            if is_type_of is not None:
                self._check_type(is_type_of(result, info))
            return run(result, path)
        except Exception:  # graphql-core answers it, errors and all
            self._drop(return_type, field_details_list)
            metrics = metrics_of(self.context_value)
            if metrics is not None:
                metrics.graphql_plain_give_ups.inc()
            return None

    def _drop(self, object_type: GraphQLObjectType, field_details_list: Any) -> None:
        """No plan for this selection any more in this request: it gave up once."""
        self._plans[(object_type, id(field_details_list))] = (field_details_list, None)

    def _check_type(self, matches: Any) -> None:
        if self.is_awaitable(matches):
            _discard(matches)
            raise GiveUp
        if not matches:
            raise GiveUp

    def _plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Run | None:
        key = (object_type, id(field_details_list))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        self._plans[key] = (field_details_list, None)  # while building: a cycle is no plan
        run = self._build(object_type, field_details_list)
        self._plans[key] = (field_details_list, run)
        return run

    def _build(self, object_type: GraphQLObjectType, field_details_list: Any) -> Run | None:
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        fields: list[tuple[str, Any, list[Any], Any, Complete | None, bool, bool]] = []
        for response_name, details in grouped.items():
            nodes = [detail.node for detail in details]
            if any(detail.fragment_variable_values is not None for detail in details) or any(
                directive.name.value not in PLAIN_DIRECTIVES
                for node in nodes
                for directive in node.directives or ()
            ):
                return None
            field_def = self.schema.get_field(object_type, nodes[0].name.value)
            if field_def is None:
                continue  # graphql-core leaves it out too
            if field_def is TypeNameMetaFieldDef:
                fields.append((response_name, field_def, nodes, None, None, False, False))
                continue
            resolve = field_def.resolve
            if field_def.args or nodes[0].arguments or not getattr(resolve, PLAIN, False):
                return None
            completer = self._completer(field_def.type, details)
            if completer is None:
                return None
            complete, completer_needs_info, completer_needs_path = completer
            needs_info = completer_needs_info or not (
                getattr(resolve, IGNORES_INFO, False) or getattr(resolve, READS_ONLY_CONTEXT, False)
            )
            needs_path = needs_info or completer_needs_path
            fields.append((response_name, field_def, nodes, resolve, complete, needs_info, needs_path))
        return self._runner(object_type, field_details_list, fields)

    def _runner(
        self,
        object_type: GraphQLObjectType,
        field_details_list: Any,
        fields: list[tuple[str, Any, list[Any], Any, Complete | None, bool, bool]],
    ) -> Run:
        type_name = object_type.name
        build_info = self.build_resolve_info
        is_awaitable = self.is_awaitable
        drop = self._drop
        context_info = self._context_info  # for the fields that need no info, or only its context
        dropped = False
        needs_path = any(field[6] for field in fields)
        # The same object under the same selection again (the dashboard's 200 cohorts are 20 objects,
        # each with its program and type: ``ScopedLoader.then`` and ``known_shown`` make one object
        # per key in a request) is completed once: its value is the one completed before, by the
        # same resolvers of the same object in the same request (a plan calls only plain resolvers:
        # reads of the object, the request's clock, actor and loaders). Not where a path is read (an
        # info object is built under it): each place then has its own.
        completed_before: dict[int, tuple[Any, dict[str, Any]]] | None = None if needs_path else {}

        def run(source: Any, path: Path | None) -> dict[str, Any]:
            nonlocal dropped
            if dropped:  # asked again by another plan that holds it
                raise GiveUp
            if completed_before is not None:
                before = completed_before.get(id(source))
                if before is not None and before[0] is source:
                    return before[1]
            completed: dict[str, Any] = {}
            try:
                for response_name, field_def, nodes, resolve, complete, needs_info, needs_path in fields:
                    if complete is None:  # __typename
                        completed[response_name] = type_name
                        continue
                    # a leaf read without an info (most fields) needs no path: a give-up's answer is
                    # graphql-core's, with its own paths
                    field_path = Path(path, response_name, type_name) if needs_path else None
                    info = (
                        build_info(field_def, nodes, object_type, field_path)  # type: ignore[arg-type]
                        if needs_info
                        else context_info
                    )
                    value = resolve(source, info)
                    if is_awaitable(value):
                        _discard(value)
                        raise GiveUp
                    completed[response_name] = complete(value, field_path, info)
            except Exception:
                # graphql-core completes this value again, and each object under it: a plan of those
                # that gave up now would give up again there, after calling its resolvers once more
                dropped = True
                drop(object_type, field_details_list)
                raise
            if completed_before is not None:
                completed_before[id(source)] = (source, completed)  # the source kept: its id stays its
            return completed

        setattr(run, NEEDS_PATH, needs_path)
        return run

    def _completer(self, return_type: GraphQLOutputType, details: Any) -> Completer | None:
        """How to complete a value of this type, and whether that needs the field's info and path."""
        if isinstance(return_type, GraphQLNonNull):
            inner = self._completer(return_type.of_type, details)
            return None if inner is None else (_non_null(inner[0]), inner[1], inner[2])
        if isinstance(return_type, GraphQLList):
            inner = self._completer(return_type.of_type, details)
            if inner is None:
                return None
            return _nullable(_list(inner[0], self.is_awaitable, inner[2])), inner[1], inner[2]
        if is_leaf_type(return_type):
            return _nullable(_leaf(_coercion(return_type))), False, False
        if is_object_type(return_type):
            return self._object_completer(return_type, details)
        if is_abstract_type(return_type):
            return self._abstract_completer(return_type, details)
        return None

    def _object_completer(self, object_type: GraphQLObjectType, details: Any) -> Completer | None:
        run = self._plan(object_type, details)
        if run is None:
            return None
        is_type_of = object_type.is_type_of
        check = self._check_type

        def complete(value: Any, path: Path | None, info: Any) -> Any:
            if is_type_of is not None:
                check(is_type_of(value, info))
            return run(value, path)

        needs_info = is_type_of is not None and not _ignores_info(is_type_of)
        return _nullable(complete), needs_info, getattr(run, NEEDS_PATH)

    def _abstract_completer(self, abstract_type: GraphQLAbstractType, details: Any) -> Completer | None:
        possible = self.schema.get_possible_types(abstract_type)
        completers = {}
        needs_path = False
        for object_type in possible:
            completer = self._object_completer(object_type, details)
            if completer is None:
                return None
            completers[object_type.name] = completer[0]
            needs_path = needs_path or completer[2]
        resolve_type = abstract_type.resolve_type or self.type_resolver
        is_awaitable = self.is_awaitable
        ensure_valid = self.ensure_valid_runtime_type

        def complete(value: Any, path: Path | None, info: Any) -> Any:
            runtime = resolve_type(value, info, abstract_type)
            if is_awaitable(runtime):
                _discard(runtime)
                raise GiveUp
            # graphql-core's checks of the runtime type (it raises what graphql-core would)
            runtime_type = ensure_valid(runtime, abstract_type, details, info, value)
            return completers[runtime_type.name](value, path, info)

        return _nullable(complete), True, needs_path


def _ignores_info(is_type_of: Callable[..., Any]) -> bool:
    """Whether an object type's ``is_type_of`` is Strawberry's, which reads only the value (its
    info parameter is ``_info``): a plan then passes it no info object."""
    code = getattr(is_type_of, "__code__", None)
    return (
        getattr(is_type_of, "__module__", None) == "strawberry.schema.schema_converter"
        and code is not None
        and code.co_varnames[:2] == ("obj", "_info")
    )


def _nullable(inner: Complete) -> Complete:
    """graphql-core's start of every completion: an exception as the value is an error (graphql-core's
    to report), None or Undefined is null; anything else is ``inner``'s."""

    def complete(value: Any, path: Path | None, info: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise GiveUp
        return inner(value, path, info)

    return complete


def _non_null(inner: Complete) -> Complete:
    def complete(value: Any, path: Path | None, info: Any) -> Any:
        completed = inner(value, path, info)
        if completed is None:
            raise GiveUp
        return completed

    return complete


def _list(inner: Complete, is_awaitable: Callable[[Any], bool], needs_path: bool) -> Complete:
    def complete(value: Any, path: Path | None, info: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise GiveUp  # other iterables, async ones among them: graphql-core's
        completed = []
        for index, item in enumerate(value):
            if is_awaitable(item):
                _discard(item)
                raise GiveUp
            completed.append(inner(item, Path(path, index, None) if needs_path else None, info))
        return completed

    return complete


def _coercion(leaf_type: GraphQLLeafType) -> Callable[[Any], Any]:
    """The type's own output coercion; for Strawberry's enums, the same answer from a table, made
    once per type: Strawberry's own looks through the enum's values reading each member's
    ``value``, ~10 % of the dashboard's time (its statuses and actions)."""
    if not isinstance(leaf_type, CustomGraphQLEnumType):
        return leaf_type.coerce_output_value
    coerce = _ENUM_COERCIONS.get(leaf_type)
    if coerce is None:
        coerce = _ENUM_COERCIONS[leaf_type] = _enum_coercion(leaf_type)
    return coerce


def _enum_coercion(enum_type: CustomGraphQLEnumType) -> Callable[[Any], Any]:
    wrapped, coerce = enum_type.wrapped_cls, enum_type.coerce_output_value
    names = {}
    member: Any
    for member in wrapped:
        for name, value in enum_type.values.items():
            if value.value == member.value:
                names[member] = name
                break

    def coerce_member(value: Any) -> Any:
        name = names.get(value) if type(value) is wrapped else None
        return coerce(value) if name is None else name

    return coerce_member


_ENUM_COERCIONS: weakref.WeakKeyDictionary[GraphQLEnumType, Callable[[Any], Any]] = (
    weakref.WeakKeyDictionary()
)


def _leaf(coerce: Callable[[Any], Any]) -> Complete:
    def complete(value: Any, path: Path | None, info: Any) -> Any:
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise GiveUp
        return coerced

    return complete
