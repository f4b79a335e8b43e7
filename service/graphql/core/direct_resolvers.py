"""Fields resolved without Strawberry's per-field wrapper, where that wrapper has nothing to do.

Strawberry gives every field with a resolver a wrapper that, on each resolve, builds an Info,
converts the (absent) arguments, chains the (absent) field extensions and calls the resolver through
two more partials; a field without one still goes through ``StrawberryField.get_result``. Under load
that wrapper was a third of the server's time (py-spy, issue 19). For a field with no arguments, no
field extensions or permissions and no exception handlers, and whose resolver takes only ``self``
and ``info``, those steps are the identity: the resolver is called directly with what Strawberry
would have passed it (the source as ``self``, a Strawberry ``Info`` under the same name). Every
other field keeps Strawberry's resolver. ``tests/graphql/test_direct_resolvers.py`` holds the two
ways to the same answers.

The resolvers of those fields that are synchronous are marked ``PLAIN`` (the direct ones, and
Strawberry's own where there is no direct way, e.g. relay's ``id``, whose resolver takes its source as
``root``): plain execution calls those, and only those (see ``plain_execution.py``).
"""

from __future__ import annotations

import dis
import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLObjectType
from strawberry import relay
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from service.graphql.core.plain_execution import (
    IGNORES_INFO,
    PLAIN,
    READS_ONLY_CONTEXT,
    ContextInfo,
    GiveUp,
)

Resolve = Callable[..., Any]


def use_direct_resolvers(schema: strawberry.Schema) -> int:
    """Give the schema's plain fields direct resolvers, and mark the synchronous ones plain; how many
    fields got a direct resolver."""
    converter = schema.schema_converter
    changed = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or not _plain(field, graphql_field, converter):
                continue
            resolve = _direct(field, schema.config.info_class) or _node_id(
                field, graphql_type, graphql_field.resolve
            )
            if resolve is not None:
                graphql_field.resolve = resolve
                changed += 1
            elif _synchronous(field) and graphql_field.resolve is not None:
                # Strawberry's resolver of this field alone (one closure per field), no wrapper to skip
                setattr(graphql_field.resolve, PLAIN, True)
    return changed


def _plain(field: StrawberryField, graphql_field: GraphQLField, converter: GraphQLCoreConverter) -> bool:
    return (
        graphql_field.subscribe is None
        and not field.is_subscription
        and not field.arguments
        and not field.extensions
        and not field.permission_classes
        and not converter._get_field_exception_handlers(field)
    )


def _direct(field: StrawberryField, info_class: type[Any]) -> Resolve | None:
    resolver = field.base_resolver
    if resolver is None:
        if field.default_resolver is not getattr:
            return None
        name = field.python_name

        def attribute(source: Any, _info: Any) -> Any:
            return getattr(source, name)

        return _marked(attribute, ignores_info=True, plain=True)
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    reserved = {
        parameter.name for parameter in resolver.reserved_parameters.values() if parameter is not None
    }
    if set(resolver.signature.parameters) - reserved:
        return None  # a parameter Strawberry fills some other way
    function: Callable[..., Any] = resolver.wrapped_func  # type: ignore[assignment]
    takes_self = resolver.self_parameter is not None
    info_parameter = resolver.info_parameter
    plain = _synchronous(field)
    if info_parameter is None:
        if takes_self:
            return _marked(lambda source, _info: function(source), ignores_info=True, plain=plain)
        return _marked(lambda _source, _info: function(), ignores_info=True, plain=plain)
    info_name = info_parameter.name
    if _reads_only_context(function, info_name):
        # graphql-core's own info object has the same ``context``; no Strawberry Info is made for it
        def with_context(source: Any, info: Any) -> Any:
            if takes_self:
                return function(source, **{info_name: info})
            return function(**{info_name: info})

        return _marked(with_context, ignores_info=False, plain=plain, reads_only_context=True)

    def with_info(source: Any, info: Any) -> Any:
        strawberry_info = info_class(_raw_info=info, _field=field)
        if takes_self:
            return function(source, **{info_name: strawberry_info})
        return function(**{info_name: strawberry_info})

    return _marked(with_info, ignores_info=False, plain=plain)


