"""A recognition with enrolments in every eligibility case, for the certificates-step tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from strawberry.relay import to_base64

from service.cohorts.models import CertificateType, Cohort, Program
from service.enrollments.models import CourseTaker, Enrollment
from service.partners.models import Partner
from service.recognitions.models import Recognition, RecognitionCohort, RecognitionKind, StoredStatus
from service.users.models import User
from tests.support.factories import make_admin, make_certificate_type, make_partner, make_staff

_numbers = itertools.count(1)
SYNCED_AT = datetime(2026, 9, 19, 4, 0, tzinfo=UTC)


@dataclass
class CertificatesWorld:
    partner: Partner
    admin: User
    other_admin: User
    staff: User
    teaching: Program
    online: Program
    open_cohort: Cohort
    closed_cohort: Cohort
    online_cohort: Cohort
    micro: CertificateType
    recognition: Recognition
    enrollments: dict[str, Enrollment] = field(default_factory=dict)

    @property
    def recognition_id(self) -> str:
        kind = "Ceremony" if self.recognition.kind is RecognitionKind.CEREMONY else "CertificateRequest"
        return to_base64(kind, self.recognition.id)


async def enroll(
    partner: Partner,
    cohort: Cohort,
    name: str,
    *,
    completed: bool,
    certified: bool,
    modules: int = 25,
    done: int | None = None,
    certificate_type: CertificateType | None = None,
) -> Enrollment:
    taker = await CourseTaker.create(partner=partner, name=name, email=f"learner{next(_numbers)}@example.org")
    done = modules if completed else (done if done is not None else 10)
    return await Enrollment.create(
        course_taker=taker,
        cohort=cohort,
        modules_required=modules,
        modules_completed=done,
        percent_complete=(Decimal(100 * done) / modules).quantize(Decimal("0.01")),
        completed_at=datetime(2026, 8, 20, tzinfo=UTC) if completed else None,
        certified=certified,
        certificate_type_id=(
            certificate_type.id if certificate_type else (await cohort.program).certificate_type_id
        ),
        progress_synced_at=SYNCED_AT,
    )


async def make_certificates_world(
    *, status: StoredStatus = StoredStatus.SCHEDULED_PENDING
) -> CertificatesWorld:
    partner = await make_partner("Riverside")
    other = await make_partner("Lakeshore")
    admin = await make_admin(partner)
    teaching_type = await make_certificate_type("Certificate in Effective College Instruction")
    online_type = await make_certificate_type("Certificate in Effective Online Instruction")
    micro = await make_certificate_type("Micro-credential in Belonging")
    teaching = await Program.create(
        partner=partner, name="Effective Teaching Practices", certificate_type=teaching_type
    )
    online = await Program.create(
        partner=partner, name="Effective Online Teaching", certificate_type=online_type
    )
    open_cohort = await Cohort.create(
        partner=partner, program=teaching, name="Open", starts_on=date(2026, 5, 1), ends_on=date(2026, 9, 10)
    )
    closed_cohort = await Cohort.create(
        partner=partner,
        program=teaching,
        name="Closed",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 7, 1),
        closed_at=datetime(2026, 7, 15, tzinfo=UTC),
    )
    online_cohort = await Cohort.create(
        partner=partner, program=online, name="Online", starts_on=date(2026, 5, 1), ends_on=date(2026, 8, 30)
    )
    unselected = await Cohort.create(
        partner=partner,
        program=online,
        name="Not selected",
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 8, 29),
    )
    recognition = await Recognition.create(
        partner=partner,
        kind=RecognitionKind.CEREMONY,
        name="Autumn ceremony",
        status=status,
        range_start=date(2026, 6, 1),
        range_end=date(2026, 9, 30),
        created_by=admin,
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
        updated_at=datetime(2026, 9, 1, tzinfo=UTC),
        starts_at=datetime(2026, 10, 20, 18, 0, tzinfo=UTC),
        time_zone="America/Chicago",
    )
    for cohort in (open_cohort, closed_cohort, online_cohort):
        await RecognitionCohort.create(recognition=recognition, cohort=cohort)
    world = CertificatesWorld(
        partner=partner,
        admin=admin,
        other_admin=await make_admin(other),
        staff=await make_staff(),
        teaching=teaching,
        online=online,
        open_cohort=open_cohort,
        closed_cohort=closed_cohort,
        online_cohort=online_cohort,
        micro=micro,
        recognition=recognition,
    )
    cases = {
        # name: cohort, completed, certified -> listed as
        "Ana Completer": (open_cohort, True, True),  # COMPLETER
        "Bea Uncertified": (open_cohort, True, False),  # not listed
        "Cai Approaching": (open_cohort, False, False),  # APPROACHING
        "Dov Closed-Completer": (closed_cohort, True, True),  # COMPLETER
        "Eli Closed-Uncertified": (closed_cohort, True, False),  # not listed
        "Fay Closed-Unfinished": (closed_cohort, False, False),  # not listed
        "Gus Online-Completer": (online_cohort, True, True),  # COMPLETER
        "Hal Online-Approaching": (online_cohort, False, False),  # APPROACHING
        "Ida Unselected": (unselected, True, True),  # not in the recognition
    }
    for name, (cohort, completed, certified) in cases.items():
        world.enrollments[name] = await enroll(
            partner, cohort, name, completed=completed, certified=certified
        )
    world.enrollments["Jo Micro"] = await enroll(
        partner,
        online_cohort,
        "Jo Micro",
        completed=False,
        certified=False,
        modules=6,
        done=3,
        certificate_type=micro,
    )
    return world


async def world_with_online_completers(count: int) -> CertificatesWorld:
    """The certificates world and ``count`` certified completers of its online cohort, "Zoe 00" on."""
    world = await make_certificates_world()
    for number in range(count):
        name = f"Zoe {number:02d}"
        world.enrollments[name] = await enroll(
            world.partner, world.online_cohort, name, completed=True, certified=True
        )
    return world
