"""One Canvas course read into the partner's enrolments: its students (new ones become course-takers,
known by their Canvas id, else by email; each with the name and locale Canvas has for them now:
service.lms.names) and their progress, upserted in bulk in one transaction.

A student who matches no course-taker is not read, and the run says so (a warning each, a count per
course, and the log): Canvas gave no email for them, gave no progress, or their email is that of a
course-taker linked to another Canvas user. That last one is never re-linked by email: a Canvas
account's email may be changed by its user, so re-linking would let anyone take over another
person's record (their enrolments and certificates). A re-created account is re-linked by staff,
who clear the old link once they have checked it (docs/api.md, "Progress from Canvas").

Canvas may list a student more than once (an enrolment per section, or a list that moved while its
pages were read): each is read once, with the furthest progress listed for them (``rules.furthest``),
and the run says so. Emails are matched without regard to case, as people type them.

A completion certified with a valid certificate issued for it is decided: a later read that no longer
reports it (or reports it on another day) does not take it back, and the run says so
(``rules.completion_kept``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.functions import Lower
from tortoise.transactions import in_transaction

from service.certificates.models import Certificate, CertificateStatus
from service.certificates.rules import completion_date
from service.cohorts.models import Cohort, Program
from service.dates import written_day
from service.enrollments.models import CourseTaker, Enrollment
from service.lms import rules
from service.lms.canvas import CanvasClient, CanvasProgress, CanvasStudent
from service.lms.names import NAME_FIELDS, NameNews, report_names, take_name
from service.partners.models import Partner

PROGRESS_FIELDS = ("modules_completed", "modules_required", "percent_complete", "completed_at", "certified")
NO_EMAIL = "Canvas gives no email address for them"
NO_PROGRESS = "Canvas gave no progress for them"

logger = logging.getLogger("service.lms")


@dataclass(frozen=True)
class CourseResult:
    seen: int
    changed: int
    created: int
    warnings: list[dict[str, Any]] = field(default_factory=list)
    unmatched: int = 0
    """Students of the course not read: they matched no course-taker (the warnings say why)."""
    renamed: int = 0
    """Course-takers whose name changed to the one Canvas has now."""


async def sync_course(*, cohort: Cohort, canvas: CanvasClient, now: datetime) -> CourseResult:
    """One course: its students (new ones become course-takers) and their progress, in one transaction."""
    course_id = cohort.lms_course_id or ""
    students, repeated = _once_each(await canvas.students(course_id))
    progress = await canvas.progress(course_id, [student.user_id for student in students])
    program = await Program.get(id=cohort.program_id)
    warnings: list[dict[str, Any]] = []
    unmatched: dict[str, str] = {}  # Canvas user id: why they were not read
    names = NameNews()
    async with in_transaction():
        takers = await _course_takers(cohort.partner_id, students, names, unmatched)
        enrollments = {e.course_taker_id: e for e in await Enrollment.filter(cohort_id=cohort.id)}
        decided = await _decided_completions(cohort.id)
        overruled: list[Overruled] = []
        created: list[Enrollment] = []
        changed: list[Enrollment] = []
        seen: list[int] = []
        for student in students:
            taker, figures = takers.get(student.user_id), progress.get(student.user_id)
            if taker is None or figures is None:
                unmatched.setdefault(student.user_id, NO_PROGRESS if taker is not None else NO_EMAIL)
                continue
            read = _progress(figures, program)
            enrollment = enrollments.get(taker.id)
            if enrollment is not None and enrollment.id in decided:
                kept = rules.completion_kept(
                    read, completed_at=enrollment.completed_at, certified=enrollment.certified
                )
                if kept != read:
                    overruled.append(Overruled(student.user_id, enrollment, read, decided[enrollment.id]))
                read = kept
            values = _values(read, program)
            if enrollment is None:
                created.append(
                    Enrollment(
                        course_taker_id=taker.id, cohort_id=cohort.id, progress_synced_at=now, **values
                    )
                )
                continue
            seen.append(enrollment.id)
            if any(getattr(enrollment, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(enrollment, name, value)
                changed.append(enrollment)
        if created:
            await Enrollment.bulk_create(created, batch_size=500)
        if changed:
            await Enrollment.bulk_update(
                changed, fields=[*PROGRESS_FIELDS, "certificate_type_id"], batch_size=500
            )
        for start in range(0, len(seen), 500):
            await Enrollment.filter(id__in=seen[start : start + 500]).update(progress_synced_at=now)
    warnings += await report_names(names, course_id=course_id, cohort_id=cohort.id)
    warnings += await _overruled_warnings(overruled, cohort=cohort, course_id=course_id)
    warnings += _unmatched_warnings(unmatched, len(students))
    warnings += rules.named_warnings(
        repeated,
        "Canvas lists Canvas user ",
        " more than once in this course: read once, with the furthest progress listed for them.",
        "more Canvas users listed more than once in this course: each read once.",
    )
    if repeated:
        logger.info(
            "course %s: Canvas listed %s students more than once; each read once", course_id, len(repeated)
        )
    if unmatched:
        logger.warning(
            "course %s: %s of %s students matched no course-taker and were not read",
            course_id,
            len(unmatched),
            len(students),
        )
    return CourseResult(
        seen=len(seen) + len(created),
        changed=len(changed),
        created=len(created),
        warnings=warnings,
        unmatched=len(unmatched),
        renamed=len(names.renamed),
    )


def _once_each(listed: list[CanvasStudent]) -> tuple[list[CanvasStudent], list[str]]:
    """Each Canvas user once, as first listed; and the Canvas users listed more than once."""
    students: dict[str, CanvasStudent] = {}
    repeated: dict[str, None] = {}
    for student in listed:
        if student.user_id in students:
            repeated[student.user_id] = None
        else:
            students[student.user_id] = student
    return list(students.values()), list(repeated)


def _unmatched_warnings(unmatched: dict[str, str], students: int) -> list[dict[str, Any]]:
    """One warning for the course (how many, of how many), then one per student and reason up to
    ``rules.NAMED``, then how many more for that reason."""
    if not unmatched:
        return []
    warnings: list[dict[str, Any]] = [
        {
            "userId": None,
            "message": f"{len(unmatched)} of {students} students of this course matched no course-taker; "
            "their progress was not read.",
        }
    ]
    by_reason: dict[str, list[str]] = {}
    for user_id, why in unmatched.items():
        by_reason.setdefault(why, []).append(user_id)
    for why, user_ids in by_reason.items():
        warnings += rules.named_warnings(
            user_ids, "Canvas user ", f" not read: {why}.", f"more not read: {why}."
        )
    return warnings


@dataclass(frozen=True)
class Overruled:
    """A student whose completion, certified with a valid certificate, Canvas's read did not confirm:
    kept (``rules.completion_kept``), and said in the run's warnings."""

    user_id: str
    enrollment: Enrollment
    read: rules.Progress
    code: str


