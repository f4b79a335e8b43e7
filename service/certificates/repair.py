"""Repairing certificates issued before issuing drew the PDF first: a valid certificate without its
own PDF gets it now; one whose name still cannot be printed is revoked, saying why, so its code no
longer verifies as valid and the person can be issued a certificate again once the name is right.
Safe to run again: a second run finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from service.audit import services as audit
from service.audit.models import AuditAction
from service.certificates.models import Certificate, CertificateStatus
from service.certificates.printing import ensure_file
from service.pdf import CertificateText, printable_name_problem

BATCH = 100


@dataclass
class Repaired:
    """What a repair did: the codes drawn, and the codes revoked with their reasons."""

    drawn: list[str] = field(default_factory=list)
    revoked: dict[str, str] = field(default_factory=dict)


async def repair_missing_files(*, files_dir: Path, now: datetime) -> Repaired:
    """Draw the PDF of every valid certificate that has none; revoke those that cannot be printed."""
    repaired = Repaired()
    after = 0
    while (
        batch := await Certificate.filter(
            status=CertificateStatus.VALID, file_sha256__isnull=True, id__gt=after
        )
        .order_by("id")
        .limit(BATCH)
    ):
        for certificate in batch:
            after = certificate.id
            text = CertificateText.from_printed(certificate.printed)
            reason = printable_name_problem(text.recipient_name, language=text.language)
            if reason is None:
                await ensure_file(certificate, files_dir=files_dir)
                repaired.drawn.append(certificate.code)
            elif await _revoke(certificate, reason=f"Never printed: {reason}", now=now):
                repaired.revoked[certificate.code] = reason
    return repaired


async def _revoke(certificate: Certificate, *, reason: str, now: datetime) -> bool:
    async with in_transaction() as connection:
        revoked = (
            await Certificate.filter(id=certificate.id, status=CertificateStatus.VALID)
            .using_db(connection)
            .update(
                status=CertificateStatus.REVOKED,
                valid_enrollment_id=None,
                revoked_at=now,
                revoked_reason=reason,
            )
        )
        if revoked:
            await audit.record(
                action=AuditAction.CERTIFICATE_REVOKED,
                now=now,
                actor_id=None,  # the repair, run by an operator from the command line
                partner_id=certificate.partner_id,
                subject=f"Certificate:{certificate.id}",
                details={"code": certificate.code, "reason": reason},
                connection=connection,
            )
    return bool(revoked)
