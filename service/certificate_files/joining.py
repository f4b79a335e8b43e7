"""The join: with every chunk made, one worker (holding the job's lease) joins the parts, in order,
into the file, which appears under its final name only when whole; then READY (once), with the mail
that says so. Every page of a file prints its ceremony's day as it is when the file turns READY: the
parts drawn before the ceremony moved are drawn again first (a provisional certificate follows its
ceremony: ``issuing.follow_ceremony``)."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from service import job_queue
from service.certificate_files import mails
from service.certificate_files.leases import lease_over, look_again_when_free, renewing
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.paths import FILES_FOLDER, file_name, part_path, parts_dir
from service.certificate_files.work import FileWork, announce_job, storing
from service.job_queue import Job
from service.mail.outbox import outbox
from service.pdf import merge_pdfs
from service.recognitions.models import Recognition, local_date
from service.users.models import User


async def join_when_complete(
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
            lambda: CertificateFileJob.filter(id=job_id, status=FileJobStatus.RUNNING), clock, work.lease
        ):
            return await _finish(job, clock=clock, work=work)
    except BaseException:
        await CertificateFileJob.filter(id=job_id, status=FileJobStatus.RUNNING).update(claimed_until=None)
        raise


async def _finish(
    job: CertificateFileJob, *, clock: Callable[[], datetime], work: FileWork
) -> CertificateFileJob | None:
    """Join the parts into the file, then READY (once) with the "ready" mail; or, when some parts
    print a day their ceremony no longer has, those parts are drawn again first (None)."""
    async with in_transaction() as connection:
        stale = await _send_back_stale(job, now=clock(), work=work, connection=connection)
    if stale:  # found before the join: no file is made
        _redraw(job, stale)
        return None
    files_dir = work.files_dir
    name = file_name(job)
    sources = [part_path(files_dir, job.id, index) for index in range(job.chunk_count)]
    destination = files_dir / FILES_FOLDER / name
    async with storing(job.id):
        pages = await asyncio.to_thread(merge_pdfs, sources, destination)
    size, digest = await asyncio.to_thread(_size_and_sha256, destination)
    now = clock()
    async with outbox() as (connection, mail):
        # Checked again with the recognition locked: a ceremony moved while the parts were joined
        # has its parts drawn again, and a move that waits for this commit comes after the file.
        stale = await _send_back_stale(job, now=now, work=work, connection=connection, lock=True)
        became_ready = (
            0
            if stale
            else await CertificateFileJob.filter(id=job.id, status=FileJobStatus.RUNNING)
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
            message = mails.file_ready(
                ready, recognition=recognition, user=user, config=work.mail_config, now=now
            )
            await mail.add(key=mails.ready_key(ready), message=message, now=now)
    if stale:
        await asyncio.to_thread(destination.unlink, True)
        _redraw(job, stale)
        return None
    await asyncio.to_thread(shutil.rmtree, parts_dir(files_dir, job.id), True)
    announce_job(ready)
    return ready


async def _send_back_stale(
    job: CertificateFileJob,
    *,
    now: datetime,
    work: FileWork,
    connection: BaseDBAsyncClient,
    lock: bool = False,
) -> list[int]:
    """The chunks whose parts print a ceremony day other than the recognition's now, counted undone
    again (with no tries, so a worker going on with a job's chunks takes them too) and the join's
    lease let go, in the caller's transaction; their ids, for the queue once it commits."""
    recognitions = Recognition.filter(id=job.recognition_id).using_db(connection)
    recognition = await (recognitions.select_for_update() if lock else recognitions).get()
    day = local_date(recognition.starts_at, recognition.time_zone)
    drawn = CertificateFileChunk.filter(job_id=job.id, done_at__isnull=False, drawn_for__isnull=False)
    stale = await (drawn if day is None else drawn.exclude(drawn_for=day)).using_db(connection)
    if not stale:
        return []
    await (
        CertificateFileChunk.filter(id__in=[chunk.id for chunk in stale])
        .using_db(connection)
        .update(done_at=None, drawn_for=None, attempts=0, claimed_until=None, retry_due=None)
    )
    await (
        CertificateFileJob.filter(id=job.id)
        .using_db(connection)
        .update(
            chunks_done=F("chunks_done") - len(stale),
            done=F("done") - sum(chunk.size for chunk in stale),
            claimed_until=None,
            handover_after=now + work.stall,
            join_attempts=F("join_attempts") - 1,  # no failed try: work handed back
        )
    )
    return [chunk.id for chunk in stale]


def _redraw(job: CertificateFileJob, chunk_ids: list[int]) -> None:
    """Each chunk sent back has no message left (it was made): one each, its one chain."""
    for chunk_id in chunk_ids:
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE_PART, chunk_id)
    announce_job(job)


def _size_and_sha256(path: Path) -> tuple[int, str]:
    """Read in blocks: the file can be large."""
    with path.open("rb") as handle:
        return path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest()
