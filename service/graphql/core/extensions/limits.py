"""Abusive operations refused before they run: too many tokens (at parse), too deep, too many
aliases, or too costly (at validation) — each with a clear error and a code.

Cost: every field costs 1, and a field's selections cost as many times over as its `first`
argument asks for (100 when `first` is a variable: the most any page may hold), so nested lists
multiply. Limits come from the settings of the app serving the request. The rule classes are
cached per set of limits, so the validation cache keeps working.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from service.graphql.core.paging import MAX_PAGE_SIZE


@dataclass(frozen=True)
class Measure:
    depth: int
    aliases: int
    cost: int


def measure(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]) -> Measure:
    return _measure(selection_set, fragments, frozenset())


def _measure(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], visiting: frozenset[str]
) -> Measure:
    depth = aliases = cost = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            aliases += selection.alias is not None
            if selection.name.value.startswith("__"):
                continue  # introspection: shaped by the schema itself, cheap, and bounded by the token limit
            if selection.selection_set is None:
                depth, cost = max(depth, 1), cost + 1
                continue
            inner = _measure(selection.selection_set, fragments, visiting)
            depth = max(depth, inner.depth + 1)
            aliases += inner.aliases
            cost += 1 + _page_size(selection) * inner.cost
            continue
        if isinstance(selection, InlineFragmentNode):
            inner = _measure(selection.selection_set, fragments, visiting)
        elif isinstance(selection, FragmentSpreadNode):
            fragment_name = selection.name.value
            if fragment_name in visiting or fragment_name not in fragments:
                continue  # cycles and unknown fragments are the standard rules' to report
            inner = _measure(fragments[fragment_name].selection_set, fragments, visiting | {fragment_name})
        else:
            continue
        depth, aliases, cost = max(depth, inner.depth), aliases + inner.aliases, cost + inner.cost
    return Measure(depth, aliases, cost)


def _page_size(field: FieldNode) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(1, int(argument.value.value))
            if isinstance(argument.value, VariableNode):
                return MAX_PAGE_SIZE
    return 1


@functools.cache
def limits_rule(depth: int, aliases: int, cost: int) -> type[ValidationRule]:
    """A validation rule for these limits (one class per set of limits)."""

    class OperationLimitsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = {
                definition.name.value: definition
                for definition in self.context.document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            found = measure(node.selection_set, fragments)
            for value, limit, code, message in (
                (
                    found.depth,
                    depth,
                    "QUERY_TOO_DEEP",
                    "The operation is {} levels deep; at most {} are allowed.",
                ),
                (
                    found.aliases,
                    aliases,
                    "TOO_MANY_ALIASES",
                    "The operation has {} aliases; at most {} are allowed.",
                ),
                (
                    found.cost,
                    cost,
                    "QUERY_TOO_COSTLY",
                    "The operation costs {} (a field costs 1, times the page size asked for above it); "
                    "at most {} is allowed.",
                ),
            ):
                if value > limit:
                    self.report_error(
                        GraphQLError(
                            message.format(value, limit),
                            node,
                            extensions={"code": code, "limit": limit, "found": value},
                        )
                    )

    return OperationLimitsRule


class OperationLimits(SchemaExtension):
    """Applies the serving app's limits (its settings) to each operation, and refuses introspection
    when the explorer is off."""

    def on_operation(self) -> Iterator[None]:
        settings = self.execution_context.context.settings
        self.execution_context.parse_options["max_tokens"] = settings.max_query_tokens
        rules: tuple[type[ASTValidationRule], ...] = (
            limits_rule(settings.max_query_depth, settings.max_aliases, settings.max_query_cost),
        )
        if not settings.graphql_explorer:
            rules += (NoSchemaIntrospectionCustomRule,)
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, *rules)
        yield
