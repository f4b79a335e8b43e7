"""Input the schema cannot take (a date that does not exist, an id that is not one, a value of the
wrong type) answered like every other refusal: a stable ``extensions.code`` and ``extensions.field``,
the path of the value inside the operation's arguments (without a leading ``input``, as payload
errors name it)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)
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


def _variable_path(match: re.Match[str]) -> Path:
    steps: Path = [match["name"]]
    for name, index in _STEP.findall(match["path"] or ""):
        steps.append(name if name else int(index))
    return steps


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
            sent = leaf.value if isinstance(leaf, StringValueNode) else leaf
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
    error: GraphQLError, *, variables: Mapping[str, Any], document: DocumentNode | None
) -> GraphQLError:
    """The error with a code and a field, if it is an input the schema could not take."""
    if (error.extensions or {}).get("code"):
        return error
    path: Path | None
    if match := _VARIABLE.match(error.message):
        path = _variable_path(match)
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


class InputErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result = context.result
        if result is None or not result.errors:
            return
        variables = context.variables or {}
        result.errors = [
            with_code(error, variables=variables, document=context.graphql_document)
            for error in result.errors
        ]
