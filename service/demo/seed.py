"""`portal seed-demo`: two partners with programs, cohorts and a roster covering every eligibility case.

Idempotent: records are found by their natural keys and brought back to the demo values, so a
second run adds nothing. Dates are relative to ``today`` so the demo always has past, current
and future cohorts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from service.cohorts.models import CertificateType, Cohort, Program
from service.demo.branding import seed_riverside_template
from service.demo.names import roster_name
from service.enrollments.models import CourseTaker, Enrollment
from service.partners.models import Partner
from service.recognitions.models import (
    CeremonyFormat,
    EventKind,
    Recognition,
    RecognitionCohort,
    RecognitionEvent,
    RecognitionKind,
    StoredStatus,
)
from service.users.models import Role, User

ModelT = TypeVar("ModelT", bound=Model)

STAFF_EMAIL = "staff@recognition.example"
COURSE_TAKERS_PER_PARTNER = 200
CERTIFICATE_TYPES = {
    "ECI": "Certificate in Effective College Instruction",
    "EOI": "Certificate in Effective Online Instruction",
    "BELONGING": "Micro-credential in Fostering a Culture of Belonging",
}


@dataclass(frozen=True)
class DemoProgram:
    name: str
    certificate_type: str
    modules: int
    cohort_end_offsets: tuple[int, int, int]  # days from today


@dataclass(frozen=True)
class DemoPartner:
    slug: str
    name: str
    time_zone: str
    admin_email: str
    admin_name: str
    programs: tuple[DemoProgram, ...]


PARTNERS = (
    DemoPartner(
        "riverside",
        "Riverside State University",
        "America/Los_Angeles",
        "admin@riverside.example",
        "Dana Whitfield",
        (
            DemoProgram("Effective Teaching Practices", "ECI", 25, (-180, -60, 45)),
            DemoProgram("Effective Online Teaching Practices", "EOI", 25, (-150, -30, 90)),
        ),
    ),
    DemoPartner(
        "lakeshore",
        "Lakeshore Community College",
        "America/New_York",
        "admin@lakeshore.example",
        "Marcus Oyelaran",
        (
            DemoProgram("Effective Teaching Practices", "ECI", 25, (-120, -7, 135)),
            DemoProgram("Fostering a Culture of Belonging", "BELONGING", 6, (-90, 14, 180)),
        ),
    ),
)
COHORT_LENGTH_DAYS = 120
# A course closes for submissions this long after its end date.
SUBMISSION_GRACE_DAYS = 14


@dataclass(frozen=True)
class SeedCounts:
    partners: int
    users: int
    programs: int
    cohorts: int
    course_takers: int
    enrollments: int
    recognitions: int


async def seed_demo(*, today: date, progress: Callable[[int, int], None] | None = None) -> SeedCounts:
    """Create or refresh the demo data and return how many records of each kind exist; ``progress``
    hears (partners done, partners in all)."""
    async with in_transaction():
        types = {
            code: await _upsert(CertificateType, {"code": code}, name=name)
            for code, name in CERTIFICATE_TYPES.items()
        }
        await _upsert(User, {"email": STAFF_EMAIL}, name="Priya Raman", role=Role.STAFF, partner=None)
        for done, demo in enumerate(PARTNERS):
            if progress is not None:
                progress(done, len(PARTNERS))
            partner = await _upsert(Partner, {"slug": demo.slug}, name=demo.name, time_zone=demo.time_zone)
            admin = await _upsert(
                User,
                {"email": demo.admin_email},
                name=demo.admin_name,
                role=Role.PARTNER_ADMIN,
                partner=partner,
            )
            cohorts: list[tuple[Cohort, DemoProgram]] = []
            for demo_program in demo.programs:
                program = await _upsert(
                    Program,
                    {"partner": partner, "name": demo_program.name},
                    certificate_type=types[demo_program.certificate_type],
                )
                for letter, offset in zip("ABC", demo_program.cohort_end_offsets, strict=True):
                    cohort = await _upsert_cohort(
                        partner, program, letter, today + timedelta(days=offset), today
                    )
                    cohorts.append((cohort, demo_program))
            await _seed_roster(partner, cohorts, types, today)
            await _seed_recognitions(partner, admin, [cohort for cohort, _ in cohorts], today)
        if progress is not None:
            progress(len(PARTNERS), len(PARTNERS))
    # Riverside's certificates carry its logo and signatures (the README's picture is one).
    await seed_riverside_template(
        partner=await Partner.get(slug=PARTNERS[0].slug),
        staff=await User.get(email=STAFF_EMAIL),
        now=_at_midnight(today),
    )
    return SeedCounts(
        partners=await Partner.all().count(),
        users=await User.all().count(),
        programs=await Program.all().count(),
        cohorts=await Cohort.all().count(),
        course_takers=await CourseTaker.all().count(),
        enrollments=await Enrollment.all().count(),
        recognitions=await Recognition.all().count(),
    )


async def _upsert(model: type[ModelT], keys: dict[str, Any], **values: Any) -> ModelT:
    record, _ = await model.update_or_create(defaults=values, **keys)
    return record


async def _upsert_cohort(
    partner: Partner, program: Program, letter: str, ends_on: date, today: date
) -> Cohort:
    closes_on = ends_on + timedelta(days=SUBMISSION_GRACE_DAYS)
    return await _upsert(
        Cohort,
        {"program": program, "name": f"Cohort {letter}"},
        partner=partner,
        starts_on=ends_on - timedelta(days=COHORT_LENGTH_DAYS),
        ends_on=ends_on,
        closed_at=_at_midnight(closes_on) if closes_on < today else None,
        lms_course_id=f"{partner.slug}-{program.id}-{letter}",
    )


async def _seed_roster(
    partner: Partner,
    cohorts: list[tuple[Cohort, DemoProgram]],
    types: dict[str, CertificateType],
    today: date,
) -> None:
    takers = await _upsert_course_takers(partner)
    existing = {
        (enrollment.cohort_id, enrollment.course_taker_id): enrollment
        for enrollment in await Enrollment.filter(cohort_id__in=[cohort.id for cohort, _ in cohorts])
    }
    to_create: list[Enrollment] = []
    to_update: list[Enrollment] = []
    for index, taker in enumerate(takers):
        cohort, demo_program = cohorts[index % len(cohorts)]
        values = _progress(index // len(cohorts), cohort, demo_program, today)
        values["certificate_type_id"] = types[demo_program.certificate_type].id
        enrollment = existing.get((cohort.id, taker.id))
        if enrollment is None:
            to_create.append(Enrollment(cohort_id=cohort.id, course_taker_id=taker.id, **values))
        else:
            enrollment.update_from_dict(values)
            to_update.append(enrollment)
    await Enrollment.bulk_create(to_create)
    if to_update:
        await Enrollment.bulk_update(to_update, fields=list(values))


async def _upsert_course_takers(partner: Partner) -> list[CourseTaker]:
    wanted = [
        (f"learner{number:03d}@{partner.slug}.example", roster_name(number + partner.id * 7), str(number))
        for number in range(1, COURSE_TAKERS_PER_PARTNER + 1)
    ]
    existing = {taker.email: taker for taker in await CourseTaker.filter(partner=partner)}
    await CourseTaker.bulk_create(
        [
            CourseTaker(partner=partner, email=email, name=name, lms_user_id=f"{partner.slug}-{lms_id}")
            for email, name, lms_id in wanted
            if email not in existing
        ]
    )
    by_email = {taker.email: taker for taker in await CourseTaker.filter(partner=partner)}
    return [by_email[email] for email, _, _ in wanted]


def _progress(position: int, cohort: Cohort, program: DemoProgram, today: date) -> dict[str, Any]:
    """Progress for the position-th member of a cohort, cycling through every eligibility case.

    Closed course: certified completers, completers without certification, non-completers.
    Open course: a few early certified completers, some uncertified, most still in progress.
    """
    required = program.modules
    cases: tuple[str, ...] = ("certified", "certified", "uncertified", "unfinished")
    if cohort.closed_at is None:
        cases = ("certified", "uncertified", "unfinished", "unfinished", "unfinished")
    case = cases[position % len(cases)]
    finished_on = min(cohort.ends_on, today) - timedelta(days=position % 10)
    completed = required if case != "unfinished" else (position * 7) % required
    return {
        "modules_completed": completed,
        "modules_required": required,
        "percent_complete": (Decimal(100 * completed) / required).quantize(Decimal("0.01")),
        "completed_at": None if case == "unfinished" else _at_midnight(finished_on),
        "certified": case == "certified",
        "progress_synced_at": _at_midnight(today) + timedelta(hours=4),
    }


async def _seed_recognitions(partner: Partner, admin: User, cohorts: list[Cohort], today: date) -> None:
    """One recognition in each dashboard status, so the dashboard and certificates step have content."""
    by_end = sorted(cohorts, key=lambda cohort: cohort.ends_on)
    ended = [cohort for cohort in by_end if cohort.ends_on <= today]
    upcoming = [cohort for cohort in by_end if cohort.ends_on > today]
    demos: list[tuple[str, RecognitionKind, StoredStatus, list[Cohort], int | None]] = [
        # name, kind, stored status, cohorts, ceremony start in days from today
        (
            "Spring pinning ceremony",
            RecognitionKind.CEREMONY,
            StoredStatus.SCHEDULED_PINS_MAILED,
            ended[:2],
            -20,
        ),
        ("Summer pinning ceremony", RecognitionKind.CEREMONY, StoredStatus.SCHEDULED_PENDING, ended[2:], 30),
        ("Winter pinning ceremony (draft)", RecognitionKind.CEREMONY, StoredStatus.DRAFT, upcoming[:1], None),
        (
            "Certificates for this year's completers",
            RecognitionKind.CERTIFICATE_REQUEST,
            StoredStatus.CREATED,
            ended,
            None,
        ),
    ]
    for name, kind, status, selected, start_in_days in demos:
        if not selected or await Recognition.exists(partner=partner, name=name):
            continue
        created_at = _at_midnight(today - timedelta(days=45))
        ceremony: dict[str, Any] = {}
        if start_in_days is not None:
            ceremony = {
                "starts_at": _at_midnight(today + timedelta(days=start_in_days)) + timedelta(hours=23),
                "time_zone": partner.time_zone,
                "format": CeremonyFormat.IN_PERSON,
                "representative_requested": True,
                "contact_name": admin.name,
                "contact_email": admin.email,
                "contact_phone": "+1 555 0100",
                "address_line1": "1 University Avenue",
                "address_city": "Springfield",
                "address_postal_code": "12345",
                "address_country": "US",
                "submitted_at": created_at,
                "submitted_by_id": admin.id,
                "pins_mailed_at": created_at if status is StoredStatus.SCHEDULED_PINS_MAILED else None,
            }
        recognition = await Recognition.create(
            partner=partner,
            kind=kind,
            name=name,
            status=status,
            created_by=admin,
            created_at=created_at,
            updated_at=created_at,
            range_start=selected[0].ends_on,
            range_end=selected[-1].ends_on,
            finalized_at=created_at if status is StoredStatus.CREATED else None,
            **ceremony,
        )
        await RecognitionCohort.bulk_create(
            [RecognitionCohort(recognition=recognition, cohort=cohort) for cohort in selected]
        )
        await RecognitionEvent.create(
            recognition=recognition,
            kind=EventKind.CREATED,
            actor=admin,
            at=created_at,
            changes={"name": name, "seeded": True},
        )


def _at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
