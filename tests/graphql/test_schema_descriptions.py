"""Every type, field, argument and enum value of the schema says what it is (GraphiQL's docs and
`schema.graphql` are what a front-end developer reads), so a new one without a description fails."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
)

from service.graphql.schema import schema


def _without_description() -> Iterator[str]:
    """Each part of the schema with no description, by name: `Type`, `Type.field`,
    `Type.field(argument)`, `Enum.VALUE`. Introspection's own types are GraphQL's, not ours."""
    graphql_schema = schema._schema
    mutation = graphql_schema.mutation_type
    for name, named in graphql_schema.type_map.items():
        if name.startswith("__"):
            continue
        yield from _missing(named, is_mutation=named is mutation)


def _missing(named: GraphQLNamedType, *, is_mutation: bool) -> Iterator[str]:
    if not named.description:
        yield named.name
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        for field_name, field in named.fields.items():
            if not field.description:
                yield f"{named.name}.{field_name}"
            for argument_name, argument in getattr(field, "args", {}).items():
                # A mutation's one `input` is described by its input type and that type's fields.
                if is_mutation and argument_name == "input":
                    continue
                if not argument.description:
                    yield f"{named.name}.{field_name}({argument_name})"
    if isinstance(named, GraphQLEnumType):
        for value_name, value in named.values.items():
            if not value.description:
                yield f"{named.name}.{value_name}"


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    assert sorted(_without_description()) == []
