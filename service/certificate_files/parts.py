"""Making parts: a worker claims a chunk, issues its certificates not issued yet (so every code
matches the single downloads) and draws their pages into the chunk's part, one document whose pages
share their fonts; then it goes on with the job's chunks nobody has taken, for a while, each claimed
and issued while the part before it is drawn, so the statements' round trips overlap the drawing
instead of preceding it, and no queue stands between one chunk and the next. A part records the
ceremony's day its pages print, so that the join has the parts drawn before the ceremony moved drawn
again.

A chunk is tried at most ``FileWork.tries`` times, whichever messages try it (its own, its retries,
a run that took it on the way, a hand-over), so a failure costs the retries of one chain whatever
the number of messages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from service import job_queue
from service.certificate_files.leases import lease_over, look_again_when_free, renewing
from service.certificate_files.models import ACTIVE, CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.paths import part_path
from service.certificate_files.work import FileWork, announce_job, storing
from service.certificate_templates.printing import brandings
from service.certificates.issuing import follow_ceremony_again
from service.certificates.models import CertificateStatus
from service.certificates.printing import shown_name, unprintable
from service.certificates.services import certificates_for
from service.errors import DomainError, ErrorCode, Problem
from service.files.store import write_atomically
from service.job_queue import Job
from service.pdf import Branding, CertificateText, render_certificates
from service.recognitions.models import Recognition, local_date
from service.users.actor import Actor

logger = logging.getLogger("service.certificate_files")

# What to do about someone whose certificate cannot be printed.
LEAVE_OUT = (
    "Correct the name in the LMS, or select the course-takers again without this person, "
    "and request a new file."
)
SHOWN_PROBLEMS = 3


async def claim(chunk: CertificateFileChunk, *, now: datetime, work: FileWork) -> CertificateFileJob | None:
    """Take the chunk (if nobody is making it and it has tries left) for a job still wanted; the job
    is RUNNING from then. The job comes with its requester and recognition, which making the part
    needs."""
    job = await CertificateFileJob.get(id=chunk.job_id).select_related("requested_by", "recognition")
    if job.status not in ACTIVE:
        return None
    lease, stall = work.lease, work.stall
    claimed = await CertificateFileChunk.filter(
        lease_over(now), id=chunk.id, done_at__isnull=True, attempts__lt=work.tries
    ).update(claimed_until=now + lease, attempts=F("attempts") + 1, retry_due=None)
    if not claimed:
        await look_again_when_free(CertificateFileChunk, chunk.id, Job.BUILD_CERTIFICATE_FILE_PART, now)
        return None
    attempts = chunk.attempts + 1
    # Each guarded update only ever moves one way (QUEUED → RUNNING, never back; attempts only
    # grow), so one the job as read shows done would change nothing: skipped (a statement saved on
    # nearly every chunk). Read before the claim, the job may be behind, never ahead.
    if job.status is FileJobStatus.QUEUED:
        await CertificateFileJob.filter(id=job.id, status=FileJobStatus.QUEUED).update(
            status=FileJobStatus.RUNNING, started_at=now
        )
    if job.attempts < attempts:
        await CertificateFileJob.filter(id=job.id, attempts__lt=attempts).update(attempts=attempts)
    await CertificateFileJob.filter(id=job.id).update(handover_after=now + stall)
    announce_job(job)
    return job


@dataclass(frozen=True)
class _Issued:
    """A chunk's pages, ready to draw, and the ceremony's day they print (None: no page prints it)."""

    texts: list[CertificateText]
    designs: list[Branding]
    day: date | None


async def make_parts(
    first: CertificateFileChunk, job: CertificateFileJob, *, clock: Callable[[], datetime], work: FileWork
) -> str | None:
    """Make ``first``'s part (the caller claimed it), then, for up to ``work.run``, the parts of the
    job's chunks nobody has taken (never tried: one that failed is left to its own message and the
    queue's retries), in order; each counted once. While a part is drawn (in a thread), the one
    before it is stored and counted and the next chunk is claimed and issued, so their statements
    wait on the database while the pages are drawn. A message for the user instead when the
    selection no longer holds.

    On a failure every lease held here is given up, and the chunks taken besides ``first`` are
    handed to the queue again, after the queue's first backoff (their own messages may have found
    them held, and would look again only when the lease ended). It raises, for the queue to retry
    this message, only while ``first`` is not made: once it is, a retry would be no chunk's."""
    held = [first.id]
    until = clock() + work.run
    try:
        async with renewing(
            lambda: CertificateFileChunk.filter(id__in=list(held), done_at__isnull=True), clock, work.lease
        ):
            drawn: tuple[CertificateFileChunk, bytes, date | None] | None = None
            chunk, issued = first, await _issue(first, job, clock=clock, work=work)
            while isinstance(issued, _Issued):
                drawing = asyncio.ensure_future(_draw(issued))
                try:
                    if drawn is not None:
                        await _store(*drawn, job, clock=clock, work=work)
                        held.remove(drawn[0].id)
                    following = (
                        await _take_next(job, held, clock=clock, work=work) if clock() < until else None
                    )
                except BaseException:
                    with contextlib.suppress(BaseException):
                        await drawing  # a thread is not stopped: its work is let end, and dropped
                    raise
                part = await drawing
                if isinstance(part, str):
                    return part
                drawn = (chunk, part, issued.day)
                if following is None:
                    break
                chunk, issued = following
            else:
                return issued
            await _store(*drawn, job, clock=clock, work=work)
            held.remove(chunk.id)
            return None
    except BaseException as error:
        # Let the retries take the chunks; a process that dies outright leaves the leases to expire,
        # and so does a database out of reach (the error raised is the one that ended the run).
        with contextlib.suppress(Exception):
            await _let_go(held, first, now=clock(), work=work)
        for chunk_id in held:
            if chunk_id != first.id:
                job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE_PART, chunk_id, delay=work.retry_within(1))
        if first.id in held or not isinstance(error, Exception):
            raise
        logger.warning(
            "certificate file %s: a chunk taken on the way failed; queued again", job.id, exc_info=True
        )
        return None