def _node_id(
    field: StrawberryField, object_type: GraphQLObjectType, fallback: Resolve | None
) -> Resolve | None:
    """relay's ``id`` of a Node type that keeps relay's ``resolve_id`` and ``resolve_typename``: the
    global id of the object type's name and the NodeID attribute, as ``relay.Node._id`` makes it,
    without the info, path and wrapper it is otherwise called through (50 a dashboard request). Any
    other source (a subclass, an id that is not an int or a str) goes to Strawberry's resolver."""
    resolver = field.base_resolver
    function = getattr(resolver.wrapped_func, "__func__", None) if resolver is not None else None
    definition = (object_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)
    if (
        fallback is None
        or function is not relay.Node.__dict__["_id"].__func__
        or not (isinstance(origin, type) and issubclass(origin, relay.Node))
        or origin.resolve_id.__func__ is not relay.Node.resolve_id.__func__  # type: ignore[attr-defined]
        or origin.resolve_typename.__func__ is not relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]
    ):
        return None
    attribute, type_name = origin.resolve_id_attr(), object_type.name

    def node_id(source: Any, info: Any) -> Any:
        if type(source) is origin:
            key = getattr(source, attribute)
            if type(key) is int or type(key) is str:
                return relay.GlobalID(type_name=type_name, node_id=str(key))
        if isinstance(info, ContextInfo):  # a plan's: graphql-core calls it again with its own info
            raise GiveUp
        return fallback(source, info)

    return _marked(node_id, ignores_info=False, plain=True, reads_only_context=True)


def _synchronous(field: StrawberryField) -> bool:
    """Whether the field's value comes from a plain function (not a coroutine function): an attribute,
    or a resolver defined with ``def``. Some such resolvers return an awaitable when the request's
    loaders have nothing yet (see ``Recognition.cohorts``): plain execution gives those values up."""
    resolver = field.base_resolver
    if resolver is None:
        return field.default_resolver is getattr
    return not inspect.iscoroutinefunction(resolver.wrapped_func) and not resolver.is_async


def _reads_only_context(function: Callable[..., Any], info_name: str) -> bool:
    """Whether the resolver's only use of its info parameter is ``info.context`` (read from its
    bytecode: each load of the parameter is followed by loading the attribute ``context``; the
    parameter is not stored to, deleted, passed on or captured by an inner function). Most resolvers
    that take an info read only the request's Context from it (its clock, actor and loaders): for
    those, a plan passes an object with only ``context`` instead of building graphql-core's and
    Strawberry's info objects and a path (550 of them a dashboard request, issue 19)."""
    code = getattr(function, "__code__", None)
    if code is None or info_name in code.co_cellvars or info_name in code.co_freevars:
        return False
    instructions = list(dis.get_instructions(code))
    for index, instruction in enumerate(instructions):
        if instruction.opcode not in dis.haslocal:
            continue
        named = instruction.argval
        if named != info_name and not (isinstance(named, tuple) and info_name in named):
            continue
        following = instructions[index + 1] if index + 1 < len(instructions) else None
        if (
            instruction.opname != "LOAD_FAST"
            or following is None
            or following.opname != "LOAD_ATTR"
            or following.argval != "context"
        ):
            return False
    return True


def _marked(
    resolve: Resolve, *, ignores_info: bool, plain: bool, reads_only_context: bool = False
) -> Resolve:
    """What plain execution may know of a direct resolver (see ``plain_execution.py``): whether it
    reads its info argument, or only the info's ``context``, and whether a plan may call it."""
    setattr(resolve, IGNORES_INFO, ignores_info)
    setattr(resolve, READS_ONLY_CONTEXT, reads_only_context)
    setattr(resolve, PLAIN, plain)
    return resolve
