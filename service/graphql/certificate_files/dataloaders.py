from __future__ import annotations

from typing import TYPE_CHECKING

from service.certificate_files.models import CertificateFileJob
from service.certificate_files.reads import jobs_by_ids, last_ready_jobs
from service.graphql.dataloader import ScopedLoader

if TYPE_CHECKING:
    from service.graphql.context import Context


class CertificateFileJobByIdLoader(ScopedLoader[int, CertificateFileJob]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: jobs_by_ids(actor=actor, ids=list(ids)))


class LastReadyJobByRecognitionIdLoader(ScopedLoader[int, CertificateFileJob]):
    """Keys are ids of recognitions the request has already loaded through the actor's scope."""

    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda _actor, ids: last_ready_jobs(recognition_ids=list(ids)))
