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
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLObjectType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from service.graphql.core.plain_execution import AWAITS, IGNORES_INFO

Resolve = Callable[..., Any]


def use_direct_resolvers(schema: strawberry.Schema) -> int:
    """Give the schema's plain fields direct resolvers; how many fields got one."""
    converter = schema.schema_converter
    changed = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or not _plain(field, graphql_field, converter):
                continue
            resolve = _direct(field, schema.config.info_class)
            if resolve is not None:
                graphql_field.resolve = resolve
                changed += 1
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

        return _marked(attribute, ignores_info=True, awaits=False)
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
    awaits = inspect.iscoroutinefunction(function)
    if info_parameter is None:
        if takes_self:
            return _marked(lambda source, _info: function(source), ignores_info=True, awaits=awaits)
        return _marked(lambda _source, _info: function(), ignores_info=True, awaits=awaits)
    info_name = info_parameter.name

    def with_info(source: Any, info: Any) -> Any:
        strawberry_info = info_class(_raw_info=info, _field=field)
        if takes_self:
            return function(source, **{info_name: strawberry_info})
        return function(**{info_name: strawberry_info})

    return _marked(with_info, ignores_info=False, awaits=awaits)


def _marked(resolve: Resolve, *, ignores_info: bool, awaits: bool) -> Resolve:
    """What plain execution may know of a direct resolver (see ``plain_execution.py``): whether it
    reads its info argument, and whether it returns a coroutine."""
    setattr(resolve, IGNORES_INFO, ignores_info)
    setattr(resolve, AWAITS, awaits)
    return resolve
