"""What Canvas's figures mean here: progress, completion and certification, by the program's rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from service.lms.models import SyncStatus

if TYPE_CHECKING:
    from service.lms.canvas import CanvasProgress

HUNDRED = Decimal(100)
# How long a run is owned by its worker without news (renewed after each course).
LEASE = timedelta(minutes=10)
# A run queued or running: one at a time per scope.
ACTIVE = (SyncStatus.QUEUED, SyncStatus.RUNNING)
# Students a run's warnings name one by one per course and reason; beyond, one says how many more.
NAMED = 20


def named_warnings(user_ids: Sequence[str], before: str, after: str, more: str) -> list[dict[str, Any]]:
    """A warning for each Canvas user up to ``NAMED`` (``before``, the id, ``after``), then one saying
    how many more (the number, then ``more``)."""
    warnings: list[dict[str, Any]] = [
        {"userId": user_id, "message": f"{before}{user_id}{after}"} for user_id in user_ids[:NAMED]
    ]
    if len(user_ids) > NAMED:
        warnings.append({"userId": None, "message": f"{len(user_ids) - NAMED} {more}"})
    return warnings


@dataclass(frozen=True)
class Progress:
    modules_completed: int
    modules_required: int
    percent_complete: Decimal
    completed_at: datetime | None
    certified: bool


def progress_of(
    *,
    requirement_count: int,
    requirement_completed_count: int,
    completed_at: datetime | None,
    certification_percent: Decimal,
) -> Progress:
    """Completion is Canvas's (`completed_at`); a completer is certified when they completed at least
    the program's share of the required modules (all of them, by default)."""
    required = max(requirement_count, 0)
    done = min(max(requirement_completed_count, 0), required)
    if required:
        percent = (Decimal(done) * HUNDRED / Decimal(required)).quantize(Decimal("0.01"))
    else:
        percent = HUNDRED if completed_at is not None else Decimal(0)
    return Progress(
        modules_completed=done,
        modules_required=required,
        percent_complete=percent,
        completed_at=completed_at,
        certified=completed_at is not None and percent >= certification_percent,
    )


def furthest(first: CanvasProgress, second: CanvasProgress) -> CanvasProgress:
    """Of two readings of one student's progress in a course (Canvas listed them twice: a list that
    moved while its pages were read), the furthest: a completion wins, then the most requirements
    completed, then the earlier completion; the first when they are alike."""

    def ahead(reading: CanvasProgress) -> tuple[bool, int, float]:
        done = reading.completed_at
        return done is not None, reading.requirement_completed_count, -done.timestamp() if done else 0.0

    return second if ahead(second) > ahead(first) else first


def completion_kept(read: Progress, *, completed_at: datetime | None, certified: bool) -> Progress:
    """A completion certified with a valid certificate issued for it is decided (its date is printed
    and verified): what a later read says of completion (none any more, another instant, short of
    certification) does not take it back. The figures still follow the LMS. Staff who find the
    completion was a mistake revoke the certificate; the next read then decides again."""
    if completed_at is None or not certified:
        return read
    return replace(read, completed_at=completed_at, certified=True)


def run_status(*, courses: int, courses_failed: int) -> SyncStatus:
    """How a finished run went. Reading no course at all (no open cohort with an LMS course id)
    is not a success: nothing was brought up to date."""
    if courses == 0:
        return SyncStatus.NO_COURSES
    if not courses_failed:
        return SyncStatus.SUCCEEDED
    return SyncStatus.FAILED if courses_failed == courses else SyncStatus.PARTLY_FAILED
