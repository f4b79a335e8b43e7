"""Making the last file again: from the same selection, less whoever is no longer listed (when asked)
and, for anyone but staff, whoever staff revoked the certificate of since; each said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.certificate_files.leases import STALL
from service.certificate_files.models import CertificateFileJob
from service.certificate_files.reads import last_ready_job
from service.certificate_files.requests import (
    NAMED_AT_MOST,
    FileLimits,
    LeftOut,
    left_out_of,
    queue_file,
    refuse_unprintable,
)
from service.certificates.candidates import NotListed, not_listed, recognition_for_certificates
from service.certificates.models import Certificate
from service.certificates.rules import LISTING_WORDS
from service.certificates.services import revoked_certificates_by_enrollment_ids
from service.errors import DomainError, ErrorCode, Problem
from service.users.actor import Actor


class SelectionChanged(DomainError):
    """Some of the last file's course-takers are no longer listed: who, and why."""

    def __init__(self, dropped_out: list[NotListed]) -> None:
        names = "; ".join(f"{person.name} ({LISTING_WORDS[person.why]})" for person in dropped_out)
        super().__init__(
            Problem(
                ErrorCode.SELECTION_CHANGED,
                f"{len(dropped_out)} of the last file's course-takers are no longer listed: {names}. "
                "Regenerate without them (withoutDroppedOut: true), or request a new file.",
                ("withoutDroppedOut",),
            )
        )
        self.dropped_out = dropped_out


@dataclass(frozen=True, slots=True)
class Regenerated:
    job: CertificateFileJob
    dropped_out: list[NotListed]
    left_out: list[LeftOut]


async def regenerate_file(
    *,
    actor: Actor,
    recognition_id: int,
    now: datetime,
    without_dropped_out: bool = False,
    limits: FileLimits | None = None,
    stall: timedelta = STALL,
) -> Regenerated:
    """A fresh file of the last file's selection. If some of it is no longer listed, a refusal that
    says who and why, unless asked to leave them out. Those whose certificate staff revoked since
    are left out (as a request by filter leaves them out; staff keep them) and said so; refused only
    when that leaves no one."""
    recognition = await recognition_for_certificates(actor=actor, recognition_id=recognition_id, now=now)
    last = await last_ready_job(recognition_id=recognition.id)
    if last is None:
        raise DomainError.of(
            ErrorCode.NO_PREVIOUS_FILE,
            "This recognition has no certificates file yet.",
            field=("recognitionId",),
        )
    dropped_out = await not_listed(recognition, last.enrollment_ids)
    if dropped_out and not without_dropped_out:
        raise SelectionChanged(dropped_out)
    gone = {person.enrollment_id for person in dropped_out}
    listed = [key for key in last.enrollment_ids if key not in gone]
    if not listed:
        raise DomainError.of(
            ErrorCode.EMPTY_SELECTION,
            "None of the last file's course-takers is listed any more.",
            field=("withoutDroppedOut",),
        )
    revoked = {} if actor.is_staff else await revoked_certificates_by_enrollment_ids(actor=actor, ids=listed)
    remaining = [key for key in listed if key not in revoked]
    if not remaining:
        raise DomainError(_all_revoked([revoked[key] for key in listed]))
    await refuse_unprintable(remaining, field=("recognitionId",))
    left_out = await left_out_of(listed, revoked)
    job = await queue_file(
        actor=actor,
        recognition_id=recognition.id,
        selection=remaining,
        left_out=left_out,
        now=now,
        limits=limits,
        stall=stall,
    )
    return Regenerated(job=job, dropped_out=dropped_out, left_out=left_out)


def _all_revoked(revoked: Sequence[Certificate]) -> Problem:
    """Why the last file cannot be made again: staff revoked the certificate of everyone still in it
    (the first few named)."""
    named = "; ".join(
        f"{one.printed['recipient_name']} (certificate {one.code}: {one.revoked_reason})"
        for one in revoked[:NAMED_AT_MOST]
    )
    more = len(revoked) - NAMED_AT_MOST
    return Problem(
        ErrorCode.FORBIDDEN,
        "The last file cannot be made again: since it was made, staff revoked the certificate of everyone "
        f"still listed in it: {named}{f'; and {more:,} more' if more > 0 else ''}. Only staff can issue them "
        "another.",
        ("recognitionId",),
    )
