"""A job's state for its live subscribers: those woken by the same change share one read."""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

from service.certificate_files.models import CertificateFileJob
from service.errors import NotFound
from service.users.actor import Actor

# Reads of a job that subscribers share: (event loop, job id) -> (when the read began, the read).
_shared_reads: dict[
    tuple[asyncio.AbstractEventLoop, int], tuple[float, asyncio.Future[CertificateFileJob | None]]
] = {}


async def watched_job(*, actor: Actor, job_id: int, changed_at: float) -> CertificateFileJob:
    """``get_job`` for subscribers: those of one job woken by the same change share one read, so a
    fan-out costs a query per process rather than one per subscriber. ``changed_at`` is when the
    change was heard (``time.monotonic()``); only a read begun at or after it is fresh enough."""
    key = (asyncio.get_running_loop(), job_id)
    shared = _shared_reads.get(key)
    if shared is None or shared[0] < changed_at:
        read = asyncio.ensure_future(CertificateFileJob.get_or_none(id=job_id))
        shared = _shared_reads[key] = (time.monotonic(), read)
        read.add_done_callback(functools.partial(_forget_read, key, shared))
    job = await asyncio.shield(shared[1])  # one subscriber leaving does not cancel the others' read
    if job is None or not actor.can_see_partner(job.partner_id):
        raise NotFound("Certificates file")
    return job


def _forget_read(key: tuple[asyncio.AbstractEventLoop, int], shared: tuple[float, Any], _: Any) -> None:
    if _shared_reads.get(key) is shared:  # not a newer read of the same job
        del _shared_reads[key]
