"""Certificates' credentials, signed on demand: the same certificate and key give the same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.certificates.models import CURRENT, Certificate
from service.credentials.config import CredentialsConfig
from service.credentials.document import build_credential, linkedin_url
from service.credentials.indexes import assign_status_indexes
from service.credentials.signing import sign
from service.enrollments.models import Enrollment
from service.partners.models import Partner


@dataclass(frozen=True)
class IssuedCredential:
    document: dict[str, Any]
    jwt: str
    linkedin_url: str | None


async def credentials_for(
    certificates: Sequence[Certificate], config: CredentialsConfig
) -> dict[int, IssuedCredential]:
    """The signed credentials of the valid or provisional certificates among these, by certificate
    id; none for one no longer valid (revoked, voided or replaced: a credential signed before still
    verifies as such). One query for the recipients' addresses, one for their partners' time zones
    and one look at the keys, however many certificates."""
    current = [certificate for certificate in certificates if certificate.status in CURRENT]
    if not current:
        return {}
    # Given on issue; here too for one whose issuing process stopped before it got its place.
    await assign_status_indexes(current)
    emails: dict[int, str] = dict(
        await Enrollment.filter(id__in={c.enrollment_id for c in current}).values_list(
            "id", "course_taker__email"
        )
    )
    zones: dict[int, str] = dict(
        await Partner.filter(id__in={c.partner_id for c in current}).values_list("id", "time_zone")
    )
    signing = config.keys().signing
    issued = {}
    for certificate in current:
        document = build_credential(
            certificate,
            email=emails[certificate.enrollment_id],
            time_zone=zones[certificate.partner_id],
            config=config,
        )
        issued[certificate.id] = IssuedCredential(
            document=document, jwt=sign(document, signing), linkedin_url=linkedin_url(certificate)
        )
    return issued


async def credential_for(certificate: Certificate, config: CredentialsConfig) -> IssuedCredential | None:
    return (await credentials_for([certificate], config)).get(certificate.id)
