"""Fixtures of the recognition tests: the app delivering its mail to a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from service.settings import Settings
from tests.support.app_client import app_client
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient
from tests.support.smtp_server import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def smtp_gql(settings: Settings, clock: MovableClock, smtp: SmtpServer) -> AsyncIterator[GraphQLClient]:
    """The app, its mail delivered over SMTP to ``smtp`` by its job workers. It is the test's only app:
    make the world with ``make_world()`` (the ``world`` fixtures start another)."""
    async with app_client(settings.model_copy(update={"smtp_url": smtp.url}), clock) as http:
        yield GraphQLClient(http)
