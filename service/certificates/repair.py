"""Repairing certificates' own PDFs. Two kinds of work, told apart in what it reports:

- *repairs*: a certificate whose PDF is recorded (name, size, SHA-256) but whose file is missing
  from the files folder (restored without it, a disk replaced) or damaged (its bytes are not the
  ones recorded) is drawn again; drawing is deterministic, so its record gives the same document.
- *first drawings*: a valid certificate without a PDF of its own yet gets one. That is normal for a
  certificate issued through a combined file (its page was drawn into the file; it gets its own PDF
  when first downloaded alone), and was left by issuing before issue 15 (which recorded the
  certificate before drawing it). One whose name still cannot be printed is revoked, saying why,
  so its code no longer verifies as valid and the person can be issued a certificate again once
  the name is right.

Safe to run again: a second run finds nothing to do.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from service.audit import services as audit
from service.audit.models import AuditAction
from service.certificates.models import Certificate, CertificateStatus
from service.certificates.printing import certificate_path, ensure_file, forget_file
from service.pdf import CertificateText, printable_name_problem

BATCH = 100
MISSING = "its file was missing"
DAMAGED = "its file was damaged (its bytes were not those recorded)"


@dataclass
class Repaired:
    """What a repair did: the codes whose recorded file was drawn again, and why (``repaired``); the
    codes drawn for the first time (``first_drawn``, normal); the codes revoked, with their reasons."""

    repaired: dict[str, str] = field(default_factory=dict)
    first_drawn: list[str] = field(default_factory=list)
    revoked: dict[str, str] = field(default_factory=dict)


async def repair_missing_files(*, files_dir: Path, now: datetime) -> Repaired:
    """Draw again every recorded PDF that is missing or damaged; draw the PDF of every valid
    certificate that has none yet; revoke those that cannot be printed."""
    repaired = Repaired()
    await _redraw_lost_files(repaired, files_dir=files_dir)
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
                repaired.first_drawn.append(certificate.code)
            elif await _revoke(certificate, reason=f"Never printed: {reason}", now=now):
                repaired.revoked[certificate.code] = reason
    return repaired


async def _redraw_lost_files(repaired: Repaired, *, files_dir: Path) -> None:
    """Every certificate whose recorded PDF is not in the files folder as recorded, drawn again."""
    after = 0
    while (
        batch := await Certificate.filter(file_sha256__isnull=False, id__gt=after).order_by("id").limit(BATCH)
    ):
        for certificate in batch:
            after = certificate.id
            problem = await asyncio.to_thread(file_problem, certificate, files_dir)
            if problem is None:
                continue
            await forget_file(certificate)
            await ensure_file(certificate, files_dir=files_dir)
            repaired.repaired[certificate.code] = problem


def file_problem(certificate: Certificate, files_dir: Path) -> str | None:
    """Why the certificate's recorded PDF is not usable as it is (missing, damaged), or None."""
    try:
        data = certificate_path(files_dir, certificate).read_bytes()
    except FileNotFoundError:
        return MISSING
    if len(data) != certificate.file_size or hashlib.sha256(data).hexdigest() != certificate.file_sha256:
        return DAMAGED
    return None


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
