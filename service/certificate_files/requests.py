"""Asking for a combined file: the selection is checked now, recorded as a job cut into chunks, and
handed to the queue; the same selection already queued or running is answered with that job."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import job_queue
from service.certificate_files.leases import STALL
from service.certificate_files.models import ACTIVE, CertificateFileChunk, CertificateFileJob
from service.certificates.candidates import CandidateFilter, checked_selection
from service.certificates.models import Certificate
from service.certificates.printing import unprintable_in_selection
from service.certificates.select_all import filtered_selection
from service.certificates.services import (
    refuse_revoked,
    revoked_certificates_by_enrollment_ids,
    revoked_message,
)
from service.enrollments.models import Enrollment
from service.errors import DomainError, ErrorCode, Problem
from service.events import announce
from service.job_queue import Job
from service.recognitions.models import Recognition
from service.users.actor import Actor
from service.users.models import User

# A chunk is one part PDF, one lease, one count. Small files keep chunks of 25, so progress moves
# often; large ones take larger chunks (fewer statements and parts, and a part's fonts shared by more
# pages), at least 20 of them, so several workers share a file evenly, and at most 100 pages: a
# 2,000-file's worker CPU −11 % against 50 (4 pairs in turn, 1 and 2 processes); peak 194–195 MB
# in-process against 186–187 MB (it passed 250 MB before issue 19's drawing changes).
CHUNK_SIZE = 25
LARGEST_CHUNK = 100
CHUNKS_AT_LEAST = 20


def chunk_size(total: int) -> int:
    """Pages in each chunk (the last may hold fewer) of a file of ``total`` certificates."""
    return max(CHUNK_SIZE, min(LARGEST_CHUNK, -(-total // CHUNKS_AT_LEAST)))


@dataclass(frozen=True)
class FileLimits:
    """How much one user may ask of the workers: files unfinished at once, new files a minute."""

    active_per_user: int
    per_minute: int


def selection_key(enrollment_ids: Sequence[int]) -> str:
    return hashlib.sha256(json.dumps(list(enrollment_ids)).encode()).hexdigest()


async def request_file(
    *,
    actor: Actor,
    recognition_id: int,
    enrollment_ids: Sequence[int],
    now: datetime,
    limits: FileLimits | None = None,
    stall: timedelta = STALL,
) -> CertificateFileJob:
    """Queue a combined file of the selection (checked now: each a candidate, each name printable,
    none whose certificate staff revoked, unless staff ask); the same selection already queued or
    running is answered with that job instead of a second one."""
    selection = await checked_selection(
        actor=actor, recognition_id=recognition_id, enrollment_ids=enrollment_ids, now=now
    )
    await refuse_unprintable(enrollment_ids)
    place = {key: index for index, key in reversed(list(enumerate(enrollment_ids)))}
    await refuse_revoked(actor, selection, field_of=lambda key: ("enrollmentIds", str(place[key])))
    return await queue_file(
        actor=actor,
        recognition_id=recognition_id,
        selection=selection,
        left_out=[],
        now=now,
        limits=limits,
        stall=stall,
    )


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A course-taker a request matched (a filter, or the last file regenerated) who is left out of
    the file: staff revoked their certificate, and only staff may issue them another."""

    enrollment_id: int
    name: str
    email: str
    certificate: Certificate
    message: str

    def to_plain(self) -> dict[str, Any]:
        """As the job keeps it (CertificateFileJob.left_out)."""
        return {
            "enrollment_id": self.enrollment_id,
            "name": self.name,
            "email": self.email,
            "certificate_id": self.certificate.id,
        }


@dataclass(frozen=True, slots=True)
class FilteredFile:
    job: CertificateFileJob
    left_out: list[LeftOut]


async def request_filtered_file(
    *,
    actor: Actor,
    recognition_id: int,
    candidate_filter: CandidateFilter,
    now: datetime,
    except_ids: Sequence[int] = (),
    limits: FileLimits | None = None,
    stall: timedelta = STALL,
) -> FilteredFile:
    """Queue a combined file of every candidate the filter matches but ``except_ids`` ("select all",
    but these), as ``request_file`` does; those whose certificate staff revoked are left out (staff,
    who may issue them another, keep them), named in the answer and kept with the job (its "ready"
    mail names them). Refused when that leaves no one."""
    matched = await filtered_selection(
        actor=actor,
        recognition_id=recognition_id,
        candidate_filter=candidate_filter,
        now=now,
        except_ids=except_ids,
    )
    revoked = {} if actor.is_staff else await revoked_certificates_by_enrollment_ids(actor=actor, ids=matched)
    selection = [key for key in matched if key not in revoked]
    if not selection:  # everyone it matched: refused, the first few named
        raise DomainError(*revoked_problems([revoked[key] for key in matched], field=("filter",)))
    await refuse_unprintable(selection, field=("filter",))
    left_out = await left_out_of(matched, revoked)
    job = await queue_file(
        actor=actor,
        recognition_id=recognition_id,
        selection=selection,
        left_out=left_out,
        now=now,
        limits=limits,
        stall=stall,
    )
    return FilteredFile(job=job, left_out=left_out)


# A refusal or a mail names this many people at most, then says how many more.
NAMED_AT_MOST = 5


def revoked_problems(certificates: Sequence[Certificate], *, field: tuple[str, ...]) -> list[Problem]:
    """The refusal of certificates staff revoked: each of the first few, then how many more."""
    problems = [
        Problem(ErrorCode.FORBIDDEN, revoked_message(one), field) for one in certificates[:NAMED_AT_MOST]
    ]
    if (more := len(certificates) - NAMED_AT_MOST) > 0:
        problems.append(
            Problem(
                ErrorCode.FORBIDDEN,
                f"And {more:,} more whose certificates staff revoked; only staff can issue them another.",
                field,
            )
        )
    return problems


