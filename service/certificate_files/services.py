"""Combined certificate files: requested in a request, made by a background job in chunks.

The job takes the selection in the page's order, issues the certificates not issued yet (so
every code matches the single downloads), joins each chunk of issued PDFs into a part, then the
parts into the file. Each finished chunk is recorded, so a redelivered job carries on where it
stopped; the file appears under its final name only when whole; the job turns READY exactly once,
and that transition writes the one "ready" mail.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service import dispatch as jobs
from service.certificate_files import mails
from service.certificate_files.merge import merge_pdfs
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificates.candidates import checked_selection, recognition_for_certificates
from service.certificates.services import certificate_path, certificates_for
from service.errors import DomainError, ErrorCode, NotFound
from service.events import announce
from service.mail import services as mail
from service.mail.compose import MailConfig
from service.recognitions.models import Recognition
from service.users.actor import Actor
from service.users.models import User

CHUNK_SIZE = 25
FILES_FOLDER = "certificate-files"
# How long one worker owns a running job before another may take it over (refreshed per chunk).
LEASE = timedelta(minutes=5)
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
            created_at=now,
            using_db=connection,
        )
    _announce(job)
    jobs.dispatch(jobs.Job.BUILD_CERTIFICATE_FILE, job.id)
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


async def unfinished_job_ids(*, now: datetime) -> list[int]:
    """Jobs queued, or running with no live lease (their worker stopped): for the queue again."""
    stalled = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return [
        job.id
        for job in await CertificateFileJob.filter(stalled, status__in=ACTIVE).order_by("id").only("id")
    ]


# ---------------------------------------------------------------- the background job


async def build_file(
    *, job_id: int, clock: Callable[[], datetime], files_dir: Path, public_url: str, mail_config: MailConfig
) -> CertificateFileJob | None:
    """Make the job's file, carrying on from its last finished chunk. Safe to run again: a finished
    job is left alone, and a job another worker is making (its lease current) too."""
    now = clock()
    claimed = await CertificateFileJob.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), id=job_id, status__in=ACTIVE
    ).update(status=FileJobStatus.RUNNING, claimed_until=now + LEASE)
    if not claimed:
        return None
    job = await CertificateFileJob.get(id=job_id)
    if job.started_at is None:
        await CertificateFileJob.filter(id=job_id).update(started_at=now)
    await CertificateFileJob.filter(id=job_id).update(attempts=job.attempts + 1)
    _announce(job)
    user = await User.get(id=job.requested_by_id)
    actor = Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)
    recognition = await Recognition.get(id=job.recognition_id)
    parts = _parts_dir(files_dir, job.id)
    chunks = [job.enrollment_ids[start : start + CHUNK_SIZE] for start in range(0, job.total, CHUNK_SIZE)]
    try:
        for index in range(job.chunks_done, len(chunks)):
            try:
                certificates = await certificates_for(
                    actor=actor,
                    recognition=recognition,
                    enrollment_ids=chunks[index],
                    now=clock(),
                    files_dir=files_dir,
                    public_url=public_url,
                )
            except DomainError as error:
                # A selected course-taker is no longer listed (e.g. after the LMS sync): no retry helps.
                return await fail_job(
                    job_id=job.id, message=_unlisted_message(error), now=clock(), mail_config=mail_config
                )
            sources = [certificate_path(files_dir, certificate) for certificate in certificates]
            await asyncio.to_thread(merge_pdfs, sources, parts / f"part-{index:05d}.pdf")
            await CertificateFileJob.filter(id=job.id, status=FileJobStatus.RUNNING).update(
                chunks_done=index + 1,
                done=min((index + 1) * CHUNK_SIZE, job.total),
                claimed_until=clock() + LEASE,
            )
            _announce(job)
        return await _finish(
            job, parts, len(chunks), clock=clock, files_dir=files_dir, mail_config=mail_config
        )
    except BaseException:
        # Let the retry take the job at once; a process that dies outright leaves the lease to expire.
        await CertificateFileJob.filter(id=job.id, status=FileJobStatus.RUNNING).update(claimed_until=None)
        raise


async def _finish(
    job: CertificateFileJob,
    parts: Path,
    chunk_count: int,
    *,
    clock: Callable[[], datetime],
    files_dir: Path,
    mail_config: MailConfig,
) -> CertificateFileJob:
    file_name = f"certificates-{job.recognition_id}-{job.id}.pdf"
    destination = files_dir / FILES_FOLDER / file_name
    sources = [parts / f"part-{index:05d}.pdf" for index in range(chunk_count)]
    pages = await asyncio.to_thread(merge_pdfs, sources, destination)
    size, digest = await asyncio.to_thread(_size_and_sha256, destination)
    now = clock()
    async with in_transaction() as connection:
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
        queued = None
        if became_ready:
            recognition = await Recognition.get(id=job.recognition_id, using_db=connection)
            user = await User.get(id=job.requested_by_id, using_db=connection)
            message = mails.file_ready(ready, recognition=recognition, user=user, config=mail_config, now=now)
            queued = await mail.add_to_outbox(
                key=mails.ready_key(ready), message=message, now=now, connection=connection
            )
    await asyncio.to_thread(shutil.rmtree, parts, True)
    mail.dispatch([queued.id] if queued else [])
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
    async with in_transaction() as connection:
        failed = (
            await CertificateFileJob.filter(id=job_id, status__in=ACTIVE)
            .using_db(connection)
            .update(
                status=FileJobStatus.FAILED, error_message=message[:500], finished_at=now, claimed_until=None
            )
        )
        job = await CertificateFileJob.get(id=job_id, using_db=connection)
        queued = None
        if failed:
            recognition = await Recognition.get(id=job.recognition_id, using_db=connection)
            user = await User.get(id=job.requested_by_id, using_db=connection)
            letter = mails.file_failed(job, recognition=recognition, user=user, config=mail_config, now=now)
            queued = await mail.add_to_outbox(
                key=mails.failed_key(job), message=letter, now=now, connection=connection
            )
    mail.dispatch([queued.id] if queued else [])
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
