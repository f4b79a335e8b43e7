"""A combined file made on the spot, for staff at the command line: the same job record, chunks and
services as the background job, run here one chunk after another instead of by workers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.services import FileWork, build_part, file_path, request_file
from service.certificates.candidates import (
    CandidateFilter,
    by_name,
    candidates_query,
    of_kinds,
    recognition_for_certificates,
)
from service.certificates.rules import CandidateKind
from service.errors import DomainError, ErrorCode
from service.users.actor import Actor
from service.users.models import Role, User


class FileNotMade(Exception):
    """The file did not come out, for a reason a person can read."""


Progress = Callable[[int, int], None]  # (chunks made, chunks in all)


async def staff_actor(*, email: str | None) -> Actor:
    """The staff user acting: the one with this email, or the first staff user."""
    users = User.filter(role=Role.STAFF)
    user = await (users.filter(email=email) if email else users.order_by("id")).first()
    if user is None:
        raise DomainError.of(
            ErrorCode.NOT_FOUND,
            f"No staff user with the email {email!r}." if email else "There is no staff user yet.",
        )
    return Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)


async def selection_of(
    *, actor: Actor, recognition_id: int, emails: Sequence[str], all_completers: bool, now: datetime
) -> list[int]:
    """Enrolment ids in the certificates page's order: every completer, or the listed course-takers'
    (by email; every enrolment of theirs the recognition lists)."""
    recognition = await recognition_for_certificates(actor=actor, recognition_id=recognition_id, now=now)
    kind = CandidateKind.COMPLETER if all_completers else None
    query = of_kinds(await candidates_query(recognition, CandidateFilter(kind=kind)), kind)
    if not all_completers:
        query = query.filter(course_taker__email__in=list(emails))
    rows = await by_name(query, after=None)
    missing = sorted(set(emails) - {row.course_taker.email for row in rows})
    if missing:
        raise DomainError.of(
            ErrorCode.NOT_A_CANDIDATE, f"Not a course-taker of this recognition: {', '.join(missing)}."
        )
    return [row.id for row in rows]


async def build_file_now(
    *,
    actor: Actor,
    recognition_id: int,
    enrollment_ids: Sequence[int],
    clock: Callable[[], datetime],
    work: FileWork,
    progress: Progress | None = None,
) -> tuple[CertificateFileJob, Path]:
    """Make the combined file of the selection here and now; the job and where its file is."""
    job = await request_file(
        actor=actor, recognition_id=recognition_id, enrollment_ids=enrollment_ids, now=clock()
    )
    chunks = await CertificateFileChunk.filter(job_id=job.id).order_by("position").only("id")
    chunk_ids = [chunk.id for chunk in chunks]
    for done, chunk_id in enumerate(chunk_ids, start=1):
        await build_part(chunk_id=chunk_id, clock=clock, work=work)
        if progress is not None:
            progress(done, len(chunk_ids))
    finished = await CertificateFileJob.get(id=job.id)
    if finished.status is FileJobStatus.READY:
        return finished, file_path(work.files_dir, finished)
    if finished.status is FileJobStatus.FAILED:
        raise FileNotMade(finished.error_message or "The file could not be made.")
    # A worker took part of the same selection's job (it was queued already): it finishes it.
    raise FileNotMade(f"A worker is making this selection's file (job {job.id}); try again in a minute.")
