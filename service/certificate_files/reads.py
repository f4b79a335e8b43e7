"""Reading combined-file jobs for the API: by id within the actor's scope, and by recognition."""

from __future__ import annotations

from collections.abc import Sequence

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.errors import NotFound
from service.users.actor import Actor


async def jobs_by_ids(*, actor: Actor, ids: Sequence[int]) -> dict[int, CertificateFileJob]:
    return {job.id: job for job in await actor.scope(CertificateFileJob.filter(id__in=set(ids)))}


async def get_job(*, actor: Actor, job_id: int) -> CertificateFileJob:
    job = (await jobs_by_ids(actor=actor, ids=[job_id])).get(job_id)
    if job is None:
        raise NotFound("Certificates file")
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


async def jobs_of_recognition(*, recognition_id: int, limit: int = 20) -> list[CertificateFileJob]:
    """The recognition's newest jobs (the caller has checked it may see the recognition)."""
    return (
        await CertificateFileJob.filter(recognition_id=recognition_id)
        .order_by("-created_at", "-id")
        .limit(limit)
    )
