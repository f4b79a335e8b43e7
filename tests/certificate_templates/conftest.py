from __future__ import annotations

import pytest

from tests.support.certificate_files import make_files_world
from tests.support.certificates_world import CertificatesWorld


@pytest.fixture
async def world() -> CertificatesWorld:
    """The certificates world with 30 more completers (enough for a combined file of two chunks)."""
    return await make_files_world()
