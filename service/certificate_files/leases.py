"""Who is making what: a worker holds a lease on the chunk it makes (or the job it joins) and renews
it while it works; a lease runs out soon after its worker dies. A job nothing has moved for a while
is handed to the queue again, so a lost message or a stopped worker never strands it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from service import job_queue
from service.certificate_files.models import ACTIVE, CertificateFileChunk, CertificateFileJob
from service.job_queue import Job

logger = logging.getLogger("service.certificate_files")

# An unfinished job nothing has touched for this long is handed to the queue again by the sweep: by
# default twice the default lease (PORTAL_JOB_STALL_SECONDS, or 2 × PORTAL_JOB_LEASE_SECONDS), so a
# file whose messages a broker lost moves again within 2 × lease + PORTAL_SWEEP_SECONDS.
STALL = timedelta(minutes=2)


def lease_over(now: datetime) -> Q:
    """Rows nobody holds now: never leased, or their lease has run out."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


@contextlib.asynccontextmanager
async def renewing(
    leased: Callable[[], QuerySet[Any]], clock: Callable[[], datetime], lease: timedelta
) -> AsyncIterator[None]:
    """Keep the leases of the rows ``leased()`` selects (asked again at each renewal: what a worker
    holds may change meanwhile) while the work inside runs, so a short lease still covers long work;
    the leases run out soon after the process dies."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(lease.total_seconds() / 3)
            await leased().update(claimed_until=clock() + lease)

    renewer = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer


async def look_again_when_free(
    model: type[CertificateFileChunk] | type[CertificateFileJob], record_id: int, job: Job, now: datetime
) -> None:
    """Another worker holds the lease: leave the work to it, but come back when the lease ends, for
    that worker may have died (its redelivered message is this one)."""
    holder = await model.get(id=record_id)
    if holder.claimed_until is not None and holder.claimed_until >= now:
        wait = holder.claimed_until - now + timedelta(seconds=1)
        # Why a message that "succeeded" made nothing, and why the file may wait that long.
        logger.info(
            "certificate file %s: %s %s is held by another worker for %.0f s more; looked at again then",
            holder.job_id if isinstance(holder, CertificateFileChunk) else holder.id,
            "chunk" if isinstance(holder, CertificateFileChunk) else "the join of job",
            record_id,
            wait.total_seconds(),
        )
        job_queue.enqueue(job, record_id, delay=wait)


async def stalled_job_ids(*, now: datetime) -> list[int]:
    """Unfinished jobs nothing has moved for a while (a lost message, a stopped worker, a queue that
    was unreachable): for the queue again."""
    return await _ids(CertificateFileJob.filter(status__in=ACTIVE, handover_after__lt=now).order_by("id"))


async def release_leases() -> list[int]:
    """For a process that knows it is the only worker (the embedded mode, starting): whatever held a
    lease is gone, and so is every retry its queue held. Every unfinished job is handed over again at
    once; its ids."""
    unfinished = await _ids(CertificateFileJob.filter(status__in=ACTIVE).order_by("id"))
    await CertificateFileChunk.filter(job_id__in=unfinished).update(claimed_until=None, retry_due=None)
    await CertificateFileJob.filter(id__in=unfinished).update(claimed_until=None)
    return unfinished


async def _ids(query: QuerySet[Any]) -> list[int]:
    return [int(key) for (key,) in await query.values_list("id")]
