"""Giving back the completions an earlier sync took away from valid certificates.

A completion certified with a valid certificate is decided (``rules.completion_kept``): a sync keeps it.
Syncs before that rule did not: one that no longer read the completion from Canvas took it back, and
the person was listed as approaching (or, their course closed, not at all) while their certificate
stayed valid, its completion date printed and verified. This puts each such completion back as the
certificate has it, so the list, the CSV and the certificate agree again. The progress figures stay
Canvas's, as a sync leaves them. Safe to run again: a second run finds nothing to do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from service.certificates.models import Certificate, CertificateStatus
from service.certificates.rules import completion_date
from service.enrollments.models import Enrollment

logger = logging.getLogger("service.lms")

TAKEN_AWAY = Q(enrollment__completed_at__isnull=True) | Q(enrollment__certified=False)
"""An enrolment without a certified completion."""


@dataclass(frozen=True)
class RestoredCompletion:
    enrollment_id: int
    email: str
    cohort: str
    course_id: str | None
    code: str
    """The valid certificate the completion was given back for."""
    completed_on: date


async def restore_decided_completions() -> list[RestoredCompletion]:
    """Give a certified completion back to every enrolment that has a valid certificate but none
    (``completed_at`` cleared, or not certified): on the certificate's completion date."""
    restored = []
    taken_away = (
        await Certificate.filter(TAKEN_AWAY, status=CertificateStatus.VALID)
        .select_related("partner", "enrollment", "enrollment__cohort", "enrollment__course_taker")
        .order_by("id")
    )
    for certificate in taken_away:
        enrollment = certificate.enrollment
        completed_on = date.fromisoformat(certificate.printed["awarded_on"])
        completed_at = _completed_at(enrollment.completed_at, completed_on, certificate.partner.time_zone)
        # Only while it still has no certified completion: a sync in between decided again.
        changed = await Enrollment.filter(
            Q(completed_at__isnull=True) | Q(certified=False), id=enrollment.id
        ).update(completed_at=completed_at, certified=True)
        if not changed:
            continue
        logger.info(
            "enrolment %s: completion of %s given back (certificate %s is valid for it)",
            enrollment.id,
            completed_on.isoformat(),
            certificate.code,
        )
        restored.append(
            RestoredCompletion(
                enrollment_id=enrollment.id,
                email=enrollment.course_taker.email,
                cohort=enrollment.cohort.name,
                course_id=enrollment.cohort.lms_course_id,
                code=certificate.code,
                completed_on=completed_on,
            )
        )
    return restored


def _completed_at(recorded: datetime | None, completed_on: date, time_zone: str) -> datetime:
    """The instant the completion is given back with: the one still recorded when it falls on the
    certificate's date; otherwise (lost) noon of that date in the partner's time zone, which is that
    date however the clocks change that day."""
    if recorded is not None and completion_date(recorded, time_zone) == completed_on:
        return recorded
    return datetime.combine(completed_on, time(12), tzinfo=ZoneInfo(time_zone)).astimezone(UTC)
