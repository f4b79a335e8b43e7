"""Combined certificate files: requested in a request, made in the background in chunks.

The selection (in the page's order) is cut into chunks of 25 when the job is queued. Each chunk
is a job message of its own, so several workers make parts at once: a worker issues the chunk's
certificates not issued yet (so every code matches the single downloads) and draws their pages
into the chunk's part, one document whose pages share their fonts. The worker that finishes the
last chunk joins the parts, in order, into the file.
Chunks and the join are leased and recorded, so a redelivered message carries on where the work
stopped and never counts twice; files appear under their final names only when whole; the job
turns READY exactly once, and that transition writes the one "ready" mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import shutil
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from service import job_queue
from service.certificate_files import mails
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificates.candidates import checked_selection, recognition_for_certificates
from service.certificates.services import certificates_for
from service.errors import DomainError, ErrorCode, NotFound
from service.events import announce
from service.files.store import write_atomically
from service.job_queue import Job
from service.mail.compose import MailConfig
from service.mail.outbox import outbox
from service.pdf import CertificateText, merge_pdfs, render_certificates
from service.recognitions.models import Recognition
from service.users.actor import Actor
from service.users.models import User

CHUNK_SIZE = 25
FILES_FOLDER = "certificate-files"
# An unfinished job nothing has touched for this long is handed to the queue again by the sweep.
STALL = timedelta(minutes=10)
ACTIVE = (FileJobStatus.QUEUED, FileJobStatus.RUNNING)


def selection_key(enrollment_ids: Sequence[int]) -> str:
    return hashlib.sha256(json.dumps(list(enrollment_ids)).encode()).hexdigest()


def file_path(files_dir: Path, job: CertificateFileJob) -> Path:
    return files_dir / FILES_FOLDER / (job.file_name or f"job-{job.id}.pdf")


def _parts_dir(files_dir: Path, job_id: int) -> Path:
    return files_dir / FILES_FOLDER / f"job-{job_id}-parts"


async def request_file(
    *, actor: Actor, recognition_id: int, enrollment_ids: Sequence[int], now: datetime
) -> CertificateFileJob:
    """Queue a combined file of the selection (checked now); the same selection already queued or
    running is answered with that job instead of a second one."""
    selection = await checked_selection(
        actor=actor, recognition_id=recognition_id, enrollment_ids=enrollment_ids, now=now
    )
    return await _queue(actor=actor, recognition_id=recognition_id, selection=selection, now=now)


async def regenerate_file(*, actor: Actor, recognition_id: int, now: datetime) -> CertificateFileJob:
    """A fresh file of the last file's selection."""
    recognition = await recognition_for_certificates(actor=actor, recognition_id=recognition_id, now=now)
    last = await last_ready_job(recognition_id=recognition.id)
    if last is None:
        raise DomainError.of(
            ErrorCode.NO_PREVIOUS_FILE,
            "This recognition has no certificates file yet.",
            field=("recognitionId",),
        )
    selection = await checked_selection(
        actor=actor, recognition_id=recognition_id, enrollment_ids=last.enrollment_ids, now=now
    )
    return await _queue(actor=actor, recognition_id=recognition.id, selection=selection, now=now)


async def _queue(
    *, actor: Actor, recognition_id: int, selection: list[int], now: datetime
) -> CertificateFileJob:
    key = selection_key(selection)
    async with in_transaction() as connection:
        same = (
            await CertificateFileJob.filter(
                recognition_id=recognition_id, selection_key=key, status__in=ACTIVE
            )
            .using_db(connection)
            .select_for_update()
            .first()
        )
        if same is not None:
            return same
        recognition = await Recognition.get(id=recognition_id, using_db=connection)
        job = await CertificateFileJob.create(
            partner_id=recognition.partner_id,
            recognition_id=recognition_id,
            requested_by_id=actor.user_id,
            enrollment_ids=selection,
            selection_key=key,
            total=len(selection),
            chunk_count=-(-len(selection) // CHUNK_SIZE),
            created_at=now,
            handover_after=now + STALL,
            using_db=connection,
        )
        starts = range(0, len(selection), CHUNK_SIZE)
        await CertificateFileChunk.bulk_create(
            [
                CertificateFileChunk(
                    job_id=job.id,
                    position=position,
                    start=start,
                    size=min(CHUNK_SIZE, len(selection) - start),
                )
                for position, start in enumerate(starts)
            ],
            using_db=connection,
        )
    _announce(job)
    if not job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, job.id):
        # The queue is unreachable: the job stays QUEUED for the next sweep to hand over.
        await CertificateFileJob.filter(id=job.id).update(handover_after=now)
    return job


