"""The daily progress sync from Canvas: enrolments and course progress for every cohort with an LMS
course, upserted in bulk; each run recorded with its counts and the courses that failed.

Canvas is configured per partner (base URL, and the name of the environment variable that holds
its API token: the token itself is never stored here nor shown by the API). One course failing
does not stop the others. A run is leased while it works, so a redelivered message never runs it
twice at once; running it again later reads Canvas again and changes only what differs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from service import job_queue
from service.certificates.provisional import settle_provisional_certificates
from service.cohorts.models import Cohort, Program
from service.enrollments.models import CourseTaker, Enrollment
from service.errors import DomainError, ErrorCode, Forbidden, NotFound
from service.job_queue import Job
from service.lms import rules
from service.lms.canvas import CanvasClient, CanvasError, CanvasProgress, CanvasStudent
from service.lms.models import ProgressSyncRun, SyncStatus, SyncTrigger
from service.partners.models import Partner
from service.text import bidi_controls_in, named, without_bidi_controls
from service.users.actor import Actor

# How long a run is owned by its worker without news (renewed after each course).
LEASE = timedelta(minutes=10)
ACTIVE = (SyncStatus.QUEUED, SyncStatus.RUNNING)
PROGRESS_FIELDS = ("modules_completed", "modules_required", "percent_complete", "completed_at", "certified")


def canvas_token(variable: str | None) -> str | None:
    """The secret store: the environment of the process that runs the sync."""
    return os.environ.get(variable) if variable else None


@dataclass(frozen=True)
class CanvasAccess:
    """How a sync reaches Canvas: the pause that backoff starts from, and (in tests) a transport."""

    pause: float = 1.0
    transport: httpx.AsyncBaseTransport | None = None
    token_of: Callable[[str | None], str | None] = canvas_token


@dataclass(frozen=True)
class CourseResult:
    seen: int
    changed: int
    created: int
    warnings: list[dict[str, Any]] = field(default_factory=list)


async def request_sync(*, actor: Actor, partner_id: int | None, now: datetime) -> ProgressSyncRun:
    """Staff: read progress from Canvas now, for one partner or every partner that has Canvas. A run
    of the same scope already waiting or running is answered instead of a second one."""
    if not actor.is_staff:
        raise Forbidden("Only staff may start a progress sync.")
    if partner_id is not None:
        partner = await Partner.get_or_none(id=partner_id)
        if partner is None:
            raise NotFound("Partner", field=("partnerId",))
        if not partner.canvas_base_url:
            raise DomainError.of(
                ErrorCode.CANVAS_NOT_CONFIGURED,
                f"{partner.name} has no Canvas connection to read progress from.",
                field=("partnerId",),
            )
    same = await ProgressSyncRun.filter(partner_id=partner_id, status__in=ACTIVE).order_by("id").first()
    if same is not None:
        return same
    return await _queue(
        ProgressSyncRun(
            partner_id=partner_id, trigger=SyncTrigger.STAFF, requested_by_id=actor.user_id, created_at=now
        )
    )


async def schedule_daily_sync(*, now: datetime, hour: int) -> ProgressSyncRun | None:
    """The day's run, once the hour (UTC) has come; one a day however many processes ask."""
    if now.hour < hour:
        return None
    key = now.date().isoformat()
    if await ProgressSyncRun.exists(schedule_key=key):
        return None
    try:
        return await _queue(ProgressSyncRun(trigger=SyncTrigger.SCHEDULE, schedule_key=key, created_at=now))
    except IntegrityError:  # another process scheduled it a moment ago
        return None


async def command_run(*, partner_slug: str | None, now: datetime) -> ProgressSyncRun:
    """A run recorded for `portal sync-progress`, which runs it at once in its own process."""
    partner = None if partner_slug is None else await _partner_by_slug(partner_slug)
    return await ProgressSyncRun.create(
        partner_id=None if partner is None else partner.id, trigger=SyncTrigger.COMMAND, created_at=now
    )


