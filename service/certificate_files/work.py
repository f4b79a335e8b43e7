"""What the steps of making a combined file share: what a worker needs to know, the files folder's
failures, the job's events."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from service.certificate_files.leases import STALL
from service.certificate_files.models import ACTIVE, CertificateFileJob
from service.events import announce
from service.mail.compose import MailConfig

# What the user reads while the files folder cannot be written (full, read-only, no permission): the
# fault is ours, and the queue retries.
STORING_RETRYING = "We could not store the file; we are retrying."
# ... and once the queue has spent its retries on it.
STORING_GAVE_UP = (
    "We could not store the file: our storage is full or cannot be written. We have been alerted; "
    "please request the file again later."
)
# What the user reads when the queue has spent its retries on a step for another reason.
GAVE_UP = (
    "Something went wrong on our side while making the file. Please request it again; "
    "if it fails again, contact Partnership Portal Support."
)
# How long one message may go on taking the job's chunks nobody holds (parts.py) by default
# (PORTAL_JOB_RUN_SECONDS): long enough for a large file's chunks to follow each other without the
# queue between them, short enough that a stop asked for, or another job's messages, wait for little.
RUN = timedelta(seconds=5)


@dataclass(frozen=True)
class FileWork:
    """What a worker making files needs to know."""

    files_dir: Path
    public_url: str
    mail_config: MailConfig
    lease: timedelta = timedelta(minutes=1)
    stall: timedelta = STALL  # untouched this long, the sweep hands the job to the queue again
    run: timedelta = RUN  # zero: one chunk a message
    # The queue's retries (PORTAL_JOB_MAX_RETRIES + 1, PORTAL_JOB_MIN_BACKOFF_MS,
    # PORTAL_JOB_MAX_BACKOFF_MS): a chunk is tried at most ``tries`` times, whichever messages try it.
    tries: int = 9
    retry_first: timedelta = timedelta(seconds=5)
    retry_longest: timedelta = timedelta(minutes=10)

    def retry_within(self, tries: int) -> timedelta:
        """The longest the queue waits before it retries a step that failed its ``tries``-th try: its
        backoff doubles from ``retry_first``, with up to as much again of jitter, and never passes
        ``retry_longest``."""
        return min(self.retry_first * (1 << min(tries, 30)), self.retry_longest)


class StorageFailed(OSError):
    """The files folder could not be written: the job says so, and the queue retries."""


@contextlib.asynccontextmanager
async def storing(job_id: int) -> AsyncIterator[None]:
    """Writing into the files folder: when it cannot be written (full, read-only, no permission),
    the job's message says so while the queue retries, and StorageFailed names the cause."""
    try:
        yield
    except OSError as error:
        await CertificateFileJob.filter(id=job_id, status__in=ACTIVE).update(error_message=STORING_RETRYING)
        raise StorageFailed(error.errno, f"the files folder cannot be written: {error}") from error


def announce_job(job: CertificateFileJob) -> None:
    """Tell subscribers the job changed; they read its state from the database."""
    announce(partner_id=job.partner_id, recognition_id=job.recognition_id, job_id=job.id)