async def last_ready_job(*, recognition_id: int) -> CertificateFileJob | None:
    return (await last_ready_jobs(recognition_ids=[recognition_id])).get(recognition_id)


async def last_ready_jobs(*, recognition_ids: Sequence[int]) -> dict[int, CertificateFileJob]:
    """The newest READY job of each recognition that has one (the caller has checked it may see them)."""
    newest: dict[int, CertificateFileJob] = {}
    ready = CertificateFileJob.filter(recognition_id__in=set(recognition_ids), status=FileJobStatus.READY)
    for job in await ready.order_by("-finished_at", "-id"):
        newest.setdefault(job.recognition_id, job)
    return newest


async def jobs_by_ids(*, actor: Actor, ids: Sequence[int]) -> dict[int, CertificateFileJob]:
    return {job.id: job for job in await actor.scope(CertificateFileJob.filter(id__in=set(ids)))}


# Reads of a job that subscribers share: (event loop, job id) -> (when the read began, the read).
_shared_reads: dict[
    tuple[asyncio.AbstractEventLoop, int], tuple[float, asyncio.Future[CertificateFileJob | None]]
] = {}


async def watched_job(*, actor: Actor, job_id: int, changed_at: float) -> CertificateFileJob:
    """``get_job`` for subscribers: those of one job woken by the same change share one read, so a
    fan-out costs a query per process rather than one per subscriber. ``changed_at`` is when the
    change was heard (``time.monotonic()``); only a read begun at or after it is fresh enough."""
    key = (asyncio.get_running_loop(), job_id)
    shared = _shared_reads.get(key)
    if shared is None or shared[0] < changed_at:
        read = asyncio.ensure_future(CertificateFileJob.get_or_none(id=job_id))
        shared = _shared_reads[key] = (time.monotonic(), read)
        read.add_done_callback(functools.partial(_forget_read, key, shared))
    job = await asyncio.shield(shared[1])  # one subscriber leaving does not cancel the others' read
    if job is None or not actor.can_see_partner(job.partner_id):
        raise NotFound("Certificates file")
    return job


def _forget_read(key: tuple[asyncio.AbstractEventLoop, int], shared: tuple[float, Any], _: Any) -> None:
    if _shared_reads.get(key) is shared:  # not a newer read of the same job
        del _shared_reads[key]


async def jobs_of_recognition(*, recognition_id: int, limit: int = 20) -> list[CertificateFileJob]:
    """The recognition's newest jobs (the caller has checked it may see the recognition)."""
    return (
        await CertificateFileJob.filter(recognition_id=recognition_id)
        .order_by("-created_at", "-id")
        .limit(limit)
    )


async def get_job(*, actor: Actor, job_id: int) -> CertificateFileJob:
    job = (await jobs_by_ids(actor=actor, ids=[job_id])).get(job_id)
    if job is None:
        raise NotFound("Certificates file")
    return job


async def stalled_job_ids(*, now: datetime) -> list[int]:
    """Unfinished jobs nothing has moved for a while (a lost message, a stopped worker, a queue that
    was unreachable): for the queue again."""
    return await _ids(CertificateFileJob.filter(status__in=ACTIVE, handover_after__lt=now).order_by("id"))


async def release_leases() -> list[int]:
    """For a process that knows it is the only worker (the embedded mode, starting): whatever held a
    lease is gone. Every unfinished job is handed over again at once; its ids."""
    unfinished = await _ids(CertificateFileJob.filter(status__in=ACTIVE).order_by("id"))
    await CertificateFileChunk.filter(job_id__in=unfinished).update(claimed_until=None)
    await CertificateFileJob.filter(id__in=unfinished).update(claimed_until=None)
    return unfinished


# ---------------------------------------------------------------- the background job


@dataclass(frozen=True)
class FileWork:
    """What a worker making files needs to know."""

    files_dir: Path
    public_url: str
    mail_config: MailConfig
    lease: timedelta = timedelta(minutes=1)


