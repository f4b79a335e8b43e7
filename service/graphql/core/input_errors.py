"""Input the schema cannot take (a date that does not exist, an id that is not one, a value of the
wrong type, a required argument left out) answered like every other refusal: a stable
``extensions.code`` and ``extensions.field``, the path of the value inside its field's arguments
(without a leading ``input``, as payload errors name it), whether it was written in the document or
sent in a variable. A variable's value is named where the document uses it; a variable used in more
than one place (or nowhere, or only in a directive) has no one such path, and is named by itself,
``$`` and all (``["$d"]``, ``["$s", "0"]``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    ArgumentNode,
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputType,
    InlineFragmentNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    ProvidedRequiredArgumentsRule,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    ValuesOfCorrectTypeRule,
    VariableNode,
    get_operation_ast,
    is_required_argument,
)
from graphql.language import SKIP, VisitorAction
from graphql.utilities.validate_input_value import validate_input_literal
from strawberry.extensions import SchemaExtension
from strawberry.relay.types import InvalidGlobalIDError

from service.errors import ErrorCode

_VARIABLE = re.compile(r"^Variable '\$(?P<name>\w+)' has invalid value(?: at (?P<path>(?:\.\w+|\[\d+\])+))?:")
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")
_BAD_ID = re.compile(r'^Value cannot represent a GlobalID: "(?P<value>.*)"\.$', re.DOTALL)
_REFUSED_VALUE = re.compile(r'^Value cannot represent a \w+: "(?P<value>[^"]*)"')

Path = list[str | int]


def code_of(message: str) -> ErrorCode:
    """The code of an input the schema refused, from what the scalar said about it."""
    if "cannot represent a GlobalID" in message:
        return ErrorCode.INVALID_ID
    if "cannot represent a DateTime" in message:
        return ErrorCode.INVALID_DATE_TIME
    if "cannot represent a Date" in message:
        return ErrorCode.INVALID_DATE
    return ErrorCode.INVALID_VALUE


def _as_field(path: Path) -> list[str]:
    """A path as payload errors name fields: strings, without the one ``input`` argument."""
    if len(path) > 1 and path[0] == "input":
        path = path[1:]
    return [str(step) for step in path]


def _variable_path(match: re.Match[str], document: DocumentNode | None, operation_name: str | None) -> Path:
    """Where a variable's refused value is: the argument path of its one use, then the path inside
    the value; a variable without one use in a field's arguments is named by itself (``$d``)."""
    inside: Path = [name if name else int(index) for name, index in _STEP.findall(match["path"] or "")]
    uses = [] if document is None else _variable_uses(document, operation_name, match["name"])
    if len(uses) == 1 and uses[0] is not None:
        return [*uses[0], *inside]
    return ["$" + match["name"], *inside]


def _variable_uses(document: DocumentNode, operation_name: str | None, name: str) -> list[Path | None]:
    """Each use of the variable ``name`` in the operation run and the fragments it spreads (each
    once): its path in a field's arguments, or None in a directive's."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    uses: list[Path | None] = []
    spread: set[str] = set()

    def in_directives(node: Any) -> None:
        for directive in getattr(node, "directives", None) or ():
            for argument in directive.arguments or ():
                uses.extend(None for _ in _variables_in(argument.value, [], name))

    in_directives(operation)
    pending: list[SelectionSetNode] = [operation.selection_set]
    while pending:
        for selection in pending.pop().selections:
            in_directives(selection)
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    uses.extend(_variables_in(argument.value, [argument.name.value], name))
                if selection.selection_set is not None:
                    pending.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                spread.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    in_directives(fragment)
                    pending.append(fragment.selection_set)
    return uses


def _variables_in(value: ValueNode, path: Path, name: str) -> Iterator[Path]:
    """The path of each use of the variable ``name`` inside a value written in the document."""
    if isinstance(value, VariableNode):
        if value.name.value == name:
            yield path
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from _variables_in(field.value, [*path, field.name.value], name)
    elif isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            yield from _variables_in(item, [*path, index], name)


def _paths_in_value(value: ValueNode, path: Path, variables: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    """Every leaf of an argument's value (literals and variables' values) with its path."""
    if isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from _paths_in_value(field.value, [*path, field.name.value], variables)
    elif isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            yield from _paths_in_value(item, [*path, index], variables)
    elif isinstance(value, VariableNode):
        yield from _paths_in_plain(variables.get(value.name.value), path)
    else:
        yield path, value


def _paths_in_plain(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _paths_in_plain(item, [*path, key])
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for index, item in enumerate(value):
            yield from _paths_in_plain(item, [*path, index])
    else:
        yield path, value


def _arguments(nodes: Sequence[Node]) -> list[ArgumentNode]:
    return [argument for node in nodes if isinstance(node, FieldNode) for argument in node.arguments or ()]


def _bad_id_path(error: GraphQLError, variables: Mapping[str, Any]) -> Path | None:
    """Where in its field's arguments the id that could not be read was sent."""
    match = _BAD_ID.match(error.message)
    if match is None:
        return None
    for argument in _arguments(error.nodes or []):
        for path, leaf in _paths_in_value(argument.value, [argument.name.value], variables):
            # A literal of any kind (`id: 5` too) by its text; a variable's value as sent.
            sent = getattr(leaf, "value", None) if isinstance(leaf, ValueNode) else leaf
            if sent == match["value"]:
                return path
    return None


