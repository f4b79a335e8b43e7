"""The partner of a certificates world with a fake Canvas of its own, as the sync tests use it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service.lms import services as lms
from service.partners.models import Partner
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.fake_canvas import FakeCanvas
from tests.support.live_server import serving

TOKEN = "canvas-test-token"
QUICK = lms.CanvasAccess(pause=0.001, token_of=lambda variable: TOKEN if variable == "CANVAS_TOKEN" else None)
"""Canvas access for tests: the partner's token variable read as TOKEN, retries without waiting."""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


@pytest.fixture
async def canvas(world: CertificatesWorld) -> AsyncIterator[FakeCanvas]:
    """A fake Canvas served on loopback, set as the world's partner's Canvas."""
    fake = FakeCanvas(token=TOKEN)
    async with serving(fake.app()) as url:
        await Partner.filter(id=world.partner.id).update(
            canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN"
        )
        yield fake
