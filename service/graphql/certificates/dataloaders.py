from __future__ import annotations

from typing import TYPE_CHECKING

from service.certificates.models import Certificate
from service.certificates.services import certificates_by_ids, valid_certificates_by_enrollment_ids
from service.graphql.dataloader import ScopedLoader

if TYPE_CHECKING:
    from service.graphql.context import Context


class CertificateByIdLoader(ScopedLoader[int, Certificate]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: certificates_by_ids(actor=actor, ids=ids))


class ValidCertificateByEnrollmentIdLoader(ScopedLoader[int, Certificate]):
    def __init__(self, context: Context) -> None:
        super().__init__(
            context, lambda actor, ids: valid_certificates_by_enrollment_ids(actor=actor, ids=ids)
        )