async def _decided_completions(cohort_id: int) -> dict[int, str]:
    """The code of each valid certificate of the cohort's enrolments, by enrolment: their completion
    is decided (``rules.completion_kept``)."""
    rows = await Certificate.filter(
        enrollment__cohort_id=cohort_id, status=CertificateStatus.VALID
    ).values_list("enrollment_id", "code")
    return {enrollment_id: code for enrollment_id, code in rows}


async def _overruled_warnings(
    overruled: list[Overruled], *, cohort: Cohort, course_id: str
) -> list[dict[str, Any]]:
    """A warning for each student whose certified completion Canvas no longer reports (or reports on
    another day): it stands, and why; staff revoke the certificate if it was a mistake."""
    if not overruled:
        return []
    partner = await Partner.get(id=cohort.partner_id).only("id", "time_zone")
    warnings: list[dict[str, Any]] = []
    for entry in overruled:
        recorded_at = entry.enrollment.completed_at
        assert recorded_at is not None, "only a recorded completion is kept"
        recorded = written_day(completion_date(recorded_at, partner.time_zone))
        stands = (
            f"the completion of {recorded} stands, because certificate {entry.code} was issued valid for it"
        )
        if entry.read.completed_at is None or not entry.read.certified:
            message = (
                f"Canvas no longer reports Canvas user {entry.user_id} as having completed this course with "
                f"certification; {stands}. If that completion was a mistake, staff revoke the certificate."
            )
        else:
            day = completion_date(entry.read.completed_at, partner.time_zone)
            if written_day(day) == recorded:
                continue  # another instant of the same day: nothing anyone sees changes
            message = (
                f"Canvas now reports that Canvas user {entry.user_id} completed this course on "
                f"{written_day(day)}; {stands}."
            )
        warnings.append({"userId": entry.user_id, "message": message})
    if warnings:
        logger.info(
            "course %s: kept the certified completions of Canvas users %s (valid certificates issued)",
            course_id,
            ", ".join(warning["userId"] for warning in warnings),
        )
    return warnings


