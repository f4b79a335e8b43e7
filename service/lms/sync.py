"""The progress sync's background job: every course of a run's scope read from Canvas, partner by
partner, one course failing without stopping the others; the run leased while it works and recorded
with its counts, the courses that failed and the warnings.

A course fails with Canvas's reason (``CanvasError``), or with an unexpected error's kind (an answer
this code could not read, a write the database refused: the log has the details). When Canvas itself
is out of reach — no connection can be made to it, it does not take the partner's token, or it
answered nothing for ``DOWN_AFTER`` courses in a row — the partner's other courses are not tried (each
would wait through its own retries for nothing): they fail saying so, and the run goes on with the
next partner. Only a database out of reach stops the run: it is handed over again once its lease
lapses. The lease is renewed while Canvas answers, so a long course is not mistaken for a stalled run
and read twice at once."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from tortoise.expressions import Q

from service.certificates.provisional import settle_provisional_certificates
from service.cohorts.models import Cohort
from service.database import is_unreachable
from service.lms import rules
from service.lms.canvas import (
    CanvasClient,
    CanvasError,
    CanvasTokenRefused,
    CanvasUnavailable,
    CanvasUnreachable,
    address_of,
)
from service.lms.courses import CourseResult, sync_course
from service.lms.models import ProgressSyncRun, SyncStatus
from service.lms.rules import ACTIVE, LEASE
from service.partners.models import Partner

logger = logging.getLogger("service.lms")

DOWN_AFTER = 2
"""Courses in a row that Canvas answered nothing for (every attempt of their first request failing:
5xx, timeouts) after which its partner's Canvas is taken for down. One such course alone may be
Canvas failing on that course only: the next one is tried."""


def canvas_token(variable: str | None) -> str | None:
    """The secret store: the environment of the process that runs the sync."""
    return os.environ.get(variable) if variable else None


@dataclass(frozen=True)
class CanvasAccess:
    """How a sync reaches Canvas: the pause that backoff starts from (1 s, doubling over 6 attempts),
    how long a request may take, and (in tests) a transport."""

    pause: float = 1.0
    timeout: float = 30.0
    transport: httpx.AsyncBaseTransport | None = None
    token_of: Callable[[str | None], str | None] = canvas_token


async def run_sync(
    *,
    run_id: int,
    clock: Callable[[], datetime],
    access: CanvasAccess | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ProgressSyncRun | None:
    """Read every course of the run's scope from Canvas and record what changed; ``progress`` hears
    (courses done, courses in all)."""
    access = access or CanvasAccess()
    now = clock()
    claimed = await ProgressSyncRun.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), id=run_id, status__in=ACTIVE
    ).update(status=SyncStatus.RUNNING, claimed_until=now + LEASE, started_at=now)
    if not claimed:
        return None
    run = await ProgressSyncRun.get(id=run_id)
    tally = _Tally()
    renewed = now

    async def renew() -> None:
        """After each request to Canvas: the run is moving, so its lease is renewed (once a third of it
        has passed)."""
        nonlocal renewed
        if clock() - renewed >= LEASE / 3:
            renewed = clock()
            await ProgressSyncRun.filter(id=run_id).update(claimed_until=renewed + LEASE)

    partners = Partner.filter(canvas_base_url__isnull=False)
    if run.partner_id is not None:
        partners = partners.filter(id=run.partner_id)
    try:
        plan = [
            (
                partner,
                await Cohort.filter(
                    partner_id=partner.id, lms_course_id__isnull=False, closed_at__isnull=True
                ).order_by("id"),
            )
            for partner in await partners.order_by("id")
        ]
        course_count = sum(len(cohorts) for _, cohorts in plan)
        for partner, cohorts in plan:
            token = access.token_of(partner.canvas_token_variable)
            variable = partner.canvas_token_variable or "(none configured)"
            # Set once no course of the partner can be read: why, said for each course not tried.
            untried = None if token else f"No Canvas API token in the environment variable {variable}."
            outage = _Outage()
            async with CanvasClient(
                partner.canvas_base_url or "",
                token or "",
                pause=access.pause,
                timeout=access.timeout,
                transport=access.transport,
                answered=renew,
            ) as canvas:
                for place, cohort in enumerate(cohorts, start=1):
                    if untried is not None:
                        tally.failed(cohort, untried)
                    else:
                        answers = canvas.answers
                        outcome = await _read_course(run_id=run_id, cohort=cohort, canvas=canvas, now=clock())
                        if isinstance(outcome, CourseResult):
                            tally.read(cohort, outcome)
                        else:
                            tally.failed(cohort, str(outcome))
                        if outage.down_after(cohort, outcome, answered=canvas.answers > answers):
                            untried = _not_tried(run_id, partner, outage, outcome, left=len(cohorts) - place)
                    renewed = clock()
                    await ProgressSyncRun.filter(id=run_id).update(claimed_until=renewed + LEASE)
                    if progress is not None:
                        progress(tally.courses, course_count)
    except BaseException:
        await ProgressSyncRun.filter(id=run_id, status=SyncStatus.RUNNING).update(claimed_until=None)
        raise
    status = rules.run_status(courses=tally.courses, courses_failed=tally.courses_failed)
    if tally.unmatched:
        # Each course's warnings say how many of its students, and why; the log says how many in all.
        logger.warning("progress sync %s: %s enrolments matched no course-taker", run_id, tally.unmatched)
    await ProgressSyncRun.filter(id=run_id, status=SyncStatus.RUNNING).update(
        status=status,
        finished_at=clock(),
        claimed_until=None,
        courses=tally.courses,
        courses_failed=tally.courses_failed,
        enrollments_seen=tally.seen,
        enrollments_changed=tally.changed,
        enrollments_created=tally.created,
        names_changed=tally.renamed,
        errors=tally.errors,
        warnings=tally.warnings,
    )
    # Who completed since the last read: their provisional certificates turn valid now.
    await settle_provisional_certificates(now=clock(), partner_id=run.partner_id)
    return await ProgressSyncRun.get(id=run_id)


@dataclass
class _Tally:
    """What a run did so far: its counts, the courses that failed and why, the warnings."""

    courses: int = 0
    courses_failed: int = 0
    seen: int = 0
    changed: int = 0
    created: int = 0
    unmatched: int = 0
    renamed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def read(self, cohort: Cohort, outcome: CourseResult) -> None:
        self.courses += 1
        self.seen += outcome.seen
        self.changed += outcome.changed
        self.created += outcome.created
        self.unmatched += outcome.unmatched
        self.renamed += outcome.renamed
        self.warnings.extend(
            {"cohortId": cohort.id, "courseId": cohort.lms_course_id, **warning}
            for warning in outcome.warnings
        )

    def failed(self, cohort: Cohort, message: str) -> None:
        self.courses += 1
        self.courses_failed += 1
        self.errors.append({"cohortId": cohort.id, "courseId": cohort.lms_course_id, "message": message})


@dataclass
class _Outage:
    """Whether a partner's Canvas is out of reach, from how its courses went one after the other."""

    courses: list[str] = field(default_factory=list)
    """The courses, in a row, whose failure says Canvas is out of reach."""

    def down_after(self, cohort: Cohort, outcome: CourseResult | CanvasError, *, answered: bool) -> bool:
        """True once no other course can be read: no connection to Canvas, its token not taken, or
        ``DOWN_AFTER`` courses in a row it answered nothing for (Canvas answering in between, the
        count starts again: one course failing does not stop the others)."""
        course = cohort.lms_course_id or ""
        if isinstance(outcome, CanvasUnreachable | CanvasTokenRefused):
            self.courses = [course]
            return True
        if isinstance(outcome, CanvasUnavailable) and not answered:
            self.courses.append(course)
            return len(self.courses) >= DOWN_AFTER
        if answered:
            self.courses = []
        return False


