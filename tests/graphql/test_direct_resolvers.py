"""Direct resolvers and plain execution give exactly Strawberry's and graphql-core's answers: the same
operations run through the schema as served and through one built without either, on the same data,
give the same JSON (data in the same key order, errors with their messages, paths, locations and
extensions). The operations: the benchmark's, ones generated from the schema that select every field
without required arguments of every type reachable from the root, through interfaces and unions, and
ones that use what a plan must apply as graphql-core does (aliases, fragments, merged fields,
``@skip``/``@include`` from variables, ``__typename``). Every query of the rest of the suite is held to
graphql-core's answer too, object by object (tests/support/plain_execution_check.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from starlette.requests import Request

from service.clock import SystemClock
from service.graphql.core.context import Context
from service.graphql.schema import build_schema, schema
from service.settings import Settings
from service.users.models import User
from service.web.ratelimit import MemoryRateLimiter
from tests.support.bench_operations import CANDIDATES, DASHBOARD
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

VIEWER = "{ viewer { email name role partner { name } } }"

served = build_schema()  # plain execution as served (the tests' `schema` is checked instead)
reference = build_schema(direct_resolvers=False, plain_execution=False)


def selection(graphql_schema: GraphQLSchema, type_name: str, depth: int) -> str:
    """Every field of the type a client could ask for without arguments, to ``depth`` levels."""
    named = graphql_schema.get_type(type_name)
    if isinstance(named, GraphQLUnionType):
        kinds = named.types
    elif isinstance(named, GraphQLInterfaceType):
        kinds = graphql_schema.get_possible_types(named)
    else:
        kinds = []
    if kinds:
        inner = " ".join(
            f"... on {kind.name} {{ {selection(graphql_schema, kind.name, depth)} }}" for kind in kinds
        )
        return f"__typename {inner}"
    assert isinstance(named, GraphQLObjectType)
    parts = ["__typename"]
    for name, field in named.fields.items():
        if any(isinstance(argument.type, GraphQLNonNull) for argument in field.args.values()):
            continue
        target = get_named_type(field.type)
        if isinstance(target, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            if depth > 1:
                parts.append(f"{name} {{ {selection(graphql_schema, target.name, depth - 1)} }}")
        else:
            parts.append(name)
    return " ".join(parts)


def context(settings: Settings, user: User) -> Context:
    request = Request({"type": "http", "method": "POST", "headers": [], "client": ("127.0.0.1", 1)})
    return Context(
        request=request,
        settings=settings,
        authorization=f"Bearer {token_for(user)}",
        request_id="differential",
        clock=SystemClock(),
        verify_limiter=MemoryRateLimiter(limit=30),
    )


def exact(result: Any) -> str:
    """The answer as JSON, keys in the order given."""
    return json.dumps(
        {"data": result.data, "errors": [error.formatted for error in result.errors or []]}, default=repr
    )


@pytest.fixture
async def world(gql: GraphQLClient) -> CertificatesWorld:  # gql: the app's database is open
    return await make_certificates_world()


def generated(depth: int) -> list[tuple[str, bool]]:
    """Documents over the root's argument-free fields, and the recognition's (by id)."""
    graphql_schema = schema._schema
    return [
        ("{ " + selection(graphql_schema, "Query", depth) + " }", False),
        (
            "query($id: ID!) { recognition(id: $id) { "
            + selection(graphql_schema, "Recognition", depth)
            + " } }",
            True,
        ),
    ]


@pytest.mark.parametrize("depth", [2, 3])
async def test_generated_operations_answer_the_same(
    settings: Settings, world: CertificatesWorld, depth: int
) -> None:
    settings.max_query_cost = settings.max_query_fields = settings.max_repeated_fields = 10**6
    settings.max_query_depth = 20
    for document, by_id in generated(depth):
        variables = {"id": world.recognition_id} if by_id else None
        for user in (world.admin, world.staff):
            answer = await served.execute(
                document, variable_values=variables, context_value=context(settings, user)
            )
            expected = await reference.execute(
                document, variable_values=variables, context_value=context(settings, user)
            )
            assert answer.data is not None
            assert exact(answer) == exact(expected)


@pytest.mark.parametrize(
    "document", [DASHBOARD, CANDIDATES, VIEWER], ids=["dashboard", "candidates", "viewer"]
)
async def test_the_benchmark_operations_answer_the_same(
    settings: Settings, world: CertificatesWorld, document: str
) -> None:
    variables = {"id": world.recognition_id} if "$id" in document else None
    answer = await served.execute(
        document, variable_values=variables, context_value=context(settings, world.admin)
    )
    expected = await reference.execute(
        document, variable_values=variables, context_value=context(settings, world.admin)
    )
    assert answer.errors is None
    assert exact(answer) == exact(expected)


SHAPES = """query($id: ID!, $with: Boolean!, $without: Boolean!) {
  first: recognitions(first: 3) { edges { cursor node { __typename ...Row name kind } } totalCount }
  again: recognitions(first: 2) { edges { node {
    id alias: name name
    ... on Ceremony { format cohorts @include(if: $with) { name } }
    ... on CertificateRequest { cohorts @skip(if: $without) { id endsOn } }
    cohorts { name program { __typename name } }
  } } }
  recognition(id: $id) { id ...Row ... on CertificateRequest {
    certificateCandidates(first: 5) { edges { node { name cohort { ...Named } program { ...Named } } } }
  } }
}
fragment Row on Recognition { id status statusLabel availableActions dateRange { start end } }
fragment Named on Node { id ... on Cohort { name } ... on Program { name } }"""


@pytest.mark.parametrize(("with_", "without"), [(True, False), (False, True), (True, True)])
async def test_aliases_fragments_and_directives_answer_the_same(
    settings: Settings, world: CertificatesWorld, with_: bool, without: bool
) -> None:
    variables = {"id": world.recognition_id, "with": with_, "without": without}
    for user in (world.admin, world.staff):
        answer = await served.execute(
            SHAPES, variable_values=variables, context_value=context(settings, user)
        )
        expected = await reference.execute(
            SHAPES, variable_values=variables, context_value=context(settings, user)
        )
        assert answer.errors is None, answer.errors
        assert exact(answer) == exact(expected)