async def _let_go(held: list[int], first: CertificateFileChunk, *, now: datetime, work: FileWork) -> None:
    """Give up the leases held, the chunks left to their retries till those are due (the sweep hands
    them over only after)."""
    tries = first.attempts + 1  # as read before its claim, which counted this try
    await CertificateFileChunk.filter(id__in=held).update(
        claimed_until=None, retry_due=now + work.retry_within(tries) + work.stall
    )


async def _take_next(
    job: CertificateFileJob, held: list[int], *, clock: Callable[[], datetime], work: FileWork
) -> tuple[CertificateFileChunk, _Issued | str] | None:
    """Claim the job's first chunk nobody has taken (while it is running) and issue it; None when
    there is none."""
    now = clock()
    fresh = CertificateFileChunk.filter(
        lease_over(now), job_id=job.id, job__status=FileJobStatus.RUNNING, done_at__isnull=True, attempts=0
    )
    for chunk in await fresh.order_by("position").limit(2):
        taken = await CertificateFileChunk.filter(
            lease_over(now), id=chunk.id, done_at__isnull=True, attempts=0
        ).update(claimed_until=now + work.lease, attempts=1)
        if taken:
            held.append(chunk.id)
            return chunk, await _issue(chunk, job, clock=clock, work=work)
    return None


