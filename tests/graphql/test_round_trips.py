"""One round trip to PostgreSQL per SQL statement: a connection goes back to the pool without a
reset of its own (counted on the wire, between the service and the real server)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from service.settings import Settings
from tests.support.bench_operations import CANDIDATES, DASHBOARD
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.databases import POSTGRES_URL
from tests.support.graphql_client import GraphQLClient
from tests.support.query_counter import counting_queries
from tests.support.round_trips import RoundTripCounter

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only (PORTAL_TEST_POSTGRES_URL)")

VIEWER = "{ viewer { email name partner { name } } }"


@pytest.fixture
async def counter() -> AsyncIterator[RoundTripCounter]:
    server = urlsplit(POSTGRES_URL)
    relay = RoundTripCounter(server.hostname or "127.0.0.1", server.port or 5432)
    await relay.start()
    yield relay
    await relay.cut()


@pytest.fixture
def settings(settings: Settings, counter: RoundTripCounter) -> Settings:
    """The test's database through the relay, with one pooled connection: every statement's
    prepared form is cached on it after one warm-up."""
    parts = urlsplit(settings.resolved_database_url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{counter.port}" if credentials else f"127.0.0.1:{counter.port}"
    settings.database_url = urlunsplit(parts._replace(netloc=netloc, query="maxsize=1"))
    return settings


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


@pytest.mark.parametrize("query", [DASHBOARD, CANDIDATES, VIEWER], ids=["dashboard", "candidates", "viewer"])
async def test_a_request_makes_one_round_trip_per_statement(
    gql: GraphQLClient, world: CertificatesWorld, counter: RoundTripCounter, query: str
) -> None:
    variables = {"id": world.recognition_id} if "$id" in query else None
    await gql.data(query, variables, as_user=world.admin)  # statements prepared on the connection

    before = counter.round_trips
    with counting_queries() as statements:
        await gql.data(query, variables, as_user=world.admin)

    assert len(statements) >= 1
    assert counter.round_trips - before == len(statements), statements
