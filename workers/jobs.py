"""The actors, declared on the broker: ids in, one domain service call, nothing else."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import dramatiq

from service import job_queue
from service.certificate_files import build
from service.clock import SystemClock
from service.job_queue import Job
from service.lms import services as lms
from service.mail import services as mail
from service.observability.metrics import Metrics
from service.settings import Settings
from workers.broker import make_broker, queue_names
from workers.middleware import JobObservability, request_id_options
from workers.runtime import CloseDatabaseOnThreadShutdown, ThreadRuntime, freeze_long_lived_objects

logger = logging.getLogger("workers")


@dataclass
class Jobs:
    broker: dramatiq.Broker
    actors: dict[Job, dramatiq.Actor]  # type: ignore[type-arg]
    settings: Settings

    def send(self, job: Job, record_id: int, delay: timedelta | None = None) -> None:
        """Enqueue committed work. Mail without an SMTP server stays in the outbox (and is logged)."""
        if job is Job.DELIVER_MAIL and not self.settings.smtp_url:
            logger.info(
                "mail %s kept in the outbox: no SMTP server is configured (`portal outbox --show %s`)",
                record_id,
                record_id,
            )
            return
        milliseconds = None if delay is None else max(0, int(delay.total_seconds() * 1000))
        self.actors[job].send_with_options(args=(record_id,), delay=milliseconds, **request_id_options())


def declare_jobs(
    settings: Settings, broker: dramatiq.Broker | None = None, *, metrics: Metrics | None = None
) -> Jobs:
    """Declare every actor on the broker (each job logged, and counted in ``metrics`` if given)."""
    broker = broker or make_broker(settings)
    broker.add_middleware(JobObservability(metrics))
    runtime = ThreadRuntime(settings.resolved_database_url)
    broker.add_middleware(CloseDatabaseOnThreadShutdown(runtime))
    clock = SystemClock()
    file_work = build.FileWork(
        files_dir=settings.resolved_files_dir,
        public_url=settings.public_url,
        mail_config=settings.mail_config(),
        lease=timedelta(seconds=settings.job_lease_seconds),
        stall=settings.job_stall,
        run=timedelta(seconds=settings.job_run_seconds),
        tries=settings.job_max_retries + 1,
        retry_first=timedelta(milliseconds=settings.job_min_backoff_ms),
        retry_longest=timedelta(milliseconds=settings.job_max_backoff_ms),
    )

    backoff = mail.Backoff(
        first=timedelta(milliseconds=settings.job_min_backoff_ms),
        longest=timedelta(milliseconds=settings.job_max_backoff_ms),
    )

    def deliver_mail(message_id: int) -> None:
        """Send one outbox message. The SMTP server failing, its next attempt is queued with backoff
        (one retry at a time, which the sweep leaves alone); other failures raise, for Retries."""
        wait = runtime.run(
            lambda: mail.deliver_or_retry(
                message_id=message_id, smtp_url=settings.smtp_url, now=clock.now(), backoff=backoff
            )
        )
        if wait is not None:
            job_queue.enqueue(Job.DELIVER_MAIL, message_id, delay=wait)

    def build_certificate_file(job_id: int) -> None:
        """Hand a combined file's chunks to the queue (or join its parts when all are made)."""
        runtime.run(lambda: build.start_file(job_id=job_id, clock=clock.now, work=file_work))

    def build_certificate_file_part(chunk_id: int) -> None:
        """Make one chunk of a combined file; the last chunk's worker joins the file. Failures raise
        and are retried, and certificate_file_failed follows the last attempt."""
        runtime.run(lambda: build.build_part(chunk_id=chunk_id, clock=clock.now, work=file_work))
        freeze_long_lived_objects()

    def sync_progress(run_id: int) -> None:
        """Read course progress from Canvas for a recorded sync run."""
        runtime.run(lambda: lms.run_sync(run_id=run_id, clock=clock.now))

    def certificate_file_failed(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
        """After the last attempt of either message: the job fails, and its requester is told."""
        [record_id] = message["args"]
        logger.error(
            "certificate file %s %s failed after %s attempts",
            message["actor_name"],
            record_id,
            retry_info.get("retries"),
        )
        step = Job(message["actor_name"])
        runtime.run(
            lambda: build.give_up(
                step=step,
                record_id=record_id,
                now=clock.now(),
                mail_config=settings.mail_config(),
                files_dir=settings.resolved_files_dir,
            )
        )

    declare = dramatiq.actor
    queues = queue_names(settings.namespace)
    mail_queue, files_queue, lms_queue = queues["mail"], queues["certificate-files"], queues["lms"]
    failed = declare(
        broker=broker, queue_name=files_queue, actor_name="certificate_file_failed", max_retries=3
    )(certificate_file_failed)
    return Jobs(
        broker=broker,
        settings=settings,
        actors={
            Job.DELIVER_MAIL: declare(
                broker=broker, queue_name=mail_queue, actor_name=Job.DELIVER_MAIL.value
            )(deliver_mail),
            Job.BUILD_CERTIFICATE_FILE: declare(
                broker=broker,
                queue_name=files_queue,
                actor_name=Job.BUILD_CERTIFICATE_FILE.value,
                on_retry_exhausted=failed.actor_name,
            )(build_certificate_file),
            Job.SYNC_PROGRESS: declare(
                broker=broker, queue_name=lms_queue, actor_name=Job.SYNC_PROGRESS.value
            )(sync_progress),
            Job.BUILD_CERTIFICATE_FILE_PART: declare(
                broker=broker,
                queue_name=files_queue,
                actor_name=Job.BUILD_CERTIFICATE_FILE_PART.value,
                on_retry_exhausted=failed.actor_name,
            )(build_certificate_file_part),
        },
    )