async def start_file(
    *, job_id: int, clock: Callable[[], datetime], work: FileWork
) -> CertificateFileJob | None:
    """Hand each chunk nobody is making to the queue (several workers may take them at once), or
    join the parts if every chunk is done. Safe to run again at any time: it is also what the
    sweep runs for a job that stopped moving."""
    now = clock()
    moved = await CertificateFileJob.filter(id=job_id, status__in=ACTIVE).update(handover_after=now + STALL)
    if not moved:
        return None
    waiting = await _ids(
        CertificateFileChunk.filter(_lease_over(now), job_id=job_id, done_at__isnull=True).order_by(
            "position"
        )
    )
    for chunk_id in waiting:
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
        job = await _claim(chunk, now=clock(), lease=work.lease)
        if job is None:
            return None
        try:
            async with _renewing(
                CertificateFileChunk.filter(id=chunk.id, done_at__isnull=True), clock, work.lease
            ):
                failed = await _make_part(chunk, job, clock=clock, work=work)
        except BaseException:
            # Let the retry take the chunk at once; a process that dies outright leaves the lease to expire.
            await CertificateFileChunk.filter(id=chunk.id).update(claimed_until=None)
            raise
        if failed is not None:
            return await fail_job(job_id=job.id, message=failed, now=clock(), mail_config=work.mail_config)
    return await _join_when_complete(chunk.job_id, clock=clock, work=work)


async def _claim(
    chunk: CertificateFileChunk, *, now: datetime, lease: timedelta
) -> CertificateFileJob | None:
    """Take the chunk (if nobody is making it) for a job still wanted; the job is RUNNING from then."""
    job = await CertificateFileJob.get(id=chunk.job_id)
    if job.status not in ACTIVE:
        return None
    claimed = await CertificateFileChunk.filter(_lease_over(now), id=chunk.id, done_at__isnull=True).update(
        claimed_until=now + lease, attempts=F("attempts") + 1
    )
    if not claimed:
        await _look_again_when_free(CertificateFileChunk, chunk.id, Job.BUILD_CERTIFICATE_FILE_PART, now)
        return None
    attempts = chunk.attempts + 1
    await CertificateFileJob.filter(id=job.id, status=FileJobStatus.QUEUED).update(
        status=FileJobStatus.RUNNING, started_at=now
    )
    await CertificateFileJob.filter(id=job.id, attempts__lt=attempts).update(attempts=attempts)
    await CertificateFileJob.filter(id=job.id).update(handover_after=now + STALL)
    _announce(job)
    return job


async def _make_part(
    chunk: CertificateFileChunk, job: CertificateFileJob, *, clock: Callable[[], datetime], work: FileWork
) -> str | None:
    """Issue the chunk's certificates (those not issued yet) and draw their pages into its part;
    count it once. A message for the user instead when the selection no longer holds."""
    user = await User.get(id=job.requested_by_id)
    actor = Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)
    try:
        certificates = await certificates_for(
            actor=actor,
            recognition=await Recognition.get(id=job.recognition_id),
            enrollment_ids=job.enrollment_ids[chunk.start : chunk.start + chunk.size],
            now=clock(),
            files_dir=work.files_dir,
            public_url=work.public_url,
            with_files=False,
        )
    except DomainError as error:
        # A selected course-taker is no longer listed (e.g. after the LMS sync): no retry helps.
        return _unlisted_message(error)
    # One document for the chunk: its pages share their fonts and design (a few KB, ~4 ms a page).
    texts = [CertificateText.from_printed(certificate.printed) for certificate in certificates]
    part = await asyncio.to_thread(render_certificates, texts)
    await asyncio.to_thread(write_atomically, _part_path(work.files_dir, job.id, chunk.position), part)
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
                    chunks_done=F("chunks_done") + 1, done=F("done") + chunk.size, handover_after=now + STALL
                )
            )
    _announce(job)
    return None


async def _join_when_complete(
    job_id: int, *, clock: Callable[[], datetime], work: FileWork
) -> CertificateFileJob | None:
    """With every chunk done, one worker (holding the job's lease) joins the parts into the file."""
    now = clock()
    job = await CertificateFileJob.get(id=job_id)
    if job.status is not FileJobStatus.RUNNING or job.chunks_done < job.chunk_count:
        return None
    claimed = await CertificateFileJob.filter(
        _lease_over(now), id=job_id, status=FileJobStatus.RUNNING
    ).update(claimed_until=now + work.lease, handover_after=now + STALL, join_attempts=F("join_attempts") + 1)
    if not claimed:
        await _look_again_when_free(CertificateFileJob, job_id, Job.BUILD_CERTIFICATE_FILE, now)
        return None
    tries = job.join_attempts + 1
    await CertificateFileJob.filter(id=job_id, attempts__lt=tries).update(attempts=tries)
    try:
        async with _renewing(
            CertificateFileJob.filter(id=job_id, status=FileJobStatus.RUNNING), clock, work.lease
        ):
            return await _finish(job, clock=clock, files_dir=work.files_dir, mail_config=work.mail_config)
    except BaseException:
        await CertificateFileJob.filter(id=job_id, status=FileJobStatus.RUNNING).update(claimed_until=None)
        raise


