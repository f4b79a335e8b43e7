"""Fixtures: each test gets its own database, migrated from empty once per run and copied per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from service.app import create_app
from service.graphql.schema import schema
from service.settings import Settings
from tests.support.clock import MovableClock
from tests.support.databases import Databases
from tests.support.engines import BROKER_URL, PUBSUB_URL, remove_namespace
from tests.support.graphql_client import TEST_SECRET, GraphQLClient
from tests.support.plain_execution_check import CheckedPlainExecutionContext, differences
from tests.support.smtp_server import SmtpServer


@pytest.fixture(autouse=True)
def plain_execution_checked() -> Iterator[None]:
    """Every query the test sends: what plain execution completes, graphql-core completes too, and
    they must agree exactly (see tests/support/plain_execution_check.py)."""
    served = schema.execution_context_class
    schema.execution_context_class = CheckedPlainExecutionContext
    differences.clear()
    yield
    schema.execution_context_class = served
    found, differences[:] = list(differences), []
    assert not found, "plain execution differs from graphql-core:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """The schema, migrated once from empty; each test gets a copy, which is much faster."""
    created = Databases.create(tmp_path_factory.mktemp("template"))
    yield created
    created.drop_all()


@pytest.fixture
def settings(tmp_path: Path, databases: Databases) -> Iterator[Settings]:
    """The embedded defaults; with the services engines set (`make test-services`), their broker and
    pub/sub under this test's own namespace, and two worker threads in the API process."""
    configured = Settings(
        _env_file=None,
        data_dir=tmp_path,
        database_url=databases.fresh(tmp_path),
        secret_key=TEST_SECRET,
        namespace=f"test-{uuid.uuid4().hex[:12]}",
        broker_url=BROKER_URL,
        pubsub_url=PUBSUB_URL,
        worker_threads=2 if BROKER_URL else None,
        progress_sync_hour=None,  # the tests of the schedule turn it on
    )
    yield configured
    remove_namespace(configured)


# 2026-09-20 10:00 in Auckland, a week before New Zealand's clocks go forward.
START_OF_TESTS = datetime(2026, 9, 19, 22, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START_OF_TESTS)


@pytest.fixture
async def app(settings: Settings, clock: MovableClock) -> AsyncIterator[Starlette]:
    """The real app with its lifespan running, so the database is open for the test too."""
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal.test"
    ) as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback, running for the test."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
