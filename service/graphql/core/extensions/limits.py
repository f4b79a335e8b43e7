"""Abusive documents refused before anything costly looks at them: too long or too many tokens (at
parse), then, in one linear pass over the parsed document and before the schema's validation, too
deep, too many aliases, too costly, too large once its fragments are expanded, or too many fields
answering to one name — each with a clear error and a code.

Cost: every field costs 1, and a field's selections cost as many times over as its `first`
argument asks for (100 when `first` is a variable: the most any page may hold), so nested lists
multiply.

Size and repeats bound the schema's own validation, whose work grows with the expanded document
(every spread of a fragment walks it again) and, for fields that answer to one name in one
selection set, with the square of their number (each pair must be shown to merge). Each fragment is
measured once and remembered, so the pass itself costs one visit per node of the document, however
often its fragments are spread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from service.graphql.core.paging import MAX_PAGE_SIZE


@dataclass(frozen=True)
class Limits:
    depth: int
    aliases: int
    cost: int
    fields: int
    repeats: int
    text: int = 1_000
    """The longest text input, in characters."""


@dataclass(frozen=True)
class Measure:
    depth: int
    aliases: int
    cost: int
    fields: int
    """Field selections once every fragment is expanded (introspection included)."""
    repeats: int
    """The most fields answering to one name in one selection set, its fragments' included."""


@dataclass
class _Measured:
    measure: Measure
    names: Counter[str]
    """How many fields answer to each name at this level (fragments spread here included)."""


@dataclass
class Measurer:
    """Measures the definitions of one document; ``visits`` counts the work it did."""

    fragments: dict[str, FragmentDefinitionNode]
    visits: int = 0
    _done: dict[str, _Measured] = field(default_factory=dict)

    @classmethod
    def of(cls, document: DocumentNode) -> Measurer:
        return cls(
            {
                definition.name.value: definition
                for definition in document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
        )

    def measure(self, selection_set: SelectionSetNode) -> Measure:
        return self._selection_set(selection_set, frozenset()).measure

    def fragment(self, name: str, visiting: frozenset[str] = frozenset()) -> _Measured | None:
        """A fragment's measure, made once; None for an unknown one or a cycle (the schema's own
        rules report both)."""
        if name in self._done:
            return self._done[name]
        if name in visiting or name not in self.fragments:
            return None
        measured = self._selection_set(self.fragments[name].selection_set, visiting | {name})
        self._done[name] = measured
        return measured

    def _selection_set(self, selection_set: SelectionSetNode, visiting: frozenset[str]) -> _Measured:
        depth = aliases = cost = fields = repeats = 0
        names: Counter[str] = Counter()
        for selection in selection_set.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                aliases += selection.alias is not None
                fields += 1
                names[(selection.alias or selection.name).value] += 1
                if selection.selection_set is None:
                    if not selection.name.value.startswith("__"):
                        depth, cost = max(depth, 1), cost + 1
                    continue
                inner = self._selection_set(selection.selection_set, visiting)
                aliases += inner.measure.aliases
                fields += inner.measure.fields
                repeats = max(repeats, inner.measure.repeats)
                if selection.name.value.startswith("__"):
                    # Introspection: shaped by the schema itself, so neither deep nor costly to run
                    # (its size still counts: validation walks it like any other).
                    continue
                depth = max(depth, inner.measure.depth + 1)
                cost += 1 + _page_size(selection) * inner.measure.cost
                continue
            if isinstance(selection, InlineFragmentNode):
                spread: _Measured | None = self._selection_set(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                spread = self.fragment(selection.name.value, visiting)
            else:  # pragma: no cover - a selection is one of the three
                spread = None
            if spread is None:
                continue
            inner_measure = spread.measure
            depth, aliases = max(depth, inner_measure.depth), aliases + inner_measure.aliases
            cost, fields = cost + inner_measure.cost, fields + inner_measure.fields
            repeats = max(repeats, inner_measure.repeats)
            self.visits += len(spread.names)
            names.update(spread.names)
        repeats = max(repeats, max(names.values(), default=0))
        return _Measured(Measure(depth, aliases, cost, fields, repeats), names)


def _page_size(field_node: FieldNode) -> int:
    for argument in field_node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(1, int(argument.value.value))
            if isinstance(argument.value, VariableNode):
                return MAX_PAGE_SIZE
    return 1


_OPERATION_LIMITS = (
    ("depth", "QUERY_TOO_DEEP", "The operation is {} levels deep; at most {} are allowed."),
    ("aliases", "TOO_MANY_ALIASES", "The operation has {} aliases; at most {} are allowed."),
    (
        "cost",
        "QUERY_TOO_COSTLY",
        "The operation costs {} (a field costs 1, times the page size asked for above it); "
        "at most {} is allowed.",
    ),
)
_DOCUMENT_LIMITS = (
    (
        "fields",
        "QUERY_TOO_LARGE",
        "The document selects {} fields once its fragments are expanded; at most {} are allowed.",
    ),
    (
        "repeats",
        "TOO_MANY_REPEATED_FIELDS",
        "The document selects one field {} times in one place; at most {} are allowed.",
    ),
)


def refusals(document: DocumentNode, limits: Limits, measurer: Measurer | None = None) -> list[GraphQLError]:
    """What the document breaks of the limits; empty when it may go on to validation."""
    measurer = measurer or Measurer.of(document)
    errors: list[GraphQLError] = []
    fields = repeats = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            found = measurer.measure(definition.selection_set)
            errors += _over(definition, found, limits, _OPERATION_LIMITS)
        elif isinstance(definition, FragmentDefinitionNode):
            measured = measurer.fragment(definition.name.value)
            found = measured.measure if measured is not None else Measure(0, 0, 0, 0, 0)
        else:
            continue
        # Every definition is validated, used or not, so every one counts.
        fields, repeats = fields + found.fields, max(repeats, found.repeats)
    if fields > limits.fields or repeats > limits.repeats:
        whole = Measure(0, 0, 0, fields, repeats)
        errors += _over(None, whole, limits, _DOCUMENT_LIMITS)
    return errors


def _over(
    node: OperationDefinitionNode | None,
    found: Measure,
    limits: Limits,
    checks: Iterable[tuple[str, str, str]],
) -> list[GraphQLError]:
    errors = []
    for name, code, message in checks:
        value, limit = getattr(found, name), getattr(limits, name)
        if value > limit:
            errors.append(
                GraphQLError(
                    message.format(f"{value:,}", f"{limit:,}"),
                    node,
                    extensions={"code": code, "limit": limit, "found": value},
                )
            )
    return errors
