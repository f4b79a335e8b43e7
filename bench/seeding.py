"""Data the benchmarks share: a partner with many completers and a certificate request for them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from service.cohorts.models import CertificateType, Cohort, Program
from service.enrollments.models import CourseTaker, Enrollment
from service.partners.models import Partner
from service.recognitions.models import Recognition, RecognitionCohort, RecognitionKind, StoredStatus
from service.users.actor import Actor
from service.users.models import Role, User

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
    ids = list(await Enrollment.all().order_by("id").values_list("id", flat=True))
    return Actor(user_id=admin.id, role=admin.role, partner_id=partner.id), recognition.id, ids
