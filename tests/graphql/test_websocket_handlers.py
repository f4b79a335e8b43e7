"""Our `graphql-transport-ws` handler copies Strawberry's message loop to let go of each message:
the copy must stay Strawberry's loop plus that one line, so a change upstream fails here."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

from service.graphql.core.websockets import TransportWebSocketHandler

UPSTREAM_CALL = "await self.handle_message(cast('Message', message))"
OUR_CALL = "await self.handle_message(message)"


def _code(function: Callable[..., Any]) -> str:
    """The function's code without its docstring and comments, one way of writing it."""
    definition = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
    assert isinstance(definition, ast.AsyncFunctionDef)
    if ast.get_docstring(definition) is not None:
        definition.body = definition.body[1:]
    return ast.unparse(definition)


def test_our_message_loop_is_strawberrys_but_lets_go_of_each_message() -> None:
    upstream = _code(BaseGraphQLTransportWSHandler.handle)
    [line] = [line for line in upstream.splitlines() if UPSTREAM_CALL in line]
    indent = line[: len(line) - len(line.lstrip())]

    assert _code(TransportWebSocketHandler.handle) == upstream.replace(
        line, f"{indent}{OUR_CALL}\n{indent}del message"
    )
