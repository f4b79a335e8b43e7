"""Data the benchmarks share: a partner with many completers and a certificate request for them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from strawberry.relay import to_base64

from service.cohorts.models import CertificateType, Cohort, Program
from service.enrollments.models import CourseTaker, Enrollment
from service.partners.models import Partner
from service.recognitions.models import Recognition, RecognitionCohort, RecognitionKind, StoredStatus
from service.users.actor import Actor
from service.users.models import Role, User
from service.users.tokens import issue_token

NAMES = [
    "Siobhán Ní Dhomhnaill",
    "Łukasz Wiśniewski",
    "Nguyễn Thị Minh Khai",
    "Ayşe Yılmaz",
    "Jean-Luc Picard",
]


async def seed_completers(count: int) -> tuple[Actor, int, list[int]]:
    """A partner, its admin, one program and cohort with ``count`` certified completers, and a
    certificate request over it: the admin, the request's id and the enrolment ids in order."""
    now = datetime.now(UTC)
    partner = await Partner.create(name="Riverside State University", slug="riverside", time_zone="UTC")
    admin = await User.create(email="a@example.org", name="Admin", role=Role.PARTNER_ADMIN, partner=partner)
    kind = await CertificateType.create(code="ECI", name="Certificate in Effective College Instruction")
    program = await Program.create(
        partner=partner, name="Effective Teaching Practices", certificate_type=kind
    )
    cohort = await Cohort.create(
        partner=partner,
        program=program,
        name="Cohort A",
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 8, 1),
    )
    await CourseTaker.bulk_create(
        [
            CourseTaker(partner=partner, name=f"{NAMES[n % len(NAMES)]} {n}", email=f"l{n}@example.org")
            for n in range(count)
        ],
        batch_size=1000,
    )
    takers = await CourseTaker.filter(partner=partner).order_by("id").values_list("id", flat=True)
    await Enrollment.bulk_create(
        [
            Enrollment(
                course_taker_id=taker,
                cohort=cohort,
                modules_required=25,
                modules_completed=25,
                percent_complete=Decimal(100),
                completed_at=datetime(2026, 8, 20, tzinfo=UTC),
                certified=True,
                certificate_type=kind,
            )
            for taker in takers
        ],
        batch_size=1000,
    )
    recognition = await Recognition.create(
        partner=partner,
        kind=RecognitionKind.CERTIFICATE_REQUEST,
        name="Bench",
        status=StoredStatus.CREATED,
        range_start=date(2026, 8, 1),
        range_end=date(2026, 8, 31),
        created_by=admin,
        created_at=now,
        updated_at=now,
    )
    await RecognitionCohort.create(recognition=recognition, cohort=cohort)
    ids = [enrollment.id for enrollment in await Enrollment.all().order_by("id").only("id")]
    return Actor(user_id=admin.id, role=admin.role, partner_id=partner.id), recognition.id, ids


async def seed_dashboard(secret: str, recognitions: int = 50, course_takers: int = 5000) -> tuple[str, str]:
    """One partner with 4 programs of 5 cohorts, the course-takers spread over them, and the
    recognitions over the cohorts; the admin's token and a certificate request's global id."""
    now = datetime.now(UTC)
    partner = await Partner.create(name="Riverside State University", slug="riverside", time_zone="UTC")
    admin = await User.create(
        email="admin@riverside.example", name="Dana", role=Role.PARTNER_ADMIN, partner=partner
    )
    cohorts = []
    for number in range(4):
        kind = await CertificateType.create(code=f"T{number}", name=f"Certificate in Practice {number}")
        program = await Program.create(partner=partner, name=f"Program {number}", certificate_type=kind)
        for letter in range(5):
            cohorts.append(
                await Cohort.create(
                    partner=partner,
                    program=program,
                    name=f"Cohort {'ABCDE'[letter]}",
                    starts_on=date(2026, 1, 1) + timedelta(days=30 * letter),
                    ends_on=date(2026, 6, 1) + timedelta(days=30 * letter),
                )
            )
    await CourseTaker.bulk_create(
        [
            CourseTaker(partner=partner, name=f"Learner {n:05d}", email=f"l{n}@example.org")
            for n in range(course_takers)
        ],
        batch_size=1000,
    )
    takers = list(await CourseTaker.filter(partner=partner).order_by("id").values_list("id", flat=True))
    programs = {p.id: p for p in await Program.all()}
    enrollments = []
    for index, taker in enumerate(takers):
        cohort = cohorts[index % len(cohorts)]
        done = index % 3 == 0
        enrollments.append(
            Enrollment(
                course_taker_id=taker,
                cohort_id=cohort.id,
                modules_required=20,
                modules_completed=20 if done else index % 20,
                percent_complete=Decimal(100 if done else (index % 20) * 5),
                completed_at=now if done else None,
                certified=done,
                certificate_type_id=programs[cohort.program_id].certificate_type_id,
            )
        )
    await Enrollment.bulk_create(enrollments, batch_size=1000)
    request_id = 0
    for number in range(recognitions):
        recognition = await Recognition.create(
            partner=partner,
            kind=RecognitionKind.CERTIFICATE_REQUEST if number % 2 else RecognitionKind.CEREMONY,
            name=f"Recognition {number}",
            status=StoredStatus.CREATED if number % 2 else StoredStatus.DRAFT,
            range_start=date(2026, 1, 1),
            range_end=date(2026, 12, 31),
            created_by=admin,
            created_at=now - timedelta(minutes=number),
            updated_at=now,
        )
        for offset in range(4):
            await RecognitionCohort.create(
                recognition=recognition, cohort=cohorts[(number + offset * 5) % len(cohorts)]
            )
        if number % 2:
            request_id = recognition.id
    token = issue_token(admin, secret=secret, lifetime=timedelta(days=1))
    return token, to_base64("CertificateRequest", request_id)