async def connect_canvas(*, partner_slug: str, base_url: str, token_variable: str) -> Partner:
    """Where a partner's Canvas is, and which environment variable holds its API token."""
    partner = await _partner_by_slug(partner_slug)
    if not base_url.startswith(("https://", "http://")) or not token_variable.isidentifier():
        raise DomainError.of(
            ErrorCode.CANVAS_NOT_CONFIGURED,
            "Give Canvas's base URL (https://…) and the name of an environment variable for its token.",
        )
    partner.canvas_base_url, partner.canvas_token_variable = base_url.rstrip("/"), token_variable
    await partner.save(update_fields=["canvas_base_url", "canvas_token_variable"])
    return partner


async def _partner_by_slug(slug: str) -> Partner:
    partner = await Partner.get_or_none(slug=slug)
    if partner is None:
        raise NotFound("Partner", field=("partner",))
    return partner


async def _queue(run: ProgressSyncRun) -> ProgressSyncRun:
    await run.save()
    job_queue.enqueue(Job.SYNC_PROGRESS, run.id)
    return run


async def stalled_run_ids(*, now: datetime) -> list[int]:
    """Runs waiting or running that nobody holds (a lost message, a stopped worker): to hand over."""
    stalled = Q(claimed_until__lt=now) | Q(claimed_until__isnull=True, created_at__lt=now - LEASE)
    return [run.id for run in await ProgressSyncRun.filter(stalled, status__in=ACTIVE).only("id")]


async def runs(*, actor: Actor, limit: int) -> list[ProgressSyncRun]:
    if not actor.is_staff:
        raise Forbidden("Only staff may see progress sync runs.")
    return await ProgressSyncRun.all().order_by("-created_at", "-id").limit(limit)


async def runs_by_ids(*, actor: Actor, ids: Sequence[int]) -> dict[int, ProgressSyncRun]:
    if not actor.is_staff:
        return {}
    return {run.id: run for run in await ProgressSyncRun.filter(id__in=set(ids))}


async def progress_synced_at_by_partner_ids(*, actor: Actor, ids: Sequence[int]) -> dict[int, datetime]:
    """When the LMS last reported progress for each partner's course-takers (partners the actor may
    see that have any)."""
    visible = [key for key in ids if actor.is_staff or key == actor.partner_id]
    rows = (
        await Enrollment.filter(cohort__partner_id__in=visible, progress_synced_at__isnull=False)
        .annotate(last=Max("progress_synced_at"))
        .group_by("cohort__partner_id")
        .values("cohort__partner_id", "last")
    )
    return {row["cohort__partner_id"]: row["last"] for row in rows if row["last"] is not None}


# ---------------------------------------------------------------- the background job


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
    totals = {"courses": 0, "courses_failed": 0, "seen": 0, "changed": 0, "created": 0}
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
    await ProgressSyncRun.filter(id=run_id, status=SyncStatus.RUNNING).update(
        status=status,
        finished_at=clock(),
        claimed_until=None,
        courses=totals["courses"],
        courses_failed=failed,
        enrollments_seen=totals["seen"],
        enrollments_changed=totals["changed"],
        enrollments_created=totals["created"],
        errors=errors,
        warnings=warnings,
    )
    # Who completed since the last read: their provisional certificates turn valid now.
    await settle_provisional_certificates(now=clock(), partner_id=run.partner_id)
    return await ProgressSyncRun.get(id=run_id)


