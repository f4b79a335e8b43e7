"""Making a combined file: the worker protocol.

The start message hands each chunk nobody is making to the queue, so several workers make parts at
once: a worker issues its chunk's certificates not issued yet (so every code matches the single
downloads) and draws their pages into the chunk's part, one document whose pages share their fonts.
The worker that finishes the last chunk joins the parts, in order, into the file. Chunks and the
join are leased and recorded, so a redelivered message carries on where the work stopped and never
counts twice; files appear under their final names only when whole; the job turns READY (or
FAILED) exactly once, and that transition writes the one mail that says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import shutil
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from service import job_queue
from service.certificate_files import mails
from service.certificate_files.leases import STALL, lease_over, look_again_when_free, renewing
from service.certificate_files.models import ACTIVE, CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.paths import FILES_FOLDER, file_name, file_path, part_path, parts_dir
from service.certificate_files.requests import request_file
from service.certificate_templates.printing import brandings
from service.certificates.printing import shown_name, unprintable
from service.certificates.services import certificates_for
from service.errors import DomainError, ErrorCode, Problem
from service.events import announce
from service.files.store import write_atomically
from service.job_queue import Job
from service.mail.compose import MailConfig
from service.mail.outbox import outbox
from service.pdf import Branding, CertificateText, merge_pdfs, render_certificates
from service.recognitions.models import Recognition
from service.users.actor import Actor
from service.users.models import User

# What to do about someone whose certificate cannot be printed.
LEAVE_OUT = (
    "Correct the name in the LMS, or select the course-takers again without this person, "
    "and request a new file."
)
SHOWN_PROBLEMS = 3
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


class StorageFailed(OSError):
    """The files folder could not be written: the job says so, and the queue retries."""


@dataclass(frozen=True)
class FileWork:
    """What a worker making files needs to know."""

    files_dir: Path
    public_url: str
    mail_config: MailConfig
    lease: timedelta = timedelta(minutes=1)
    stall: timedelta = STALL  # untouched this long, the sweep hands the job to the queue again


async def start_file(
    *, job_id: int, clock: Callable[[], datetime], work: FileWork
) -> CertificateFileJob | None:
    """Hand each chunk nobody is making to the queue (several workers may take them at once), or
    join the parts if every chunk is done. Safe to run again at any time: it is also what the
    sweep runs for a job that stopped moving."""
    now = clock()
    moved = await CertificateFileJob.filter(id=job_id, status__in=ACTIVE).update(
        handover_after=now + work.stall
    )
    if not moved:
        return None
    waiting = CertificateFileChunk.filter(lease_over(now), job_id=job_id, done_at__isnull=True)
    for (chunk_id,) in await waiting.order_by("position").values_list("id"):
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE_PART, chunk_id)
    return await _join_when_complete(job_id, clock=clock, work=work)


async def build_part(
    *, chunk_id: int, clock: Callable[[], datetime], work: FileWork
) -> CertificateFileJob | None:
    """Make one chunk's part PDF; the worker that finishes the last chunk joins the parts. Safe to
    run again: a part already made is not made twice, nor counted twice. A chunk another worker
    holds is left to it, and looked at again when its lease ends (in case that worker died)."""
    chunk = await CertificateFileChunk.get_or_none(id=chunk_id)
    if chunk is None:
        return None
    if chunk.done_at is None:
        job = await _claim(chunk, now=clock(), lease=work.lease, stall=work.stall)
        if job is None:
            return None
        try:
            async with renewing(
                CertificateFileChunk.filter(id=chunk.id, done_at__isnull=True), clock, work.lease
            ):
                failed = await _make_part(chunk, job, clock=clock, work=work)
        except BaseException:
            # Let the retry take the chunk at once; a process that dies outright leaves the lease to expire.
            await CertificateFileChunk.filter(id=chunk.id).update(claimed_until=None)
            raise
        if failed is not None:
            return await fail_job(
                job_id=job.id,
                message=failed,
                now=clock(),
                mail_config=work.mail_config,
                files_dir=work.files_dir,
            )
    return await _join_when_complete(chunk.job_id, clock=clock, work=work)


async def give_up(
    *, step: Job, record_id: int, now: datetime, mail_config: MailConfig, files_dir: Path | None = None
) -> CertificateFileJob:
    """After the queue's last attempt at a step (``record_id`` is the job's for the start and the
    join, the chunk's for a part): the job FAILED, with a message a user can act on (naming our
    storage when it was the cause), and a mail."""
    job_id = record_id
    if step is Job.BUILD_CERTIFICATE_FILE_PART:
        job_id = (await CertificateFileChunk.get(id=record_id)).job_id
    storing = (await CertificateFileJob.get(id=job_id)).error_message == STORING_RETRYING
    message = STORING_GAVE_UP if storing else GAVE_UP
    return await fail_job(
        job_id=job_id, message=message, now=now, mail_config=mail_config, files_dir=files_dir
    )


async def fail_job(
    *, job_id: int, message: str, now: datetime, mail_config: MailConfig, files_dir: Path | None = None
) -> CertificateFileJob:
    """The job gives up: FAILED with a message a user can act on, and a mail that says so (once);
    the parts made for it are removed."""
    async with outbox() as (connection, mail):
        failed = (
            await CertificateFileJob.filter(id=job_id, status__in=ACTIVE)
            .using_db(connection)
            .update(
                status=FileJobStatus.FAILED,
                error_message=message[:500],
                finished_at=now,
                claimed_until=None,
                active_selection_key=None,
            )
        )
        job = await CertificateFileJob.get(id=job_id, using_db=connection)
        if failed:
            recognition = await Recognition.get(id=job.recognition_id, using_db=connection)
            user = await User.get(id=job.requested_by_id, using_db=connection)
            letter = mails.file_failed(job, recognition=recognition, user=user, config=mail_config, now=now)
            await mail.add(key=mails.failed_key(job), message=letter, now=now)
    if files_dir is not None:
        await asyncio.to_thread(shutil.rmtree, parts_dir(files_dir, job_id), True)
    _announce(job)
    return job


# ---------------------------------------------------------------- a part


async def _claim(
    chunk: CertificateFileChunk, *, now: datetime, lease: timedelta, stall: timedelta
) -> CertificateFileJob | None:
    """Take the chunk (if nobody is making it) for a job still wanted; the job is RUNNING from then.
    The job comes with its requester and recognition, which making the part needs."""
    job = await CertificateFileJob.get(id=chunk.job_id).select_related("requested_by", "recognition")
    if job.status not in ACTIVE:
        return None
    claimed = await CertificateFileChunk.filter(lease_over(now), id=chunk.id, done_at__isnull=True).update(
        claimed_until=now + lease, attempts=F("attempts") + 1
    )
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
    _announce(job)
    return job


async def _make_part(
    chunk: CertificateFileChunk, job: CertificateFileJob, *, clock: Callable[[], datetime], work: FileWork
) -> str | None:
    """Issue the chunk's certificates (those not issued yet) and draw their pages into its part;
    count it once. A message for the user instead when the selection no longer holds."""
    user = job.requested_by
    actor = Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)
    try:
        certificates = await certificates_for(
            actor=actor,
            recognition=job.recognition,
            enrollment_ids=job.enrollment_ids[chunk.start : chunk.start + chunk.size],
            now=clock(),
            files_dir=work.files_dir,
            public_url=work.public_url,
            with_files=False,
        )
    except DomainError as error:
        # A selected course-taker is no longer listed (e.g. after the LMS sync), or their name can no
        # longer be printed: no retry helps.
        return _refusal_message(error)
    # One document for the chunk: its pages share their fonts and design (a few KB, ~4 ms a page).
    texts = [CertificateText.from_printed(certificate.printed) for certificate in certificates]
    # Each page in the design its certificate was printed with.
    designs = await brandings(certificate.template_version_id for certificate in certificates)
    pages = [designs[certificate.template_version_id] for certificate in certificates]
    if problems := unprintable(
        {index: (text.recipient_name, text.language) for index, text in enumerate(texts)}, lambda _index: ()
    ):
        return _unprintable_message(problems)
    try:
        part = await asyncio.to_thread(render_certificates, texts, pages)
    except (MemoryError, OSError):
        raise  # the machine, not a person: the queue tries again
    except Exception as error:
        culprit = await asyncio.to_thread(_first_not_drawn, texts, pages)
        if culprit is None:
            raise  # not about one person: the queue tries again
        return (
            f"The certificate of {shown_name(culprit.recipient_name)} could not be drawn "
            f"({type(error).__name__}). {LEAVE_OUT}"
        )
    async with _storing(job.id):
        await asyncio.to_thread(write_atomically, part_path(work.files_dir, job.id, chunk.position), part)
    now = clock()
    async with in_transaction() as connection:
        counted = (
            await CertificateFileChunk.filter(id=chunk.id, done_at__isnull=True)
            .using_db(connection)
            .update(done_at=now, claimed_until=None)
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
    _announce(job)
    return None


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


# ---------------------------------------------------------------- the join


async def _join_when_complete(
    job_id: int, *, clock: Callable[[], datetime], work: FileWork
) -> CertificateFileJob | None:
    """With every chunk done, one worker (holding the job's lease) joins the parts into the file."""
    now = clock()
    job = await CertificateFileJob.get(id=job_id)
    if job.status is not FileJobStatus.RUNNING or job.chunks_done < job.chunk_count:
        return None
    claimed = await CertificateFileJob.filter(
        lease_over(now), id=job_id, status=FileJobStatus.RUNNING
    ).update(
        claimed_until=now + work.lease, handover_after=now + work.stall, join_attempts=F("join_attempts") + 1
    )
    if not claimed:
        await look_again_when_free(CertificateFileJob, job_id, Job.BUILD_CERTIFICATE_FILE, now)
        return None
    tries = job.join_attempts + 1
    await CertificateFileJob.filter(id=job_id, attempts__lt=tries).update(attempts=tries)
    try:
        async with renewing(
            CertificateFileJob.filter(id=job_id, status=FileJobStatus.RUNNING), clock, work.lease
        ):
            return await _finish(job, clock=clock, files_dir=work.files_dir, mail_config=work.mail_config)
    except BaseException:
        await CertificateFileJob.filter(id=job_id, status=FileJobStatus.RUNNING).update(claimed_until=None)
        raise


async def _finish(
    job: CertificateFileJob, *, clock: Callable[[], datetime], files_dir: Path, mail_config: MailConfig
) -> CertificateFileJob:
    """Join the parts into the file, then READY (once) with the "ready" mail."""
    name = file_name(job)
    sources = [part_path(files_dir, job.id, index) for index in range(job.chunk_count)]
    destination = files_dir / FILES_FOLDER / name
    async with _storing(job.id):
        pages = await asyncio.to_thread(merge_pdfs, sources, destination)
    size, digest = await asyncio.to_thread(_size_and_sha256, destination)
    now = clock()
    async with outbox() as (connection, mail):
        became_ready = (
            await CertificateFileJob.filter(id=job.id, status=FileJobStatus.RUNNING)
            .using_db(connection)
            .update(
                status=FileJobStatus.READY,
                finished_at=now,
                file_name=name,
                file_size=size,
                page_count=pages,
                file_sha256=digest,
                done=job.total,
                claimed_until=None,
                active_selection_key=None,
                error_message=None,
            )
        )
        ready = await CertificateFileJob.get(id=job.id, using_db=connection)
        if became_ready:
            recognition = await Recognition.get(id=job.recognition_id, using_db=connection)
            user = await User.get(id=job.requested_by_id, using_db=connection)
            message = mails.file_ready(ready, recognition=recognition, user=user, config=mail_config, now=now)
            await mail.add(key=mails.ready_key(ready), message=message, now=now)
    await asyncio.to_thread(shutil.rmtree, parts_dir(files_dir, job.id), True)
    _announce(ready)
    return ready


@contextlib.asynccontextmanager
async def _storing(job_id: int) -> AsyncIterator[None]:
    """Writing into the files folder: when it cannot be written (full, read-only, no permission),
    the job's message says so while the queue retries, and StorageFailed names the cause."""
    try:
        yield
    except OSError as error:
        await CertificateFileJob.filter(id=job_id, status__in=ACTIVE).update(error_message=STORING_RETRYING)
        raise StorageFailed(error.errno, f"the files folder cannot be written: {error}") from error


def _size_and_sha256(path: Path) -> tuple[int, str]:
    """Read in blocks: the file can be large."""
    with path.open("rb") as handle:
        return path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest()


def _announce(job: CertificateFileJob) -> None:
    """Tell subscribers the job changed; they read its state from the database."""
    announce(partner_id=job.partner_id, recognition_id=job.recognition_id, job_id=job.id)


# ---------------------------------------------------------------- here and now, for the command line


class FileNotMade(Exception):
    """The file did not come out, for a reason a person can read."""


Progress = Callable[[int, int], None]  # (chunks made, chunks in all)


async def build_file_now(
    *,
    actor: Actor,
    recognition_id: int,
    enrollment_ids: Sequence[int],
    clock: Callable[[], datetime],
    work: FileWork,
    progress: Progress | None = None,
) -> tuple[CertificateFileJob, Path]:
    """Make the combined file of the selection here and now, one chunk after another, through the
    same job record and steps as the workers; the job and where its file is."""
    job = await request_file(
        actor=actor,
        recognition_id=recognition_id,
        enrollment_ids=enrollment_ids,
        now=clock(),
        stall=work.stall,
    )
    chunks = await CertificateFileChunk.filter(job_id=job.id).order_by("position").only("id")
    chunk_ids = [chunk.id for chunk in chunks]
    for done, chunk_id in enumerate(chunk_ids, start=1):
        await build_part(chunk_id=chunk_id, clock=clock, work=work)
        if progress is not None:
            progress(done, len(chunk_ids))
    finished = await CertificateFileJob.get(id=job.id)
    if finished.status is FileJobStatus.READY:
        return finished, file_path(work.files_dir, finished)
    if finished.status is FileJobStatus.FAILED:
        raise FileNotMade(finished.error_message or "The file could not be made.")
    # A worker took part of the same selection's job (it was queued already): it finishes it.
    raise FileNotMade(f"A worker is making this selection's file (job {job.id}); try again in a minute.")
