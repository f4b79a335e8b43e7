"""Provisional certificates settle by themselves: valid once the LMS reports the course completed
(dated with the real completion date, the PDF drawn again from it), void once the enrolment can no
longer be certified (its course closed without completion, or it completed without certification).

Called after every progress sync and by the periodic sweep (a course may close without a sync);
each certificate changes in its own short transaction, and only from PROVISIONAL, so running it
twice, or in two processes at once, changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tortoise.transactions import in_transaction

from service.certificates.candidates import LISTED_WITH, completed_on, listing_of
from service.certificates.models import Certificate, CertificateStatus
from service.certificates.rules import Listing
from service.enrollments.models import Enrollment
from service.events import announce


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
                    printed={**certificate.printed, "awarded_on": completion.isoformat()},
                    # drawn again, with the completion date, on its next download
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
