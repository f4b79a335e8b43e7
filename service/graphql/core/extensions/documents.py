"""Documents admitted before they cost the server anything: a document is parsed and measured once
(cached by its text), then refused when too long, too many tokens or over a limit (see
``limits.py``); an operation that needs a signed-in user is refused before validation when there is
none; validation runs once per document (cached). Parsing, measuring and validating a document not
seen before run in a worker thread, so the event loop (and ``/healthz``) never waits on them.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    get_operation_ast,
    parse,
    visit,
)
from graphql.language.visitor import BREAK
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document as validate_document
from strawberry.types import ExecutionContext

from service.graphql.core.context import Unauthenticated
from service.graphql.core.extensions.limits import Limits, Measurer, refusals
from service.settings import Settings

# graphql-core's own meter of the field-merging check (default 500,000 units, about a second):
# documents within our limits spend a few thousand, so a fifth of that is still far above them.
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = 100_000

# Root fields anyone may ask for without signing in: checking a certificate (the page a QR code
# opens) or its credential, and the schema itself while the explorer is on.
PUBLIC_FIELDS = frozenset({"verifyCertificate", "verifyCredential", "__typename"})
EXPLORER_FIELDS = frozenset({"__schema", "__type"})


Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")
T = TypeVar("T")


class _Cache(Generic[Key, Value]):
    """A small LRU cache shared by the threads that fill it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Key, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Value | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Key, value: Value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@dataclass(frozen=True)
class Admitted:
    document: DocumentNode | None
    errors: list[GraphQLError]
    visits: int = 0
    """The work measuring it took: selections visited, fragments' names merged."""


# Dashboards send the same few short documents again and again; a long one is kept only while its
# request needs it (it is looked up twice: for its operation's type, then to run it).
_admitted: _Cache[tuple[str, int, int, Limits], Admitted] = _Cache(256)
_admitted_long: _Cache[tuple[str, int, int, Limits], Admitted] = _Cache(8)
LONG_DOCUMENT = 10_000
_validated: _Cache[tuple[str, tuple[type[ASTValidationRule], ...]], list[GraphQLError]] = _Cache(256)


