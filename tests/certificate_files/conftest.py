from __future__ import annotations

from collections.abc import Iterator

import pytest

from service import job_queue
from tests.support.certificate_files import make_files_world
from tests.support.certificates_world import CertificatesWorld


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_files_world()


@pytest.fixture
def no_queue() -> Iterator[None]:
    """Jobs are recorded but not handed to the worker, so the test runs them itself."""
    job_queue.set_adapter(None)
    yield None