async def sync_course(*, cohort: Cohort, canvas: CanvasClient, now: datetime) -> CourseResult:
    """One course: its students (new ones become course-takers) and their progress, in one transaction."""
    course_id = cohort.lms_course_id or ""
    students = await canvas.students(course_id)
    progress = await canvas.progress(course_id, [student.user_id for student in students])
    program = await Program.get(id=cohort.program_id)
    warnings: list[dict[str, Any]] = []
    async with in_transaction():
        takers = await _course_takers(cohort.partner_id, students, warnings)
        enrollments = {e.course_taker_id: e for e in await Enrollment.filter(cohort_id=cohort.id)}
        created: list[Enrollment] = []
        changed: list[Enrollment] = []
        seen: list[int] = []
        for student in students:
            taker, figures = takers.get(student.user_id), progress.get(student.user_id)
            if taker is None or figures is None:
                continue
            values = _values(figures, program)
            enrollment = enrollments.get(taker.id)
            if enrollment is None:
                created.append(
                    Enrollment(
                        course_taker_id=taker.id, cohort_id=cohort.id, progress_synced_at=now, **values
                    )
                )
                continue
            seen.append(enrollment.id)
            if any(getattr(enrollment, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(enrollment, name, value)
                changed.append(enrollment)
        if created:
            await Enrollment.bulk_create(created, batch_size=500)
        if changed:
            await Enrollment.bulk_update(
                changed, fields=[*PROGRESS_FIELDS, "certificate_type_id"], batch_size=500
            )
        for start in range(0, len(seen), 500):
            await Enrollment.filter(id__in=seen[start : start + 500]).update(progress_synced_at=now)
    return CourseResult(
        seen=len(seen) + len(created), changed=len(changed), created=len(created), warnings=warnings
    )


def _values(figures: CanvasProgress, program: Program) -> dict[str, Any]:
    progress = rules.progress_of(
        requirement_count=figures.requirement_count,
        requirement_completed_count=figures.requirement_completed_count,
        completed_at=figures.completed_at,
        certification_percent=program.certification_percent,
    )
    values: dict[str, Any] = {name: getattr(progress, name) for name in PROGRESS_FIELDS}
    values["certificate_type_id"] = program.certificate_type_id
    return values


def _name_of(student: CanvasStudent, warnings: list[dict[str, Any]]) -> str:
    """The student's name as stored: without bidi controls, which could spoof the order it reads in
    (on the certificate, the dashboard, the verification page); a warning says so when removed."""
    if controls := bidi_controls_in(student.name):
        warnings.append(
            {
                "userId": student.user_id,
                "message": f"Bidi control characters removed from the name of Canvas user {student.user_id}: "
                f"{named(controls)}.",
            }
        )
    return " ".join(without_bidi_controls(student.name).split())[:300]


async def _course_takers(
    partner_id: int, students: list[CanvasStudent], warnings: list[dict[str, Any]]
) -> dict[str, CourseTaker]:
    """The partner's course-takers for these Canvas users: known by Canvas id, else by email (and
    linked), else created, each with the locale Canvas has for them. A student Canvas gives no email
    for cannot be listed and is left out."""
    ids = [student.user_id for student in students]
    known = {t.lms_user_id: t for t in await CourseTaker.filter(partner_id=partner_id, lms_user_id__in=ids)}
    relocated = []
    for student in students:
        taker = known.get(student.user_id)
        if taker is not None and taker.locale != student.locale:
            taker.locale = student.locale
            relocated.append(taker)
    if relocated:
        await CourseTaker.bulk_update(relocated, fields=["locale"], batch_size=500)
    unknown = [student for student in students if student.user_id not in known and student.email]
    by_email = {
        t.email.lower(): t
        for t in await CourseTaker.filter(
            partner_id=partner_id, email__in=[student.email for student in unknown]
        )
    }
    linked, new = [], []
    for student in unknown:
        existing = by_email.get((student.email or "").lower())
        if existing is not None and existing.lms_user_id is None:
            existing.lms_user_id, existing.locale = student.user_id, student.locale
            linked.append(existing)
        elif existing is None:
            new.append(
                CourseTaker(
                    partner_id=partner_id,
                    name=_name_of(student, warnings) or student.email,
                    email=student.email,
                    lms_user_id=student.user_id,
                    locale=student.locale,
                )
            )
    if linked:
        await CourseTaker.bulk_update(linked, fields=["lms_user_id", "locale"], batch_size=500)
    if new:
        await CourseTaker.bulk_create(new, batch_size=500)
    if linked or new:
        known = {
            t.lms_user_id: t for t in await CourseTaker.filter(partner_id=partner_id, lms_user_id__in=ids)
        }
    return {user_id: taker for user_id, taker in known.items() if user_id is not None}
