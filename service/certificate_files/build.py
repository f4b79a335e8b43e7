"""Making a combined file: the worker protocol.

The start message hands each chunk nobody is making to the queue, so several workers make parts at
once (parts.py: a worker goes on with the chunks nobody has taken, overlapping one chunk's
statements with the drawing of the one before). The worker that finishes the last chunk joins the
parts, in order, into the file (joining.py). Chunks and the join are leased and recorded, so a
redelivered message carries on where the work stopped and never counts twice; files appear under
their final names only when whole; the job turns READY (or FAILED) exactly once, and that
transition writes the one mail that says so.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from tortoise.expressions import Q

from service import job_queue
from service.certificate_files import mails
from service.certificate_files.joining import join_when_complete
from service.certificate_files.leases import lease_over
from service.certificate_files.models import ACTIVE, CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.parts import LEAVE_OUT, claim, make_parts
from service.certificate_files.paths import file_path, parts_dir
from service.certificate_files.requests import request_file
from service.certificate_files.work import (
    GAVE_UP,
    STORING_GAVE_UP,
    STORING_RETRYING,
    FileWork,
    StorageFailed,
    announce_job,
)
from service.job_queue import Job
from service.mail.compose import MailConfig
from service.mail.outbox import outbox
from service.recognitions.models import Recognition
from service.users.actor import Actor
from service.users.models import User

__all__ = [
    "GAVE_UP",
    "LEAVE_OUT",
    "STORING_GAVE_UP",
    "STORING_RETRYING",
    "FileNotMade",
    "FileWork",
    "StorageFailed",
    "build_file_now",
    "build_part",
    "fail_job",
    "give_up",
    "start_file",
]


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
    # A chunk whose retry is due is left to it: a message of ours would start a second chain.
    waiting = CertificateFileChunk.filter(
        lease_over(now),
        Q(retry_due__isnull=True) | Q(retry_due__lt=now),
        job_id=job_id,
        done_at__isnull=True,
    )
    for (chunk_id,) in await waiting.order_by("position").values_list("id"):
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE_PART, chunk_id)
    return await join_when_complete(job_id, clock=clock, work=work)


async def build_part(
    *, chunk_id: int, clock: Callable[[], datetime], work: FileWork
) -> CertificateFileJob | None:
    """Make one chunk's part PDF (and, for a while, the parts of the job's chunks nobody has taken);
    the worker that finishes the last chunk joins the parts. Safe to run again: a part already made
    is not made twice, nor counted twice. A chunk another worker holds is left to it, and looked at
    again when its lease ends (in case that worker died). A chunk tried ``work.tries`` times, by
    whichever messages, is given up on: the job fails."""
    chunk = await CertificateFileChunk.get_or_none(id=chunk_id)
    if chunk is None:
        return None
    if chunk.done_at is None:
        now = clock()
        if chunk.attempts >= work.tries and (chunk.claimed_until is None or chunk.claimed_until < now):
            return await give_up(
                step=Job.BUILD_CERTIFICATE_FILE_PART,
                record_id=chunk.id,
                now=now,
                mail_config=work.mail_config,
                files_dir=work.files_dir,
            )
        job = await claim(chunk, now=now, work=work)
        if job is None:
            return None
        failed = await make_parts(chunk, job, clock=clock, work=work)
        if failed is not None:
            return await fail_job(
                job_id=job.id,
                message=failed,
                now=clock(),
                mail_config=work.mail_config,
                files_dir=work.files_dir,
            )
    return await join_when_complete(chunk.job_id, clock=clock, work=work)


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
    announce_job(job)
    return job


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
    one_at_a_time = replace(work, run=timedelta(0))  # so progress moves with each chunk
    for done, chunk_id in enumerate(chunk_ids, start=1):
        await build_part(chunk_id=chunk_id, clock=clock, work=one_at_a_time)
        if progress is not None:
            progress(done, len(chunk_ids))
    # The join sends back the parts drawn before the ceremony moved, to messages no worker may be
    # there to take: here too they are drawn again.
    while sent_back := await _sent_back(job.id, now=clock()):
        for chunk_id in sent_back:
            await build_part(chunk_id=chunk_id, clock=clock, work=one_at_a_time)
    finished = await CertificateFileJob.get(id=job.id)
    if finished.status is FileJobStatus.READY:
        return finished, file_path(work.files_dir, finished)
    if finished.status is FileJobStatus.FAILED:
        raise FileNotMade(finished.error_message or "The file could not be made.")
    # A worker took part of the same selection's job (it was queued already): it finishes it.
    raise FileNotMade(f"A worker is making this selection's file (job {job.id}); try again in a minute.")


async def _sent_back(job_id: int, *, now: datetime) -> list[int]:
    """The chunks of a running job that nobody holds and nobody tried: those the join sent back."""
    waiting = CertificateFileChunk.filter(
        lease_over(now), job_id=job_id, job__status=FileJobStatus.RUNNING, done_at__isnull=True, attempts=0
    )
    return [int(chunk_id) for (chunk_id,) in await waiting.order_by("position").values_list("id")]