def _not_tried(
    run_id: int, partner: Partner, outage: _Outage, outcome: CourseResult | CanvasError, *, left: int
) -> str:
    """Why the partner's other courses are not tried, as each of them says it; logged once."""
    address = address_of(partner.canvas_base_url or "")
    courses = " and ".join(outage.courses)
    read = f"course {courses} was read" if len(outage.courses) == 1 else f"courses {courses} were read"
    if isinstance(outcome, CanvasTokenRefused):
        why = f"Canvas at {address} did not take the partner's API token when {read}"
        then = "they are read once the token is replaced."
    else:
        why = f"Canvas at {address} was out of reach when {read}"
        then = "they are read on the next run, once Canvas answers."
    logger.warning(
        "progress sync %s: partner %s: %s; its %s other courses not tried", run_id, partner.slug, why, left
    )
    return f"Not tried: {why}, so the partner's other courses were not; {then}"


async def _read_course(
    *, run_id: int, cohort: Cohort, canvas: CanvasClient, now: datetime
) -> CourseResult | CanvasError:
    """One course of a run: what reading it did, or why it failed — Canvas's reason (logged with the
    course), or an unexpected error's kind (the log has its details). A database out of reach is
    raised: it stops the run."""
    try:
        return await sync_course(cohort=cohort, canvas=canvas, now=now)
    except CanvasError as error:
        logger.warning(
            "progress sync %s: course %s (cohort %s) not read: %s",
            run_id,
            cohort.lms_course_id,
            cohort.id,
            error,
        )
        return error
    except Exception as error:
        if is_unreachable(error):
            raise
        logger.error(
            "progress sync %s: course %s (cohort %s) could not be read",
            run_id,
            cohort.lms_course_id,
            cohort.id,
            exc_info=error,
        )
        kind = type(error).__name__
        return CanvasError(
            f"The course could not be read: an unexpected error ({kind}); the log has the details."
        )
