"""The real app for given settings, its lifespan running, called in-process over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from service.app import create_app
from service.clock import Clock
from service.settings import Settings


@asynccontextmanager
async def app_client(settings: Settings, clock: Clock | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app made for ``settings`` (and ``clock``), while the app runs: its
    database open, its worker threads and sweeps started, as `portal serve` would run it."""
    application = create_app(settings, clock=clock)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://portal.test"
        ) as http,
    ):
        yield http
