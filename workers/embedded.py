"""Jobs for the API process: declared on the configured broker; in the embedded mode also run here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime

import dramatiq

from service import job_queue
from service.certificate_files.leases import release_leases, stalled_job_ids
from service.certificates.provisional import settle_provisional_certificates
from service.clock import Clock, SystemClock
from service.job_queue import Job
from service.lms import services as lms
from service.mail import services as mail
from service.observability.metrics import Metrics
from service.settings import Settings
from workers.jobs import Jobs, declare_jobs

logger = logging.getLogger("workers")


@contextlib.asynccontextmanager
async def running_jobs(
    settings: Settings, clock: Clock | None = None, *, metrics: Metrics | None = None
) -> AsyncIterator[Jobs]:
    """Declare the jobs and let the domain hand work to them; run worker threads in this process
    (always in the embedded mode, with a broker only if asked). Jobs a stopped process left
    unfinished are handed over again."""
    jobs = declare_jobs(settings, metrics=metrics)
    worker = None
    if settings.api_worker_threads:
        # A short poll timeout makes the worker stop within a fraction of a second on shutdown.
        worker = dramatiq.Worker(jobs.broker, worker_threads=settings.api_worker_threads, worker_timeout=100)
        worker.start()
    job_queue.set_adapter(jobs.send)
    if not settings.broker_url:
        # This process is the only worker: leases held by a stopped one mean nothing now.
        for job_id in await release_leases():
            job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, job_id)
    sweeper = asyncio.create_task(_sweep(settings, clock or SystemClock()))
    try:
        yield jobs
    finally:
        job_queue.set_adapter(None)
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        jobs.broker.close()


async def _sweep(settings: Settings, clock: Clock) -> None:
    while True:
        try:
            await hand_over_waiting_work(settings, now=clock.now())
        except Exception:  # a failed sweep must not stop the next one
            logger.exception("could not hand waiting work to the job queue")
        await asyncio.sleep(settings.sweep_seconds)


async def hand_over_waiting_work(settings: Settings, *, now: datetime) -> None:
    """What the sweep does at start and every PORTAL_SWEEP_SECONDS: hand the queue again what
    waits — pending mail no queued message is for (lost with a broker, never handed over),
    certificate files and progress syncs that stopped moving (a lost message, a stopped worker, a
    queue that was unreachable) — and queue the day's progress sync when its hour has come."""
    if settings.smtp_url:
        # Only mail no message in the queue is for: the queue's own retries are not doubled.
        for message_id in await mail.unqueued_message_ids(now=now):
            if not job_queue.enqueue(Job.DELIVER_MAIL, message_id):
                await mail.not_queued(message_id=message_id)
    for job_id in await stalled_job_ids(now=now):
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, job_id)
    for run_id in await lms.stalled_run_ids(now=now):
        job_queue.enqueue(Job.SYNC_PROGRESS, run_id)
    if settings.progress_sync_hour is not None:
        await lms.schedule_daily_sync(now=now, hour=settings.progress_sync_hour)
    # A course may close without a sync: its provisional certificates are voided here.
    await settle_provisional_certificates(now=now)