def _progress(figures: CanvasProgress, program: Program) -> rules.Progress:
    return rules.progress_of(
        requirement_count=figures.requirement_count,
        requirement_completed_count=figures.requirement_completed_count,
        completed_at=figures.completed_at,
        certification_percent=program.certification_percent,
    )


def _values(progress: rules.Progress, program: Program) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(progress, name) for name in PROGRESS_FIELDS}
    values["certificate_type_id"] = program.certificate_type_id
    return values


async def _course_takers(
    partner_id: int,
    students: list[CanvasStudent],
    names: NameNews,
    unmatched: dict[str, str],
) -> dict[str, CourseTaker]:
    """The partner's course-takers for these Canvas users: known by Canvas id, else by email (and
    linked, when that course-taker has no Canvas user yet), else created, each with the name and
    locale Canvas has for them now. A student left out is put in ``unmatched`` with the reason."""
    ids = [student.user_id for student in students]
    known = {t.lms_user_id: t for t in await CourseTaker.filter(partner_id=partner_id, lms_user_id__in=ids)}
    updated: dict[int, CourseTaker] = {}
    for student in students:
        taker = known.get(student.user_id)
        if taker is None:
            continue
        if taker.locale != student.locale:
            taker.locale = student.locale
            updated[taker.id] = taker
        take_name(student, taker, names)
        if student.user_id in names.renamed:
            updated[taker.id] = taker
    unknown = [student for student in students if student.user_id not in known and student.email]
    by_email: dict[str, CourseTaker | str] = {
        t.email.lower(): t
        for t in await CourseTaker.annotate(email_key=Lower("email")).filter(
            partner_id=partner_id, email_key__in=list({(s.email or "").lower() for s in unknown})
        )
    }
    linked, new = [], []
    for student in unknown:
        email = (student.email or "").lower()
        existing = by_email.get(email)
        if isinstance(existing, str):
            # Two Canvas users of the course with one email, neither known here: the first is read.
            unmatched[student.user_id] = (
                f"their email is that of Canvas user {existing}, another student of this course"
            )
        elif existing is not None and existing.lms_user_id is None:
            # Linked to this Canvas user from now on: its name is Canvas's too.
            existing.lms_user_id, existing.locale = student.user_id, student.locale
            take_name(student, existing, names)
            updated[existing.id] = existing
            linked.append(existing)
        elif existing is not None:
            # Never re-linked by email (see the module's docstring): staff decide.
            unmatched[student.user_id] = (
                f"their email is that of a course-taker linked to Canvas user {existing.lms_user_id} "
                "(a re-created Canvas account is re-linked by staff)"
            )
        else:
            by_email[email] = student.user_id
            new.append(
                CourseTaker(
                    partner_id=partner_id,
                    name=take_name(student, None, names),
                    email=student.email,
                    lms_user_id=student.user_id,
                    locale=student.locale,
                )
            )
    if updated:
        fields = ["lms_user_id", "locale", *NAME_FIELDS]
        await CourseTaker.bulk_update(list(updated.values()), fields=fields, batch_size=500)
    if new:
        await CourseTaker.bulk_create(new, batch_size=500)
    if linked or new:
        known = {
            t.lms_user_id: t for t in await CourseTaker.filter(partner_id=partner_id, lms_user_id__in=ids)
        }
    return {user_id: taker for user_id, taker in known.items() if user_id is not None}
