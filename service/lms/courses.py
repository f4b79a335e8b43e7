"""One Canvas course read into the partner's enrolments: its students (new ones become course-takers,
known by their Canvas id, else by email) and their progress, upserted in bulk in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from service.cohorts.models import Cohort, Program
from service.enrollments.models import CourseTaker, Enrollment
from service.lms import rules
from service.lms.canvas import CanvasClient, CanvasProgress, CanvasStudent
from service.text import bidi_controls_in, named, without_bidi_controls

PROGRESS_FIELDS = ("modules_completed", "modules_required", "percent_complete", "completed_at", "certified")


@dataclass(frozen=True)
class CourseResult:
    seen: int
    changed: int
    created: int
    warnings: list[dict[str, Any]] = field(default_factory=list)


async def sync_course(*, cohort: Cohort, canvas: CanvasClient, now: datetime) -> CourseResult:
    """One course: its students (new ones become course-takers) and their progress, in one transaction."""
    course_id = cohort.lms_course_id or ""
    students = await canvas.students(course_id)
    progress = await canvas.progress(course_id, [student.user_id for student in students])
    program = await Program.get(id=cohort.program_id)
    warnings: list[dict[str, Any]] = []
    async with in_transaction():
        takers = await _course_takers(cohort.partner_id, students, warnings)
        enrollments = {e.course_taker_id: e for e in await Enrollment.filter(cohort_id=cohort.id)}
        created: list[Enrollment] = []
        changed: list[Enrollment] = []
        seen: list[int] = []
        for student in students:
            taker, figures = takers.get(student.user_id), progress.get(student.user_id)
            if taker is None or figures is None:
                continue
            values = _values(figures, program)
            enrollment = enrollments.get(taker.id)
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
    return CourseResult(
        seen=len(seen) + len(created), changed=len(changed), created=len(created), warnings=warnings
    )


def _values(figures: CanvasProgress, program: Program) -> dict[str, Any]:
    progress = rules.progress_of(
        requirement_count=figures.requirement_count,
        requirement_completed_count=figures.requirement_completed_count,
        completed_at=figures.completed_at,
        certification_percent=program.certification_percent,
    )
    values: dict[str, Any] = {name: getattr(progress, name) for name in PROGRESS_FIELDS}
    values["certificate_type_id"] = program.certificate_type_id
    return values


def _name_of(student: CanvasStudent, warnings: list[dict[str, Any]]) -> str:
    """The student's name as stored: without bidi controls, which could spoof the order it reads in
    (on the certificate, the dashboard, the verification page); a warning says so when removed."""
    if controls := bidi_controls_in(student.name):
        warnings.append(
            {
                "userId": student.user_id,
                "message": f"Bidi control characters removed from the name of Canvas user {student.user_id}: "
                f"{named(controls)}.",
            }
        )
    return " ".join(without_bidi_controls(student.name).split())[:300]


async def _course_takers(
    partner_id: int, students: list[CanvasStudent], warnings: list[dict[str, Any]]
) -> dict[str, CourseTaker]:
    """The partner's course-takers for these Canvas users: known by Canvas id, else by email (and
    linked), else created, each with the locale Canvas has for them. A student Canvas gives no email
    for cannot be listed and is left out."""
    ids = [student.user_id for student in students]
    known = {t.lms_user_id: t for t in await CourseTaker.filter(partner_id=partner_id, lms_user_id__in=ids)}
    relocated = []
    for student in students:
        taker = known.get(student.user_id)
        if taker is not None and taker.locale != student.locale:
            taker.locale = student.locale
            relocated.append(taker)
    if relocated:
        await CourseTaker.bulk_update(relocated, fields=["locale"], batch_size=500)
    unknown = [student for student in students if student.user_id not in known and student.email]
    by_email = {
        t.email.lower(): t
        for t in await CourseTaker.filter(
            partner_id=partner_id, email__in=[student.email for student in unknown]
        )
    }
    linked, new = [], []
    for student in unknown:
        existing = by_email.get((student.email or "").lower())
        if existing is not None and existing.lms_user_id is None:
            existing.lms_user_id, existing.locale = student.user_id, student.locale
            linked.append(existing)
        elif existing is None:
            new.append(
                CourseTaker(
                    partner_id=partner_id,
                    name=_name_of(student, warnings) or student.email,
                    email=student.email,
                    lms_user_id=student.user_id,
                    locale=student.locale,
                )
            )
    if linked:
        await CourseTaker.bulk_update(linked, fields=["lms_user_id", "locale"], batch_size=500)
    if new:
        await CourseTaker.bulk_create(new, batch_size=500)
    if linked or new:
        known = {
            t.lms_user_id: t for t in await CourseTaker.filter(partner_id=partner_id, lms_user_id__in=ids)
        }
    return {user_id: taker for user_id, taker in known.items() if user_id is not None}
