"""Public verification of a certificate code: what anyone holding the paper may learn, no more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from service.certificates.models import CURRENT, Certificate, CertificateStatus
from service.certificates.rules import normalize_code
from service.errors import DomainError, ErrorCode


class Outcome(StrEnum):
    VALID = "VALID"
    PROVISIONAL = "PROVISIONAL"
    VOIDED = "VOIDED"
    REVOKED = "REVOKED"
    REPLACED = "REPLACED"
    UNKNOWN = "UNKNOWN"
    MISTYPED = "MISTYPED"
    MALFORMED = "MALFORMED"


MESSAGES = {
    Outcome.VALID: "This certificate is valid.",
    Outcome.PROVISIONAL: "This certificate is pending completion: it was issued before the course was "
    "completed and becomes valid when the course-taker completes it.",
    Outcome.VOIDED: "This certificate is void: it was issued before the course was completed, and the "
    "course closed without completion.",
    Outcome.REVOKED: "This certificate has been revoked and is no longer valid.",
    Outcome.REPLACED: "This certificate was replaced by a corrected one and is no longer valid. "
    "Ask its holder for the new certificate.",
    Outcome.UNKNOWN: "No certificate has this code.",
}


@dataclass(frozen=True, slots=True)
class Verification:
    code: str
    outcome: Outcome
    message: str
    # Shown only for a valid or provisional certificate (whose date is its completion date, so none
    # while it is pending): a voided, revoked or replaced one points to nothing private.
    recipient_name: str | None = None
    certificate_type: str | None = None
    partner_name: str | None = None
    awarded_on: date | None = None
    # The name's language as printed (BCP 47; "" when not known), for the page's Han forms.
    recipient_language: str = ""


async def verify(text: str) -> Verification:
    """What the code on a certificate says about it."""
    try:
        code = normalize_code(text)
    except DomainError as error:
        problem = error.problems[0]
        outcome = Outcome.MISTYPED if problem.code is ErrorCode.MISTYPED_CODE else Outcome.MALFORMED
        return Verification(code=text.strip()[:40], outcome=outcome, message=problem.message)
    certificate = await Certificate.get_or_none(code=code)
    if certificate is None:
        return Verification(code=code, outcome=Outcome.UNKNOWN, message=MESSAGES[Outcome.UNKNOWN])
    outcome = Outcome(certificate.status.value)
    if certificate.status not in CURRENT:
        return Verification(code=code, outcome=outcome, message=MESSAGES[outcome])
    printed = certificate.printed
    return Verification(
        code=code,
        outcome=outcome,
        message=MESSAGES[outcome],
        recipient_name=printed["recipient_name"],
        recipient_language=printed.get("language", ""),
        certificate_type=printed["certificate_type"],
        partner_name=printed["partner_name"],
        awarded_on=(
            date.fromisoformat(printed["awarded_on"])
            if certificate.status is CertificateStatus.VALID
            else None
        ),
    )
