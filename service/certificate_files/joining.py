"""The join: with every chunk made, one worker (holding the job's lease) joins the parts, in order,
into the file, which appears under its final name only when whole; then READY (once), with the mail
that says so."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tortoise.expressions import F

from service.certificate_files import mails
from service.certificate_files.leases import lease_over, look_again_when_free, renewing
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.paths import FILES_FOLDER, file_name, part_path, parts_dir
from service.certificate_files.work import FileWork, announce_job, storing
from service.job_queue import Job
from service.mail.compose import MailConfig
from service.mail.outbox import outbox
from service.pdf import merge_pdfs
from service.recognitions.models import Recognition
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
    async with storing(job.id):
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
    announce_job(ready)
    return ready


def _size_and_sha256(path: Path) -> tuple[int, str]:
    """Read in blocks: the file can be large."""
    with path.open("rb") as handle:
        return path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest()
