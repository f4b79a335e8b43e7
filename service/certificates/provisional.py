"""Provisional certificates settle by themselves: valid once the LMS reports the course completed
(dated with the real completion date, the PDF drawn again from it), void once the enrolment can no
longer be certified (its course closed without completion, or it completed without certification).

Called after every progress sync and by the periodic sweep (a course may close without a sync);
each certificate changes in its own short transaction, and only from PROVISIONAL, so running it
twice, or in two processes at once, changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tortoise.transactions import in_transaction

from service.certificates.candidates import LISTED_WITH, completed_on, listing_of
from service.certificates.models import Certificate, CertificateStatus
from service.certificates.rules import Listing
from service.enrollments.models import Enrollment
from service.events import announce


def settled_printed(printed: dict[str, Any], completion: date) -> dict[str, Any]:
    """What a provisional certificate prints once valid: the completion date, and the words of a
    completed program (the provisional wording gone, as on a certificate issued valid)."""
    kept = {key: value for key, value in printed.items() if key != "provisional"}
    return {**kept, "awarded_on": completion.isoformat()}


@dataclass
class Settled:
    validated: list[int] = field(default_factory=list)
    voided: list[int] = field(default_factory=list)


async def settle_provisional_certificates(*, now: datetime, partner_id: int | None = None) -> Settled:
    """Turn provisional certificates valid or void as their enrolments now say; tell each partner's
    dashboards (``recognitionActivity``) of every certificate that changed."""
    query = Certificate.filter(status=CertificateStatus.PROVISIONAL)
    if partner_id is not None:
        query = query.filter(partner_id=partner_id)
    settled = Settled()
    certificates = await query.order_by("id")
    if not certificates:
        return settled
    enrollments = {
        enrollment.id: enrollment
        for enrollment in await Enrollment.filter(
            id__in={certificate.enrollment_id for certificate in certificates}
        ).select_related(*LISTED_WITH)
    }
    for certificate in certificates:
        enrollment = enrollments[certificate.enrollment_id]
        completion = completed_on(enrollment)
        # The certificate stands apart from any recognition's cohorts: only the enrolment counts.
        why = listing_of(enrollment, in_selected_cohorts=True)
        if why is Listing.LISTED and completion is None:
            continue  # still approaching
        async with in_transaction() as connection:
            still_provisional = Certificate.filter(
                id=certificate.id, status=CertificateStatus.PROVISIONAL
            ).using_db(connection)
            if why is Listing.LISTED and completion is not None:
                changed = await still_provisional.update(
                    status=CertificateStatus.VALID,
                    validated_at=now,
                    # "has completed the program" from now on, dated with the completion date
                    printed=settled_printed(certificate.printed, completion),
                    # drawn again (in the version it was issued with) on its next download
                    file_name=None,
                    file_size=None,
                    file_sha256=None,
                )
                done = settled.validated
            else:
                changed = await still_provisional.update(
                    status=CertificateStatus.VOIDED,
                    valid_enrollment_id=None,
                    voided_at=now,
                    voided_reason=why.value,
                )
                done = settled.voided
        if changed:
            done.append(certificate.id)
            announce(
                partner_id=certificate.partner_id,
                recognition_id=certificate.recognition_id,
                certificate_id=certificate.id,
            )
    return settled
