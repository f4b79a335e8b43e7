"""The join: with every chunk made, one worker (holding the job's lease) joins the parts, in order,
into the file, which appears under its final name only when whole; then READY (once), with the mail
that says so. Every page prints its ceremony's day as it is when the file is READY: the parts drawn
before the ceremony moved are drawn again first (a provisional certificate follows its ceremony)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

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

logger = logging.getLogger("service.certificate_files")


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
    finally:
        # However the join ends short of READY (failed, or its parts sent back), it is let go: its
        # lease taken off after the renewals stop.
        await CertificateFileJob.filter(id=job_id, status=FileJobStatus.RUNNING).update(claimed_until=None)


async def _finish(
    job: CertificateFileJob, *, clock: Callable[[], datetime], work: FileWork
) -> CertificateFileJob | None:
    """Join the parts into the file, then READY (once) with the "ready" mail; or, when the ceremony
    moved after some parts were drawn, those are drawn again first (None)."""
    files_dir = work.files_dir
    name = file_name(job)
    sources = [part_path(files_dir, job.id, index) for index in range(job.chunk_count)]
    destination = files_dir / FILES_FOLDER / name
    async with storing(job.id):
        pages = await asyncio.to_thread(merge_pdfs, sources, destination)
    size, digest = await asyncio.to_thread(_size_and_sha256, destination)
    now = clock()
    async with outbox() as (connection, mail):
        # The ceremony locked: a move under way comes first, and one asked for now waits for the file.
        recognition = (
            await Recognition.filter(id=job.recognition_id).using_db(connection).select_for_update().get()
        )
        stale = await _drawn_before_a_move(job, recognition, connection)
        if stale:
            await _send_back(job, stale, now=now, work=work, connection=connection)
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
            user = await User.get(id=job.requested_by_id, using_db=connection)
            message = mails.file_ready(
                ready, recognition=recognition, user=user, config=work.mail_config, now=now
            )
            await mail.add(key=mails.ready_key(ready), message=message, now=now)
    if stale:
        await asyncio.to_thread(destination.unlink, True)
        for chunk in stale:  # their messages are spent: one each
            job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE_PART, chunk.id)
        announce_job(job)
        return None
    await asyncio.to_thread(shutil.rmtree, parts_dir(files_dir, job.id), True)
    if ready.status is FileJobStatus.READY:
        logger.info(
            "certificate file %s READY: %s pages, %s bytes", ready.id, ready.page_count, ready.file_size
        )
    announce_job(ready)
    return ready


async def _drawn_before_a_move(
    job: CertificateFileJob, recognition: Recognition, connection: BaseDBAsyncClient
) -> list[CertificateFileChunk]:
    """The job's parts that print a day other than the ceremony's now."""
    day = local_date(recognition.starts_at, recognition.time_zone)
    drawn = CertificateFileChunk.filter(job_id=job.id, drawn_for__isnull=False).using_db(connection)
    return await (drawn if day is None else drawn.exclude(drawn_for=day))


async def _send_back(
    job: CertificateFileJob,
    chunks: list[CertificateFileChunk],
    *,
    now: datetime,
    work: FileWork,
    connection: BaseDBAsyncClient,
) -> None:
    """The chunks counted undone again, never tried (a worker going on with the job's chunks takes
    them too), for their parts to be drawn again."""
    await (
        CertificateFileChunk.filter(id__in=[chunk.id for chunk in chunks])
        .using_db(connection)
        .update(done_at=None, drawn_for=None, attempts=0)
    )
    await (
        CertificateFileJob.filter(id=job.id)
        .using_db(connection)
        .update(
            chunks_done=F("chunks_done") - len(chunks),
            done=F("done") - sum(chunk.size for chunk in chunks),
            handover_after=now + work.stall,
            join_attempts=F("join_attempts") - 1,  # not a failed try: the work went back
        )
    )


def _size_and_sha256(path: Path) -> tuple[int, str]:
    """Read in blocks: the file can be large."""
    with path.open("rb") as handle:
        return path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest()
