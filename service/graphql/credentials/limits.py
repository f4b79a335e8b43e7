"""A credential is longer than the text any other input holds: the variable passed as
``verifyCredential(credential:)`` is held to the credential's own limit, every other to the usual."""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLError, VariableNode, Visitor, visit

from service.credentials.verification import MAX_CREDENTIAL_CHARACTERS
from service.graphql.core.extensions.documents import _Cache, variables_refusal


class _Credentials(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_: object) -> None:
        if node.name.value != "verifyCredential":
            return
        for argument in node.arguments or ():
            if argument.name.value == "credential" and isinstance(argument.value, VariableNode):
                self.names.add(argument.value.name.value)


# DocumentGate hands out one parsed document per text, so each is walked once, not per request (the
# walk was a request's largest fixed cost after the sign-in). Keyed by identity, the document kept
# with its entry so that its id is not reused while the entry lives.
_found: _Cache[int, tuple[DocumentNode, frozenset[str]]] = _Cache(256)


def credential_variables(document: DocumentNode) -> frozenset[str]:
    """The variables a document passes as a credential to verify."""
    cached = _found.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    visitor = _Credentials()
    visit(document, visitor)
    names = frozenset(visitor.names)
    _found.put(id(document), (document, names))
    return names


def text_refusal(
    document: DocumentNode | None, variables: dict[str, Any] | None, max_characters: int
) -> GraphQLError | None:
    """``variables_refusal``, with the credential variables held to the credential's limit."""
    if not variables or document is None:
        return variables_refusal(variables, max_characters)
    long = credential_variables(document)
    usual = {name: value for name, value in variables.items() if name not in long}
    credentials = {name: value for name, value in variables.items() if name in long}
    return variables_refusal(usual, max_characters) or variables_refusal(
        credentials, MAX_CREDENTIAL_CHARACTERS
    )
