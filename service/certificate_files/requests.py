"""Asking for a combined file: the selection is checked now, recorded as a job cut into chunks, and
handed to the queue; the same selection already queued or running is answered with that job."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from tortoise.transactions import in_transaction

from service import job_queue
from service.certificate_files.leases import STALL
from service.certificate_files.models import ACTIVE, CertificateFileChunk, CertificateFileJob
from service.certificate_files.reads import last_ready_job
from service.certificates.candidates import checked_selection, recognition_for_certificates
from service.certificates.printing import unprintable_in_selection
from service.errors import DomainError, ErrorCode
from service.events import announce
from service.job_queue import Job
from service.recognitions.models import Recognition
from service.users.actor import Actor

CHUNK_SIZE = 25


def selection_key(enrollment_ids: Sequence[int]) -> str:
    return hashlib.sha256(json.dumps(list(enrollment_ids)).encode()).hexdigest()


async def request_file(
    *, actor: Actor, recognition_id: int, enrollment_ids: Sequence[int], now: datetime
) -> CertificateFileJob:
    """Queue a combined file of the selection (checked now: each a candidate, each name printable);
    the same selection already queued or running is answered with that job instead of a second one."""
    selection = await checked_selection(
        actor=actor, recognition_id=recognition_id, enrollment_ids=enrollment_ids, now=now
    )
    await _refuse_unprintable(enrollment_ids)
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
    await _refuse_unprintable(selection)
    return await _queue(actor=actor, recognition_id=recognition.id, selection=selection, now=now)


async def _refuse_unprintable(enrollment_ids: Sequence[int]) -> None:
    """Someone selected whose certificate cannot be printed is refused now, by position, not left to
    fail the file in the background."""
    if problems := await unprintable_in_selection(enrollment_ids=enrollment_ids, field="enrollmentIds"):
        raise DomainError(*problems)


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
    announce(partner_id=job.partner_id, recognition_id=job.recognition_id, job_id=job.id)
    if not job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, job.id):
        # The queue is unreachable: the job stays QUEUED for the next sweep to hand over.
        await CertificateFileJob.filter(id=job.id).update(handover_after=now)
    return job
