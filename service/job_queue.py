"""The port through which the domain hands work to the job queue, once the work is committed.

Domain code records what is to be done (an outbox row, a queued job) in its own transaction and
then calls ``enqueue``; the job queue's adapter (``workers``) decides how it runs. With no
adapter, or a broker that cannot be reached, the record waits for the next sweep, so nothing
is ever lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

logger = logging.getLogger("service.job_queue")


class Job(StrEnum):
    DELIVER_MAIL = "deliver_mail"
    BUILD_CERTIFICATE_FILE = "build_certificate_file"
    BUILD_CERTIFICATE_FILE_PART = "build_certificate_file_part"
    SYNC_PROGRESS = "sync_progress"


Adapter = Callable[[Job, int, timedelta | None], object]
_adapter: Adapter | None = None


def set_adapter(adapter: Adapter | None) -> None:
    """What hands jobs to the queue from now on (None: nothing, the sweep finds the work later)."""
    global _adapter
    _adapter = adapter


def current_adapter() -> Adapter | None:
    return _adapter


def enqueue(job: Job, record_id: int, *, delay: timedelta | None = None) -> bool:
    """Hand committed work to the queue (to run after ``delay``, if given); False when there is no
    queue or it cannot be reached (the work then waits for the next sweep)."""
    if _adapter is None:
        logger.info("%s %s recorded; no job queue to hand it to yet", job.value, record_id)
        return False
    try:
        _adapter(job, record_id, delay)
    except Exception:
        logger.exception("%s %s recorded; the job queue could not take it now", job.value, record_id)
        return False
    return True
