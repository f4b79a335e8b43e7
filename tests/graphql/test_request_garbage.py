"""A request leaves no reference cycles of its own: its Context, loaders, execution context and every
value loaded are freed by reference counting when it ends, not by the garbage collector's passes
(which, with several requests running, walked them again and again: issue 19)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from service.graphql.core.plain_execution import PlainExecutionContext
from service.graphql.schema import schema
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient

DASHBOARD = """{ recognitions(first: 50) { edges { node {
  id name status availableActions cohorts { name endsOn program { name certificateType { name } } }
} } } }"""
CANDIDATES = """query($id: ID!) { recognition(id: $id) { certificateCandidates(first: 100) {
  totalCount completerCount edges { node {
    enrollmentId name email kind completedAt completedOn cohort { name } program { name }
    certificateType { name } progress { percent modulesCompleted }
  } } } } }"""
VIEWER = "{ viewer { email name partner { name } } }"
# Where the request's own objects are defined (the test's HTTP client keeps cycles of its own).
REQUEST_MODULES = ("service.", "strawberry.", "graphql.", "tortoise.", "starlette.", "asyncpg.")


@pytest.fixture
async def world(gql: GraphQLClient) -> CertificatesWorld:  # gql: the app's database is open
    return await make_certificates_world()


@pytest.fixture
def served_execution() -> Iterator[None]:
    """The served execution context, not the test suite's checking one (which keeps both answers)."""
    checking = schema.execution_context_class
    schema.execution_context_class = PlainExecutionContext
    yield
    schema.execution_context_class = checking


@pytest.mark.parametrize("query", [DASHBOARD, CANDIDATES, VIEWER], ids=["dashboard", "candidates", "viewer"])
@pytest.mark.usefixtures("served_execution")
async def test_a_request_leaves_no_cycles_to_collect(
    gql: GraphQLClient, world: CertificatesWorld, query: str
) -> None:
    # given: the document parsed and validated, the statements prepared
    variables = {"id": world.recognition_id} if "$id" in query else None
    await gql.data(query, variables, as_user=world.admin)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        # when
        data = await gql.data(query, variables, as_user=world.admin)
        gc.collect()

        # then
        left = sorted(
            {
                f"{type(value).__module__}.{type(value).__qualname__}"
                for value in gc.garbage
                if type(value).__module__.startswith(REQUEST_MODULES)
            }
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert data
    assert left == []
