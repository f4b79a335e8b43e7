"""Fixtures of the recognition tests: the app delivering its mail to a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service.settings import Settings
from tests.support.app_client import app_client
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient
from tests.support.recognition_api import World, make_world
from tests.support.smtp_server import SmtpServer


@pytest.fixture
async def smtp_gql(settings: Settings, clock: MovableClock, smtp: SmtpServer) -> AsyncIterator[GraphQLClient]:
    """The app, its mail delivered over SMTP to ``smtp`` by its job workers. It is the test's only app:
    its world is ``smtp_world`` (the ``world`` fixtures start another app)."""
    async with app_client(settings.model_copy(update={"smtp_url": smtp.url}), clock) as http:
        yield GraphQLClient(http)


@pytest.fixture
async def smtp_world(smtp_gql: GraphQLClient) -> World:
    """The recognition tests' world, made in the app of ``smtp_gql`` (a ``world`` fixture starts another)."""
    return await make_world()
