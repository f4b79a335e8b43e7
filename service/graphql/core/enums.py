"""GraphQL enums of the domain's values, each value described for the schema (the domain's enums know
nothing of GraphQL, so their descriptions are given here)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

EnumT = TypeVar("EnumT", bound=Enum)


def described_enum(
    values: type[EnumT], *, name: str, description: str, meanings: Mapping[EnumT, str]
) -> type[EnumT]:
    """``values`` as the GraphQL enum ``name``, each value with its meaning; a value without one (a
    member added to the domain's enum and not described here) stops the schema from being built."""
    missing = [member.name for member in values if member not in meanings]
    if missing:
        raise ValueError(f"{name}: describe {', '.join(missing)}")
    graphql_enum = strawberry.enum(values, name=name, description=description)
    by_value = {member.value: meaning for member, meaning in meanings.items()}
    for value in graphql_enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = by_value[value.value]
    return graphql_enum
