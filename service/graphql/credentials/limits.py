"""A credential is longer than the text any other input holds: the variable passed as
``verifyCredential(credential:)`` is held to the credential's own limit, every other to the usual."""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLError, VariableNode, Visitor, visit

from service.credentials.verification import MAX_CREDENTIAL_CHARACTERS
from service.graphql.core.extensions.documents import variables_refusal


def credential_variables(document: DocumentNode) -> set[str]:
    """The variables a document passes as a credential to verify."""
    names: set[str] = set()

    class Credentials(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            if node.name.value != "verifyCredential":
                return
            for argument in node.arguments or ():
                if argument.name.value == "credential" and isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)

    visit(document, Credentials())
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
