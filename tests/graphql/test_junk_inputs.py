"""Generated junk at every argument of every query and mutation, and at every route: no answer may be
a server error or carry a masked unexpected exception (`INTERNAL`). Bounded and derandomized (the
same examples every run), in-process, a few seconds; `make test-fuzz` goes further against a server."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.routing import Route

from service.graphql.schema import schema
from tests.support.factories import make_admin, make_partner
from tests.support.graphql_client import token_for

BOUNDED = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TYPE_NAMES = ["Node", "Ceremony", "CertificateRequest", "Cohort", "Program", "Partner", "User", "Nope", ""]
# The known troublemakers first (a derandomized run favours the first choices), then anything.
TEXT = st.one_of(
    st.sampled_from(["\ud800", "x" * 50_000, "a\udfff", "\x00", "%", "_%_", "'; --", " ", "Ceremony:01"]),
    st.text(max_size=12),
)
NUMBERS = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from([0, -1, 2**31, 2**63]))
GLOBAL_IDS = st.builds(
    lambda name, key, junk: base64.b64encode(
        f"{name}:{key}".encode("utf-8", "surrogatepass") + junk
    ).decode(),
    st.sampled_from(TYPE_NAMES),
    st.one_of(NUMBERS.map(str), TEXT),
    st.sampled_from([b"", b"\x00", b"junk"]),
)
JSON_JUNK = st.recursive(
    st.none() | st.booleans() | NUMBERS | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "ID": st.one_of(GLOBAL_IDS, TEXT),
    "String": TEXT,
    "Int": NUMBERS,
    "Float": st.one_of(st.floats(), NUMBERS),
    "Boolean": st.booleans(),
    "Date": st.one_of(
        st.dates().map(str), TEXT, st.sampled_from(["2026-02-30", "0000-01-01", "99999-01-01"])
    ),
    "DateTime": st.one_of(
        st.datetimes().map(lambda moment: moment.isoformat()), TEXT, st.just("2026-01-01T25:00:00+99:00")
    ),
    "JSON": JSON_JUNK,
    "Upload": JSON_JUNK,  # over JSON, a file can only be junk
}


def typed(kind: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values mostly of the argument's own shape (so they get past coercion to the resolvers), with
    junk of any shape among them."""
    if isinstance(kind, GraphQLNonNull):
        return typed(kind.of_type, depth)
    if isinstance(kind, GraphQLList):
        return st.lists(typed(kind.of_type, depth + 1), max_size=3)
    if isinstance(kind, GraphQLInputObjectType):
        if depth > 3:
            return st.just({})
        fields = {name: typed(field.type, depth + 1) for name, field in kind.fields.items()}
        required = {
            name: fields[name]
            for name, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        }
        optional = {name: value for name, value in fields.items() if name not in required}
        return st.fixed_dictionaries(required, optional=optional)
    if isinstance(kind, GraphQLEnumType):
        return st.one_of(st.sampled_from(list(kind.values)), TEXT)
    assert isinstance(kind, GraphQLScalarType)
    return SCALARS[kind.name]


def _operations() -> list[tuple[str, str, GraphQLField]]:
    found = []
    for kind, root in (("query", schema._schema.query_type), ("mutation", schema._schema.mutation_type)):
        assert root is not None
        found += [(kind, name, field) for name, field in root.fields.items() if field.args]
    return found


OPERATIONS = _operations()


def _document(kind: str, name: str, field: GraphQLField, given_arguments: list[str]) -> str:
    arguments: dict[str, GraphQLArgument] = field.args
    declared = ", ".join(f"${argument}: {arguments[argument].type}" for argument in given_arguments)
    passed = ", ".join(f"{argument}: ${argument}" for argument in given_arguments)
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    head = f"{kind}({declared})" if declared else kind
    return f"{head} {{ {name}{f'({passed})' if passed else ''}{selection} }}"


def _variables(draw: st.DataObject, field: GraphQLField) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for argument, definition in field.args.items():
        if isinstance(definition.type, GraphQLNonNull) or draw.draw(st.booleans()):
            shaped = typed(definition.type)
            variables[argument] = draw.draw(st.one_of(shaped, shaped, JSON_JUNK))
    return variables


def test_every_argument_of_every_operation_is_generated() -> None:
    names = {name for _, name, _ in OPERATIONS}
    assert {"node", "recognitions", "verifyCertificate", "ceremonyCreate", "certificateFileRequest"} <= names
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize(("kind", "name", "field"), OPERATIONS, ids=[name for _, name, _ in OPERATIONS])
@settings(BOUNDED, max_examples=20)
@given(data=st.data())
async def test_junk_at_every_argument_is_never_a_server_error(
    app: Starlette, kind: str, name: str, field: GraphQLField, data: st.DataObject
) -> None:
    variables = _variables(data, field)
    query = _document(kind, name, field, list(variables))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        admin = await make_admin(await make_partner(f"Partner {uuid.uuid4().hex}"))
        response = await http.post(
            "/graphql",
            # ASCII escapes, so lone surrogates travel as a client's JSON would carry them
            content=json.dumps({"query": query, "variables": variables}),
            headers={"Authorization": f"Bearer {token_for(admin)}", "Content-Type": "application/json"},
        )

    assert response.status_code < 500, (query, variables, response.text)
    codes = [(error.get("extensions") or {}).get("code") for error in response.json().get("errors", [])]
    assert "INTERNAL" not in codes, (query, variables, response.text)


SEGMENTS = st.one_of(
    st.text(max_size=30).map(lambda text: quote(text, safe="") or "x"),
    NUMBERS.map(str),
    st.sampled_from(["99999999999999999999999.pdf", "1.pdf", "0.csv", "-1.pdf", "%00", "..", "a%2Fb"]),
)
QUERIES = st.dictionaries(
    st.sampled_from(["by", "expires", "signature", "query", "variables", "operationName", "x"]),
    st.one_of(NUMBERS.map(str), st.text(max_size=20), st.just("02")),
    max_size=4,
)


@BOUNDED
@given(
    route=st.integers(min_value=0, max_value=100),
    segments=st.lists(SEGMENTS, min_size=1, max_size=2),
    query=QUERIES,
    method=st.sampled_from(["GET", "HEAD", "POST"]),
)
async def test_junk_at_every_route_is_never_a_server_error(
    app: Starlette, route: int, segments: list[str], query: dict[str, str], method: str
) -> None:
    routes = [candidate for candidate in app.routes if isinstance(candidate, Route)]
    template = routes[route % len(routes)].path
    # Fill the route's parameters with junk (and sometimes a path next to it).
    path = template
    for segment in segments:
        if "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + segment + path[end + 1 :]
    path = path.replace(".pdf.pdf", ".pdf").replace(".csv.csv", ".csv")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        response = await http.request(method, path, params=query)

    assert response.status_code < 500, (method, path, query, response.text)
