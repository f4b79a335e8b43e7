"""The port through which the domain hands work to the job queue, once the work is committed.

Domain code records what is to be done (an outbox row, a queued job) in its own transaction and
then calls ``dispatch``; the job queue's adapter (``workers``) decides how it runs. With no
dispatcher, or a broker that cannot be reached, the record waits for the next sweep, so nothing
is ever lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

logger = logging.getLogger("service.dispatch")


class Job(StrEnum):
    DELIVER_MAIL = "deliver_mail"
    BUILD_CERTIFICATE_FILE = "build_certificate_file"
    BUILD_CERTIFICATE_FILE_PART = "build_certificate_file_part"
    SYNC_PROGRESS = "sync_progress"


Dispatcher = Callable[[Job, int, timedelta | None], object]
_dispatcher: Dispatcher | None = None


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    global _dispatcher
    _dispatcher = dispatcher


def dispatch(job: Job, record_id: int, *, delay: timedelta | None = None) -> bool:
    """Hand committed work to the queue (to run after ``delay``, if given); False when there is no
    queue or it cannot be reached (the work then waits for the next sweep)."""
    if _dispatcher is None:
        logger.info("%s %s recorded; no job queue to hand it to yet", job.value, record_id)
        return False
    try:
        _dispatcher(job, record_id, delay)
    except Exception:
        logger.exception("%s %s recorded; the job queue could not take it now", job.value, record_id)
        return False
    return True
