from __future__ import annotations

from service.certificate_files.models import CertificateFileJob
from service.certificate_files.reads import jobs_by_ids, last_ready_jobs
from service.graphql.core.dataloader import ScopedLoader
from service.users.actor import Actor


class CertificateFileJobByIdLoader(ScopedLoader[int, CertificateFileJob]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, CertificateFileJob]:
        return await jobs_by_ids(actor=actor, ids=ids)


class LastReadyJobByRecognitionIdLoader(ScopedLoader[int, CertificateFileJob]):
    """Keys are ids of recognitions the request has already loaded through the actor's scope."""

    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, CertificateFileJob]:
        return await last_ready_jobs(recognition_ids=ids)
