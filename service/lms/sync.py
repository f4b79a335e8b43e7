"""The progress sync's background job: every course of a run's scope read from Canvas, partner by
partner, one course failing without stopping the others; the run leased while it works and recorded
with its counts, the courses that failed and the warnings."""

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
from service.lms import rules
from service.lms.canvas import CanvasClient, CanvasError
from service.lms.courses import sync_course
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
            async with CanvasClient(
                partner.canvas_base_url or "", token or "", pause=access.pause, transport=access.transport
            ) as canvas:
                for cohort in cohorts:
                    totals["courses"] += 1
                    try:
                        if not token:
                            raise CanvasError(
                                f"No Canvas API token in the environment variable "
                                f"{partner.canvas_token_variable or '(none configured)'}."
                            )
                        result = await sync_course(cohort=cohort, canvas=canvas, now=clock())
                    except CanvasError as error:
                        totals["courses_failed"] += 1
                        errors.append(
                            {"cohortId": cohort.id, "courseId": cohort.lms_course_id, "message": str(error)}
                        )
                    else:
                        totals["seen"] += result.seen
                        totals["changed"] += result.changed
                        totals["created"] += result.created
                        totals["unmatched"] += result.unmatched
                        totals["renamed"] += result.renamed
                        warnings.extend(
                            {"cohortId": cohort.id, "courseId": cohort.lms_course_id, **warning}
                            for warning in result.warnings
                        )
                    await ProgressSyncRun.filter(id=run_id).update(claimed_until=clock() + LEASE)
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
