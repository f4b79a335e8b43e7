"""Helpers the worker tests of combined files share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from service.certificate_files.models import CertificateFileChunk


async def until_lease(holds: Callable[[datetime | None], bool], chunk_id: int) -> None:
    """Wait (10 s at most) until the chunk's lease is as ``holds`` wants."""
    for _ in range(1000):
        if holds((await CertificateFileChunk.get(id=chunk_id)).claimed_until):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the lease never got there")
