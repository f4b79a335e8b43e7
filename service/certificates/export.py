"""Export selected course-takers of the certificates step to CSV, streamed in chunks.

The file is never built whole: rows are read a chunk at a time when it is downloaded, as the
user who asked for it. Cells a spreadsheet would run as a formula are neutralised (OWASP).

An export by filter has no limit: it streams, so exporting everyone the list shows is one file
however many they are. A selection is sent id by id in the request and checked before it is
stored, so it is held to a combined file's 5,000 (the portal's "select all" sends the filter, with
those unticked as its exceptions).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime

from service.certificates.candidates import (
    MAX_SELECTION,
    CandidateFilter,
    by_name,
    candidates_query,
    checked_selection,
    completed_on,
    kind_of,
    of_kinds,
    recognition_for_certificates,
)
from service.certificates.models import CURRENT, CandidateExport, Certificate
from service.certificates.rules import CandidateKind
from service.certificates.select_all import EXCEPTIONS, checked_exceptions, refuse_too_many_exceptions
from service.cohorts.models import CertificateType, Program
from service.enrollments.models import Enrollment
from service.errors import DomainError, ErrorCode
from service.users.actor import Actor
from service.users.models import User

CHUNK = 500
BYTE_ORDER_MARK = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "Name",
    "Email",
    "Status",
    "Program",
    "Cohort",
    "Certificate type",
    "Completion date",
    "Progress (%)",
    "Modules completed",
    "Modules required",
    "Progress synced at",
    "Certificate code",
]
KIND_WORDS = {CandidateKind.COMPLETER: "Completer", CandidateKind.APPROACHING: "Approaching certification"}


def neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


async def create_export(
    *,
    actor: Actor,
    recognition_id: int,
    enrollment_ids: Sequence[int] | None,
    candidate_filter: CandidateFilter,
    now: datetime,
    except_ids: Sequence[int] = (),
) -> CandidateExport:
    """Record what to export: the selected enrolments (at most MAX_SELECTION, checked now), or the filter
    of the list but ``except_ids`` (each listed, checked now), which must leave someone now (an export
    of no one is refused, as a combined file of no one is) and may match any number."""
    if enrollment_ids is not None and len(enrollment_ids) > MAX_SELECTION:
        # Repeats counted, before any query, as a combined file's selection is.
        raise DomainError.of(
            ErrorCode.SELECTION_TOO_LARGE,
            f"{len(enrollment_ids):,} course-takers are selected; an export of selected course-takers "
            f"takes at most {MAX_SELECTION:,}. To export everyone the list shows, export by its filter "
            "instead: an export by filter has no limit.",
            field=("enrollmentIds",),
        )
    excepted: set[int] = set()
    if enrollment_ids is None:
        refuse_too_many_exceptions(except_ids)
        recognition = await recognition_for_certificates(actor=actor, recognition_id=recognition_id, now=now)
        excepted = await checked_exceptions(recognition, except_ids)
        matched = of_kinds(await candidates_query(recognition, candidate_filter), candidate_filter.kind)
        # Someone besides the exceptions: among the first len(excepted) + 1 matches, if anywhere.
        first: list[int] = await matched.limit(len(excepted) + 1).values_list("id", flat=True)  # type: ignore[assignment]
        if not first:
            raise DomainError.of(
                ErrorCode.EMPTY_SELECTION, "No course-taker matches this filter.", field=("filter",)
            )
        if set(first) <= excepted:
            raise DomainError.of(
                ErrorCode.EMPTY_SELECTION,
                f"Everyone this filter matches ({len(first):,}) is among {EXCEPTIONS}: no course-taker "
                "is left.",
                field=(EXCEPTIONS,),
            )
        selection = None
    else:
        selection = await checked_selection(
            actor=actor, recognition_id=recognition_id, enrollment_ids=enrollment_ids, now=now
        )
    return await CandidateExport.create(
        recognition_id=recognition_id,
        requested_by_id=actor.user_id,
        enrollment_ids=selection,
        candidate_filter=None if selection is not None else candidate_filter.to_plain(),
        except_ids=sorted(excepted) if excepted else None,
        created_at=now,
    )


async def export_chunks(*, export_id: int, now: datetime) -> AsyncIterator[str]:
    """The CSV text of an export, a chunk of rows at a time, read as the user who asked for it."""
    export = await CandidateExport.get(id=export_id)
    user = await User.get(id=export.requested_by_id)
    actor = Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)
    recognition = await recognition_for_certificates(
        actor=actor, recognition_id=export.recognition_id, now=now
    )
    yield BYTE_ORDER_MARK + _csv([HEADER])
    if export.enrollment_ids is not None:
        every_candidate = of_kinds(await candidates_query(recognition, CandidateFilter()), None)
        for start in range(0, len(export.enrollment_ids), CHUNK):
            chunk = export.enrollment_ids[start : start + CHUNK]
            found = {row.id: row for row in await by_name(every_candidate.filter(id__in=chunk), after=None)}
            yield _csv(await _rows([found[key] for key in chunk if key in found]))
    else:
        wanted = CandidateFilter.from_plain(export.candidate_filter or {})
        excepted = set(export.except_ids or ())
        query = of_kinds(await candidates_query(recognition, wanted), wanted.kind)
        last: tuple[str, int] | None = None
        while rows := await by_name(query, after=last).limit(CHUNK):
            if kept := [row for row in rows if row.id not in excepted]:
                yield _csv(await _rows(kept))
            last = (rows[-1].course_taker.sort_name, rows[-1].id)


async def _rows(enrollments: list[Enrollment]) -> list[list[str]]:
    programs = {p.id: p.name for p in await Program.filter(id__in={e.cohort.program_id for e in enrollments})}
    types = {
        t.id: t.name
        for t in await CertificateType.filter(id__in={e.certificate_type_id for e in enrollments})
    }
    codes = dict(
        await Certificate.filter(
            enrollment_id__in=[e.id for e in enrollments], status__in=CURRENT
        ).values_list("enrollment_id", "code")
    )
    return [
        [
            e.course_taker.name,
            e.course_taker.email,
            KIND_WORDS[kind_of(e)],
            programs[e.cohort.program_id],
            e.cohort.name,
            types[e.certificate_type_id],
            _day(completed_on(e)),
            f"{e.percent_complete:.2f}",
            str(e.modules_completed),
            str(e.modules_required),
            e.progress_synced_at.isoformat(timespec="minutes") if e.progress_synced_at else "",
            codes.get(e.id, ""),
        ]
        for e in enrollments
    ]


def _day(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows([[neutralised(cell) for cell in row] for row in rows])
    return buffer.getvalue()