async def _issue(
    chunk: CertificateFileChunk, job: CertificateFileJob, *, clock: Callable[[], datetime], work: FileWork
) -> _Issued | str:
    """Issue the chunk's certificates (those not issued yet), with the design each was printed with,
    and the ceremony's day their provisional pages print; a message for the user instead when the
    selection no longer holds."""
    user = job.requested_by
    actor = Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)
    recognition, day = job.recognition, None
    while True:
        try:
            certificates = await certificates_for(
                actor=actor,
                recognition=recognition,
                enrollment_ids=job.enrollment_ids[chunk.start : chunk.start + chunk.size],
                now=clock(),
                files_dir=work.files_dir,
                public_url=work.public_url,
                with_files=False,
            )
        except DomainError as error:
            # A selected course-taker is no longer listed (e.g. after the LMS sync), or their name can
            # no longer be printed: no retry helps.
            return _refusal_message(error)
        # The pages that print this ceremony's day (one issued through another ceremony prints that one's).
        printed = {
            c.printed.get("awarded_on")
            for c in certificates
            if c.status is CertificateStatus.PROVISIONAL and c.recognition_id == job.recognition_id
        }
        if not printed:
            break
        # The ceremony read afresh, after them: a move after this read has the join draw the part again.
        recognition = await Recognition.get(id=job.recognition_id)
        day = local_date(recognition.starts_at, recognition.time_zone)
        if day is None or printed == {day.isoformat()}:
            break
        # Some were issued here with the day before a move that could not see them: they follow it,
        # and all are read again.
        await follow_ceremony_again(recognition_id=job.recognition_id)
    texts = [CertificateText.from_printed(certificate.printed) for certificate in certificates]
    # Each page in the design its certificate was printed with.
    designs = await brandings(certificate.template_version_id for certificate in certificates)
    if problems := unprintable(
        {index: (text.recipient_name, text.language) for index, text in enumerate(texts)}, lambda _index: ()
    ):
        return _unprintable_message(problems)
    return _Issued(texts, [designs[certificate.template_version_id] for certificate in certificates], day)


async def _draw(issued: _Issued) -> bytes | str:
    """One document for the chunk: its pages share their fonts and design. A message for the user
    instead when one person's certificate cannot be drawn."""
    texts, designs = issued.texts, issued.designs
    try:
        return await asyncio.to_thread(render_certificates, texts, designs)
    except (MemoryError, OSError):
        raise  # the machine, not a person: the queue tries again
    except Exception as error:
        culprit = await asyncio.to_thread(_first_not_drawn, texts, designs)
        if culprit is None:
            raise  # not about one person: the queue tries again
        return (
            f"The certificate of {shown_name(culprit.recipient_name)} could not be drawn "
            f"({type(error).__name__}). {LEAVE_OUT}"
        )


async def _store(
    chunk: CertificateFileChunk,
    part: bytes,
    day: date | None,
    job: CertificateFileJob,
    *,
    clock: Callable[[], datetime],
    work: FileWork,
) -> None:
    """Write the part under its final name, then count the chunk done (once), with the ceremony's day
    its pages print."""
    async with storing(job.id):
        await asyncio.to_thread(write_atomically, part_path(work.files_dir, job.id, chunk.position), part)
    now = clock()
    async with in_transaction() as connection:
        counted = (
            await CertificateFileChunk.filter(id=chunk.id, done_at__isnull=True)
            .using_db(connection)
            .update(done_at=now, claimed_until=None, drawn_for=day)
        )
        if counted:
            await (
                CertificateFileJob.filter(id=job.id, status=FileJobStatus.RUNNING)
                .using_db(connection)
                .update(
                    chunks_done=F("chunks_done") + 1,
                    done=F("done") + chunk.size,
                    handover_after=now + work.stall,
                )
            )
    announce_job(job)


def _refusal_message(error: DomainError) -> str:
    names = [problem for problem in error.problems if problem.code is ErrorCode.NAME_NOT_PRINTABLE]
    unlisted = len(error.problems) - len(names)
    parts = [_unprintable_message(names)] if names else []
    if unlisted:
        parts.insert(
            0,
            f"{unlisted} of the selected course-takers are no longer listed on the certificates page "
            "(their progress changed). Select the course-takers again and request a new file.",
        )
    return " ".join(parts)


def _unprintable_message(problems: Sequence[Problem]) -> str:
    """Whose certificate cannot be printed and why (the first few), and what to do."""
    shown = " ".join(problem.message for problem in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    return f"{shown}{f' And {more} more.' if more > 0 else ''} {LEAVE_OUT}"


def _first_not_drawn(texts: Sequence[CertificateText], pages: Sequence[Branding]) -> CertificateText | None:
    """The first certificate that fails to draw on its own, when the failure is about it: others
    draw (or it is the only one)."""
    failed, drawn = None, False
    for text, branding in zip(texts, pages, strict=True):
        try:
            render_certificates([text], [branding])
        except Exception:
            failed = failed or text
        else:
            drawn = True
        if failed is not None and drawn:
            break
    return failed if drawn or len(texts) == 1 else None
