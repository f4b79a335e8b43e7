"""The progress sync's background job: every course of a run's scope read from Canvas, partner by
partner, one course failing without stopping the others; the run leased while it works and recorded
with its counts, the courses that failed and the warnings.

A course fails with Canvas's reason (``CanvasError``), or with an unexpected error's kind (an answer
this code could not read, a write the database refused: the log has the details). Only a database
out of reach stops the run: it is handed over again once its lease lapses. The lease is renewed while
Canvas answers, so a long course is not mistaken for a stalled run and read twice at once."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from tortoise.expressions import Q

from service.certificates.provisional import settle_provisional_certificates
from service.cohorts.models import Cohort
from service.database import is_unreachable
from service.lms import rules
from service.lms.canvas import CanvasClient, CanvasError
from service.lms.courses import CourseResult, sync_course
from service.lms.models import ProgressSyncRun, SyncStatus
from service.lms.rules import ACTIVE, LEASE
from service.partners.models import Partner

logger = logging.getLogger("service.lms")


def canvas_token(variable: str | None) -> str | None:
    """The secret store: the environment of the process that runs the sync."""
    return os.environ.get(variable) if variable else None


@dataclass(frozen=True)
class CanvasAccess:
    """How a sync reaches Canvas: the pause that backoff starts from, and (in tests) a transport."""

    pause: float = 1.0
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
    totals = {
        "courses": 0,
        "courses_failed": 0,
        "seen": 0,
        "changed": 0,
        "created": 0,
        "unmatched": 0,
        "renamed": 0,
    }
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
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
            no_token = None if token else f"No Canvas API token in the environment variable {variable}."
            async with CanvasClient(
                partner.canvas_base_url or "",
                token or "",
                pause=access.pause,
                transport=access.transport,
                answered=renew,
            ) as canvas:
                for cohort in cohorts:
                    totals["courses"] += 1
                    outcome = no_token or await _read_course(
                        run_id=run_id, cohort=cohort, canvas=canvas, now=clock()
                    )
                    if isinstance(outcome, str):
                        totals["courses_failed"] += 1
                        errors.append(
                            {"cohortId": cohort.id, "courseId": cohort.lms_course_id, "message": outcome}
                        )
                    else:
                        totals["seen"] += outcome.seen
                        totals["changed"] += outcome.changed
                        totals["created"] += outcome.created
                        totals["unmatched"] += outcome.unmatched
                        totals["renamed"] += outcome.renamed
                        warnings.extend(
                            {"cohortId": cohort.id, "courseId": cohort.lms_course_id, **warning}
                            for warning in outcome.warnings
                        )
                    renewed = clock()
                    await ProgressSyncRun.filter(id=run_id).update(claimed_until=renewed + LEASE)
                    if progress is not None:
                        progress(totals["courses"], course_count)
    except BaseException:
        await ProgressSyncRun.filter(id=run_id, status=SyncStatus.RUNNING).update(claimed_until=None)
        raise
    failed = totals["courses_failed"]
    status = rules.run_status(courses=totals["courses"], courses_failed=failed)
    if totals["unmatched"]:
        # Each course's warnings say how many of its students, and why; the log says how many in all.
        logger.warning("progress sync %s: %s enrolments matched no course-taker", run_id, totals["unmatched"])
    await ProgressSyncRun.filter(id=run_id, status=SyncStatus.RUNNING).update(
        status=status,
        finished_at=clock(),
        claimed_until=None,
        courses=totals["courses"],
        courses_failed=failed,
        enrollments_seen=totals["seen"],
        enrollments_changed=totals["changed"],
        enrollments_created=totals["created"],
        names_changed=totals["renamed"],
        errors=errors,
        warnings=warnings,
    )
    # Who completed since the last read: their provisional certificates turn valid now.
    await settle_provisional_certificates(now=clock(), partner_id=run.partner_id)
    return await ProgressSyncRun.get(id=run_id)


async def _read_course(
    *, run_id: int, cohort: Cohort, canvas: CanvasClient, now: datetime
) -> CourseResult | str:
    """One course of a run: what reading it did, or why it failed — Canvas's reason, or an unexpected
    error's kind (the log has its details). A database out of reach is raised: it stops the run."""
    try:
        return await sync_course(cohort=cohort, canvas=canvas, now=now)
    except CanvasError as error:
        return str(error)
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
        return f"The course could not be read: an unexpected error ({kind}); the log has the details."
