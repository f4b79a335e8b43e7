"""The daily progress sync from Canvas: enrolments and course progress for every cohort with an LMS
course, upserted in bulk; each run recorded with its counts and the courses that failed. This module
asks for runs (staff, the daily schedule, the command) and reads them; the job that does a run is
``sync.py``, one course of it ``courses.py``.

Canvas is configured per partner (base URL, and the name of the environment variable that holds
its API token: the token itself is never stored here nor shown by the API). One course failing
does not stop the others. A run is leased while it works, so a redelivered message never runs it
twice at once; running it again later reads Canvas again and changes only what differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Max

from service import job_queue
from service.enrollments.models import Enrollment
from service.errors import DomainError, ErrorCode, Forbidden, NotFound
from service.job_queue import Job
from service.lms.models import ProgressSyncRun, SyncTrigger
from service.lms.rules import ACTIVE as ACTIVE
from service.lms.rules import LEASE
from service.lms.sync import CanvasAccess as CanvasAccess  # the job's callers find it here
from service.lms.sync import run_sync as run_sync
from service.partners.models import Partner
from service.users.actor import Actor


async def request_sync(*, actor: Actor, partner_id: int | None, now: datetime) -> ProgressSyncRun:
    """Staff: read progress from Canvas now, for one partner or every partner that has Canvas. A run
    of the same scope already waiting or running is answered instead of a second one."""
    if not actor.is_staff:
        raise Forbidden("Only staff may start a progress sync.")
    if partner_id is not None:
        partner = await Partner.get_or_none(id=partner_id)
        if partner is None:
            raise NotFound("Partner", field=("partnerId",))
        _require_canvas(partner, field=("partnerId",))
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
    if partner is not None:
        _require_canvas(partner, field=("partner",))
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


async def disconnect_canvas(*, partner_slug: str) -> bool:
    """Stop reading a partner's progress from Canvas (a link to a Canvas it has left, or a token
    withdrawn); True when it was connected. Progress already read stays."""
    partner = await _partner_by_slug(partner_slug)
    if partner.canvas_base_url is None and partner.canvas_token_variable is None:
        return False
    partner.canvas_base_url = partner.canvas_token_variable = None
    await partner.save(update_fields=["canvas_base_url", "canvas_token_variable"])
    return True


def _require_canvas(partner: Partner, *, field: tuple[str, ...]) -> None:
    if not partner.canvas_base_url:
        raise DomainError.of(
            ErrorCode.CANVAS_NOT_CONFIGURED,
            f"{partner.name} has no Canvas connection to read progress from.",
            field=field,
        )


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
