from __future__ import annotations

from service.certificates.models import Certificate
from service.certificates.services import (
    certificates_by_ids,
    revoked_certificates_by_enrollment_ids,
    valid_certificates_by_enrollment_ids,
)
from service.graphql.core.dataloader import ScopedLoader
from service.users.actor import Actor


class CertificateByIdLoader(ScopedLoader[int, Certificate]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Certificate]:
        return await certificates_by_ids(actor=actor, ids=ids)


class ValidCertificateByEnrollmentIdLoader(ScopedLoader[int, Certificate]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Certificate]:
        return await valid_certificates_by_enrollment_ids(actor=actor, ids=ids)


class RevokedCertificateByEnrollmentIdLoader(ScopedLoader[int, Certificate]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Certificate]:
        return await revoked_certificates_by_enrollment_ids(actor=actor, ids=ids)
