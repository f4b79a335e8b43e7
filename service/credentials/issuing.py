"""A certificate's credential, signed on demand: the same certificate and key give the same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.certificates.models import CURRENT, Certificate
from service.credentials.config import CredentialsConfig
from service.credentials.document import build_credential, linkedin_url
from service.credentials.signing import sign
from service.enrollments.models import Enrollment


@dataclass(frozen=True)
class IssuedCredential:
    document: dict[str, Any]
    jwt: str
    linkedin_url: str | None


async def credential_for(certificate: Certificate, config: CredentialsConfig) -> IssuedCredential | None:
    """The signed credential of a valid or provisional certificate; none for one no longer valid
    (revoked, voided or replaced: a credential signed before still verifies as such)."""
    if certificate.status not in CURRENT:
        return None
    enrollment = await Enrollment.get(id=certificate.enrollment_id).select_related("course_taker")
    document = build_credential(certificate, email=enrollment.course_taker.email, config=config)
    return IssuedCredential(
        document=document, jwt=sign(document, config.keys().signing), linkedin_url=linkedin_url(certificate)
    )


async def credential_by_code(code: str, config: CredentialsConfig) -> IssuedCredential | None:
    certificate = await Certificate.get_or_none(code=code)
    return None if certificate is None else await credential_for(certificate, config)