def _literal_path(error: GraphQLError, document: DocumentNode | None) -> Path | None:
    """Where a literal the document wrote and validation refused sits in its field's arguments: the
    node the error names, or else the string literal whose value the message quotes."""
    match = _REFUSED_VALUE.match(error.message)
    if document is None or (not error.nodes and match is None):
        return None
    wanted = error.nodes[0] if error.nodes else None
    found: list[Path] = []

    def refused(leaf: Any) -> bool:
        if wanted is not None:
            return leaf is wanted
        return isinstance(leaf, StringValueNode) and match is not None and leaf.value == match["value"]

    def visit(node: Any) -> None:
        if isinstance(node, FieldNode):
            for argument in node.arguments or ():
                for path, leaf in _paths_in_value(argument.value, [argument.name.value], {}):
                    if refused(leaf):
                        found.append(path)
        for key in getattr(node, "keys", ()):
            child = getattr(node, key, None)
            for item in child if isinstance(child, tuple | list) else [child]:
                if isinstance(item, Node):
                    visit(item)

    visit(document)
    return found[0] if found else None


def with_code(
    error: GraphQLError,
    *,
    variables: Mapping[str, Any],
    document: DocumentNode | None,
    operation_name: str | None = None,
) -> GraphQLError:
    """The error with a code and a field, if it is an input the schema could not take."""
    if (error.extensions or {}).get("code"):
        return error
    path: Path | None
    if match := _VARIABLE.match(error.message):
        path = _variable_path(match, document, operation_name)
    elif isinstance(error.original_error, InvalidGlobalIDError) or error.message.startswith(
        "Value cannot represent a GlobalID"
    ):
        path = _bad_id_path(error, variables)
    elif error.message.startswith("Value cannot represent a") or error.message.startswith(
        "Expected value of type"
    ):
        path = _literal_path(error, document)
    else:
        return error
    return coded(error, path)


def coded(error: GraphQLError, path: Path | None) -> GraphQLError:
    """The error with the code of what the schema refused, and the field at ``path`` if known."""
    extensions: dict[str, Any] = {"code": code_of(error.message).value}
    if path:
        extensions["field"] = _as_field(path)
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


class CodedValuesOfCorrectTypeRule(ValuesOfCorrectTypeRule):
    """graphql-core's check of the values written in the document, each refusal with the code and
    the field a variable's would have: the path from the field's argument to the value refused."""

    argument: str | None = None

    def enter_argument(self, node: ArgumentNode, _key: Any, _parent: Any, _path: Any, ancestors: Any) -> None:
        # A directive's argument (`@include(if:)`) is no field's input: its refusal names no field.
        self.argument = node.name.value if ancestors and isinstance(ancestors[-1], FieldNode) else None

    def leave_argument(self, *_args: Any) -> None:
        self.argument = None

    def is_valid_value_node(self, node: ValueNode, input_type: GraphQLInputType | None) -> VisitorAction:
        if input_type:
            argument = self.argument

            def on_error(error: GraphQLError, path: Path) -> None:
                self.report_error(coded(error, None if argument is None else [argument, *path]))

            validate_input_literal(node, input_type, on_error, None, None, self.context.hide_suggestions)
        return SKIP


class CodedProvidedRequiredArgumentsRule(ProvidedRequiredArgumentsRule):
    """graphql-core's check that a field's required arguments are given, each refusal with the code
    and the field a variable left out would have."""

    missing: list[str]

    def leave_field(self, field_node: FieldNode, *args: Any) -> VisitorAction:
        field_def = self.context.get_field_def()
        given = {argument.name.value for argument in field_node.arguments or ()}
        # graphql-core refuses them in this order, one error each.
        self.missing = [
            name
            for name, argument in (field_def.args if field_def else {}).items()
            if name not in given and is_required_argument(argument)
        ]
        try:
            return super().leave_field(field_node, *args)
        finally:
            self.missing = []

    def report_error(self, error: GraphQLError) -> None:
        missing = getattr(self, "missing", [])
        super().report_error(coded(error, [missing.pop(0)]) if missing else error)


CODED_RULES: dict[type[ASTValidationRule], type[ASTValidationRule]] = {
    ValuesOfCorrectTypeRule: CodedValuesOfCorrectTypeRule,
    ProvidedRequiredArgumentsRule: CodedProvidedRequiredArgumentsRule,
}


class InputErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(CODED_RULES.get(rule, rule) for rule in context.validation_rules)
        yield
        result = context.result
        if result is None or not result.errors:
            return
        variables = context.variables or {}
        result.errors = [
            with_code(
                error,
                variables=variables,
                document=context.graphql_document,
                operation_name=context.operation_name,
            )
            for error in result.errors
        ]
