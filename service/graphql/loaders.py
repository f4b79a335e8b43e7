"""Every DataLoader of one request, made on first use."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from service.graphql.certificate_files.dataloaders import (
    CertificateFileJobByIdLoader,
    LastReadyJobByRecognitionIdLoader,
)
from service.graphql.certificates.dataloaders import (
    CertificateByIdLoader,
    ValidCertificateByEnrollmentIdLoader,
)
from service.graphql.cohorts.dataloaders import (
    CertificateTypeByIdLoader,
    CohortByIdLoader,
    CohortsByProgramIdLoader,
    ProgramByIdLoader,
)
from service.graphql.lms.dataloaders import ProgressSyncRunByIdLoader
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.graphql.recognitions.dataloaders import (
    CohortIdsByRecognitionIdLoader,
    EventsByRecognitionIdLoader,
    RecognitionByIdLoader,
)
from service.graphql.users.dataloaders import UserByIdLoader

if TYPE_CHECKING:
    from service.graphql.context import Context


class Loaders:
    def __init__(self, context: Context) -> None:
        self._context = context

    @cached_property
    def partner_by_id(self) -> PartnerByIdLoader:
        return PartnerByIdLoader(self._context)

    @cached_property
    def user_by_id(self) -> UserByIdLoader:
        return UserByIdLoader(self._context)

    @cached_property
    def program_by_id(self) -> ProgramByIdLoader:
        return ProgramByIdLoader(self._context)

    @cached_property
    def cohort_by_id(self) -> CohortByIdLoader:
        return CohortByIdLoader(self._context)

    @cached_property
    def cohorts_by_program_id(self) -> CohortsByProgramIdLoader:
        return CohortsByProgramIdLoader(self._context)

    @cached_property
    def certificate_type_by_id(self) -> CertificateTypeByIdLoader:
        return CertificateTypeByIdLoader(self._context)

    @cached_property
    def recognition_by_id(self) -> RecognitionByIdLoader:
        return RecognitionByIdLoader(self._context)

    @cached_property
    def cohort_ids_by_recognition_id(self) -> CohortIdsByRecognitionIdLoader:
        return CohortIdsByRecognitionIdLoader(self._context)

    @cached_property
    def events_by_recognition_id(self) -> EventsByRecognitionIdLoader:
        return EventsByRecognitionIdLoader(self._context)

    @cached_property
    def certificate_by_id(self) -> CertificateByIdLoader:
        return CertificateByIdLoader(self._context)

    @cached_property
    def valid_certificate_by_enrollment_id(self) -> ValidCertificateByEnrollmentIdLoader:
        return ValidCertificateByEnrollmentIdLoader(self._context)

    @cached_property
    def certificate_file_job_by_id(self) -> CertificateFileJobByIdLoader:
        return CertificateFileJobByIdLoader(self._context)

    @cached_property
    def last_ready_job_by_recognition_id(self) -> LastReadyJobByRecognitionIdLoader:
        return LastReadyJobByRecognitionIdLoader(self._context)

    @cached_property
    def progress_sync_run_by_id(self) -> ProgressSyncRunByIdLoader:
        return ProgressSyncRunByIdLoader(self._context)