async def left_out_of(matched: Sequence[int], revoked: dict[int, Certificate]) -> list[LeftOut]:
    """The revoked among the matched, in their order, each with the name they are listed under now."""
    if not revoked:
        return []
    takers = {
        enrollment.id: enrollment.course_taker
        for enrollment in await Enrollment.filter(id__in=list(revoked)).select_related("course_taker")
    }
    return [
        LeftOut(
            enrollment_id=key,
            name=takers[key].name,
            email=takers[key].email,
            certificate=revoked[key],
            message=revoked_message(revoked[key]),
        )
        for key in matched
        if key in revoked
    ]


async def refuse_unprintable(enrollment_ids: Sequence[int], *, field: tuple[str, ...] | None = None) -> None:
    """Someone selected whose certificate cannot be printed is refused now, not left to fail the
    file in the background: by position in ``enrollmentIds``, or at ``field`` for a selection the
    caller did not list (a filter's, the last file's); each message names the person."""
    if problems := await unprintable_in_selection(enrollment_ids=enrollment_ids, field="enrollmentIds"):
        if field is not None:
            problems = [replace(problem, field=field) for problem in problems]
        raise DomainError(*problems)


async def queue_file(
    *,
    actor: Actor,
    recognition_id: int,
    selection: list[int],
    left_out: list[LeftOut],
    now: datetime,
    limits: FileLimits | None,
    stall: timedelta,
) -> CertificateFileJob:
    """The selection's active job, or a new one. The database holds one active job per selection
    (a unique key, NULL once the job is finished): of requests racing to make it, one wins and the
    others answer with its job."""
    key = selection_key(selection)
    for _ in range(3):
        try:
            job, made = await _same_or_new(
                actor=actor,
                recognition_id=recognition_id,
                selection=selection,
                left_out=left_out,
                key=key,
                now=now,
                limits=limits,
                stall=stall,
            )
        except IntegrityError:
            continue  # another request made it a moment ago: answer with that one
        if made:
            await _hand_over(job, now=now)
        return job
    raise AssertionError("the active job of a selection kept changing")  # pragma: no cover


async def _same_or_new(
    *,
    actor: Actor,
    recognition_id: int,
    selection: list[int],
    left_out: list[LeftOut],
    key: str,
    now: datetime,
    limits: FileLimits | None,
    stall: timedelta,
) -> tuple[CertificateFileJob, bool]:
    async with in_transaction() as connection:
        # One user's requests take turns here, so their limits are counted right.
        await User.filter(id=actor.user_id).using_db(connection).select_for_update().first()
        same = await (
            CertificateFileJob.filter(recognition_id=recognition_id, active_selection_key=key)
            .using_db(connection)
            .first()
        )
        if same is not None:
            # The same selection by another way (a filter that left someone out, ids that name none):
            # the job keeps whom any of its requests left out, for its mail.
            known = {person["enrollment_id"] for person in same.left_out}
            if more := [person.to_plain() for person in left_out if person.enrollment_id not in known]:
                same.left_out = [*same.left_out, *more]
                await same.save(using_db=connection, update_fields=["left_out"])
            return same, False
        if limits is not None:
            await _check_limits(actor=actor, limits=limits, now=now, connection=connection)
        recognition = await Recognition.get(id=recognition_id, using_db=connection)
        size = chunk_size(len(selection))
        job = await CertificateFileJob.create(
            partner_id=recognition.partner_id,
            recognition_id=recognition_id,
            requested_by_id=actor.user_id,
            enrollment_ids=selection,
            left_out=[person.to_plain() for person in left_out],
            selection_key=key,
            active_selection_key=key,
            total=len(selection),
            chunk_count=-(-len(selection) // size),
            created_at=now,
            handover_after=now + stall,
            using_db=connection,
        )
        starts = range(0, len(selection), size)
        await CertificateFileChunk.bulk_create(
            [
                CertificateFileChunk(
                    job_id=job.id,
                    position=position,
                    start=start,
                    size=min(size, len(selection) - start),
                )
                for position, start in enumerate(starts)
            ],
            using_db=connection,
        )
    return job, True


async def _check_limits(
    *, actor: Actor, limits: FileLimits, now: datetime, connection: BaseDBAsyncClient
) -> None:
    mine = CertificateFileJob.filter(requested_by_id=actor.user_id).using_db(connection)
    if await mine.filter(status__in=ACTIVE).count() >= limits.active_per_user:
        raise DomainError.of(
            ErrorCode.TOO_MANY_ACTIVE_FILES,
            f"You have {limits.active_per_user} certificates files being made. Wait for one to be ready, "
            "then request this one.",
            field=("enrollmentIds",),
        )
    if await mine.filter(created_at__gt=now - timedelta(minutes=1)).count() >= limits.per_minute:
        raise DomainError.of(
            ErrorCode.TOO_MANY_FILE_REQUESTS,
            f"You have requested {limits.per_minute} certificates files in the last minute. "
            "Please wait a minute, then request this one.",
            field=("enrollmentIds",),
        )


async def _hand_over(job: CertificateFileJob, *, now: datetime) -> None:
    announce(partner_id=job.partner_id, recognition_id=job.recognition_id, job_id=job.id)
    if not job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, job.id):
        # The queue is unreachable: the job stays QUEUED for the next sweep to hand over.
        await CertificateFileJob.filter(id=job.id).update(handover_after=now)