@contextlib.asynccontextmanager
async def _renewing(
    leased: QuerySet[Any], clock: Callable[[], datetime], lease: timedelta
) -> AsyncIterator[None]:
    """Keep a lease while the work inside runs, so a short lease still covers long work; the lease
    runs out soon after the process dies."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(lease.total_seconds() / 3)
            await leased.update(claimed_until=clock() + lease)

    renewer = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer


async def _look_again_when_free(
    model: type[CertificateFileChunk] | type[CertificateFileJob], record_id: int, job: Job, now: datetime
) -> None:
    """Another worker holds the lease: leave the work to it, but come back when the lease ends, for
    that worker may have died (its redelivered message is this one)."""
    holder = await model.get(id=record_id)
    if holder.claimed_until is not None and holder.claimed_until >= now:
        job_queue.enqueue(job, record_id, delay=holder.claimed_until - now + timedelta(seconds=1))


async def _ids(query: QuerySet[Any]) -> list[int]:
    return [int(key) for (key,) in await query.values_list("id")]


def _lease_over(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def _part_path(files_dir: Path, job_id: int, index: int) -> Path:
    return _parts_dir(files_dir, job_id) / f"part-{index:05d}.pdf"


async def _finish(
    job: CertificateFileJob, *, clock: Callable[[], datetime], files_dir: Path, mail_config: MailConfig
) -> CertificateFileJob:
    file_name = f"certificates-{job.recognition_id}-{job.id}.pdf"
    destination = files_dir / FILES_FOLDER / file_name
    sources = [_part_path(files_dir, job.id, index) for index in range(job.chunk_count)]
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
                file_name=file_name,
                file_size=size,
                page_count=pages,
                file_sha256=digest,
                done=job.total,
                claimed_until=None,
            )
        )
        ready = await CertificateFileJob.get(id=job.id, using_db=connection)
        if became_ready:
            recognition = await Recognition.get(id=job.recognition_id, using_db=connection)
            user = await User.get(id=job.requested_by_id, using_db=connection)
            message = mails.file_ready(ready, recognition=recognition, user=user, config=mail_config, now=now)
            await mail.add(key=mails.ready_key(ready), message=message, now=now)
    await asyncio.to_thread(shutil.rmtree, _parts_dir(files_dir, job.id), True)
    _announce(ready)
    return ready


def _size_and_sha256(path: Path) -> tuple[int, str]:
    """Read in blocks: the file can be large."""
    with path.open("rb") as handle:
        return path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest()


async def fail_job(
    *, job_id: int, message: str, now: datetime, mail_config: MailConfig
) -> CertificateFileJob:
    """The job gives up: FAILED with a message a user can act on, and a mail that says so (once)."""
    async with outbox() as (connection, mail):
        failed = (
            await CertificateFileJob.filter(id=job_id, status__in=ACTIVE)
            .using_db(connection)
            .update(
                status=FileJobStatus.FAILED, error_message=message[:500], finished_at=now, claimed_until=None
            )
        )
        job = await CertificateFileJob.get(id=job_id, using_db=connection)
        if failed:
            recognition = await Recognition.get(id=job.recognition_id, using_db=connection)
            user = await User.get(id=job.requested_by_id, using_db=connection)
            letter = mails.file_failed(job, recognition=recognition, user=user, config=mail_config, now=now)
            await mail.add(key=mails.failed_key(job), message=letter, now=now)
    _announce(job)
    return job


def _unlisted_message(error: DomainError) -> str:
    return (
        f"{len(error.problems)} of the selected course-takers are no longer listed on the certificates page "
        "(their progress changed). Select the course-takers again and request a new file."
    )


def _announce(job: CertificateFileJob) -> None:
    """Tell subscribers the job changed; they read its state from the database."""
    announce(partner_id=job.partner_id, recognition_id=job.recognition_id, job_id=job.id)


async def job_id_of_chunk(chunk_id: int) -> int:
    return int((await CertificateFileChunk.get(id=chunk_id)).job_id)