def text_refusal(text: str, max_characters: int) -> tuple[str, str] | None:
    """Why a text input cannot be taken (its code and message), or None: longer than any field of
    the service holds, or not Unicode that can be stored (a lone surrogate such as "\\ud800")."""
    if len(text) > max_characters:
        return (
            "INPUT_TOO_LONG",
            f"A text input is {len(text):,} characters long; at most {max_characters:,} are allowed.",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "INVALID_TEXT", "A text input holds a character that is not valid Unicode (a lone surrogate)."
    return None


def variables_refusal(variables: object, max_characters: int) -> GraphQLError | None:
    """The first text among the variables (values or keys, at any depth) that cannot be taken."""
    pending: list[tuple[object, str]] = [(variables, "")]
    while pending:
        value, name = pending.pop()
        texts: list[tuple[str, str]] = []
        if isinstance(value, dict):
            for key, inner in value.items():
                texts.append((str(key), name or str(key)))
                pending.append((inner, name or str(key)))
        elif isinstance(value, list):
            pending.extend((inner, name) for inner in value)
        elif isinstance(value, str):
            texts.append((value, name))
        for text, variable in texts:
            refused = text_refusal(text, max_characters)
            if refused is not None:
                code, message = refused
                return GraphQLError(message, extensions={"code": code, "variable": variable})
    return None


def _literal_refusal(document: DocumentNode, max_characters: int) -> GraphQLError | None:
    found: list[GraphQLError] = []

    class Texts(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> object:
            refused = text_refusal(node.value, max_characters)
            if refused is None:
                return None
            found.append(GraphQLError(refused[1], node, extensions={"code": refused[0]}))
            return BREAK

    visit(document, Texts())
    return found[0] if found else None


def limits_of(settings: Settings) -> Limits:
    return Limits(
        depth=settings.max_query_depth,
        aliases=settings.max_aliases,
        cost=settings.max_query_cost,
        fields=settings.max_query_fields,
        repeats=settings.max_repeated_fields,
        text=settings.max_text_characters,
    )


def admit(query: str, *, max_characters: int, max_tokens: int, limits: Limits) -> Admitted:
    """The parsed document, or why it is refused (bounded work: length, then tokens, then one
    linear pass)."""
    if len(query) > max_characters:
        error = GraphQLError(
            f"The document is {len(query):,} characters long; at most {max_characters:,} are allowed.",
            extensions={"code": "QUERY_TOO_LONG", "limit": max_characters, "found": len(query)},
        )
        return Admitted(None, [error])
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        return Admitted(None, [error])
    measurer = Measurer.of(document)
    errors = refusals(document, limits, measurer)
    literal = None if errors else _literal_refusal(document, limits.text)
    return Admitted(document, [literal] if literal else errors, measurer.visits)


async def _off_the_loop(work: Callable[[], T]) -> T:
    return await asyncio.to_thread(work)


async def admitted(query: str, settings: Settings) -> Admitted:
    """``admit`` for this app's settings, remembered by the document's text."""
    limits = limits_of(settings)
    key = (query, settings.max_query_characters, settings.max_query_tokens, limits)
    cache = _admitted_long if len(query) > LONG_DOCUMENT else _admitted
    found = cache.get(key)
    if found is None:
        found = await _off_the_loop(
            lambda: admit(
                query,
                max_characters=settings.max_query_characters,
                max_tokens=settings.max_query_tokens,
                limits=limits,
            )
        )
        cache.put(key, found)
    return found


def root_fields(operation: OperationDefinitionNode, document: DocumentNode) -> set[str]:
    """The names of the fields an operation selects at its root, through its fragments."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    names: set[str] = set()
    seen: set[str] = set()
    pending = [operation.selection_set]
    while pending:  # each fragment once, however often it is spread
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                if selection.name.value in fragments:
                    pending.append(fragments[selection.name.value].selection_set)
    return names


class DocumentGate(SchemaExtension):
    """Refuses operations that need a sign-in before validating them, and validates off the loop,
    once per document; introspection is refused while the explorer is off."""

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        settings: Settings = execution.context.settings
        execution.parse_options["max_tokens"] = settings.max_query_tokens
        if not settings.graphql_explorer:
            execution.validation_rules = (*execution.validation_rules, NoSchemaIntrospectionCustomRule)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if execution.pre_execution_errors is None:
            refused = await _sign_in_refusal(execution)
            if refused is not None:
                execution.pre_execution_errors = [refused]
            else:
                execution.pre_execution_errors = await _validated_errors(execution)
        yield


async def _sign_in_refusal(execution: ExecutionContext) -> GraphQLError | None:
    document = execution.graphql_document
    context: Any = execution.context
    if document is None or not hasattr(context, "actor"):
        return None
    operation = get_operation_ast(document, execution.operation_name)
    public = PUBLIC_FIELDS | (EXPLORER_FIELDS if context.settings.graphql_explorer else frozenset())
    if operation is None or root_fields(operation, document) <= public:
        return None
    try:
        await context.actor()
    except Unauthenticated as error:
        return error
    except Exception as error:  # the database out of reach, say: masked like any error of the operation
        return GraphQLError(str(error), original_error=error)
    return None


async def _validated_errors(execution: ExecutionContext) -> list[GraphQLError]:
    document, query = execution.graphql_document, execution.query
    assert document is not None
    rules = execution.validation_rules
    if query is None:  # a document given already parsed: nothing to key a cache by
        return validate_document(execution.schema._schema, document, rules)
    key = (query, rules)
    errors = _validated.get(key)
    if errors is None:
        errors = await _off_the_loop(lambda: validate_document(execution.schema._schema, document, rules))
        if len(query) <= LONG_DOCUMENT:
            _validated.put(key, errors)
    return list(errors)
