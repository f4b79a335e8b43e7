"""Canvas may list one student more than once in a course (an enrolment per section, or a list that
moved while its pages were read): the sync reads each once, with the furthest progress listed for
them, and says so. And students matched by email are matched as people type emails, in any case."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from service.cohorts.models import Cohort
from service.enrollments.models import CourseTaker, Enrollment
from service.lms import services as lms
from service.lms.canvas import CanvasProgress
from service.lms.rules import furthest
from tests.lms.conftest import QUICK
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.graphql_client import GraphQLClient

DONE = "2026-09-01T12:00:00Z"
RUN = """{ progressSyncRuns(first: 1) {
  status enrollmentsSeen enrollmentsChanged enrollmentsCreated warnings { courseId lmsUserId message }
} }"""
TWICE = " more than once in this course: read once, with the furthest progress listed for them."


def _reading(done: int, completed_at: datetime | None) -> CanvasProgress:
    return CanvasProgress(requirement_count=10, requirement_completed_count=done, completed_at=completed_at)


EARLY = datetime(2026, 9, 1, tzinfo=UTC)
LATE = datetime(2026, 9, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (_reading(3, None), _reading(10, EARLY), "second"),  # a completion wins
        (_reading(10, None), _reading(8, EARLY), "second"),  # ...even over more requirements
        (_reading(8, EARLY), _reading(10, LATE), "second"),  # then the most requirements completed
        (_reading(10, LATE), _reading(10, EARLY), "second"),  # then the earlier completion
        (_reading(4, None), _reading(3, None), "first"),
        (_reading(4, None), _reading(4, None), "first"),  # alike: the first
    ],
)
def test_the_furthest_of_two_readings_of_one_student(
    first: CanvasProgress, second: CanvasProgress, expected: str
) -> None:
    assert furthest(first, second) is {"first": first, "second": second}[expected]


async def _sync(gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock) -> dict[str, Any]:
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
    await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)
    data = await gql.data(RUN, as_user=world.staff)
    last: dict[str, Any] = data["progressSyncRuns"][0]
    return last


async def test_a_student_listed_twice_is_read_once_with_their_furthest_progress(
    gql: GraphQLClient,
    world: CertificatesWorld,
    canvas: FakeCanvas,
    clock: MovableClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given Canvas listing, two to a page: Ria (new here) on the first page at 3 of 10 and again on the
    # second, completed (her list moved between the pages), and Hal (known) in two sections
    monkeypatch.setattr("service.lms.canvas.PAGE_SIZE", 2)
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    hal = await CourseTaker.get(id=world.enrollments["Hal Online-Approaching"].course_taker_id)
    await CourseTaker.filter(id=hal.id).update(lms_user_id="77")
    canvas.courses = {
        "555": [
            Student(91, "Ria Novak", "ria.novak@x.example", 10, 3, None),
            Student(77, hal.name, hal.email, 25, 12, None),
            Student(91, "Ria Novak", "ria.novak@x.example", 10, 10, DONE),
            Student(77, hal.name, hal.email, 25, 12, None),
        ]
    }

    # when the sync reads the course
    run = await _sync(gql, world, clock)

    # then each is read once: Ria a new course-taker who completed, Hal's progress moved once
    assert run == {
        "status": "SUCCEEDED",
        "enrollmentsSeen": 2,
        "enrollmentsChanged": 1,
        "enrollmentsCreated": 1,
        "warnings": [
            {"courseId": "555", "lmsUserId": "91", "message": f"Canvas lists Canvas user 91{TWICE}"},
            {"courseId": "555", "lmsUserId": "77", "message": f"Canvas lists Canvas user 77{TWICE}"},
        ],
    }
    [ria] = await CourseTaker.filter(email="ria.novak@x.example")
    [enrollment] = await Enrollment.filter(course_taker_id=ria.id)
    assert (
        ria.lms_user_id,
        enrollment.cohort_id,
        enrollment.modules_completed,
        enrollment.percent_complete,
        enrollment.completed_at,
        enrollment.certified,
    ) == ("91", world.online_cohort.id, 10, Decimal("100.00"), datetime(2026, 9, 1, 12, tzinfo=UTC), True)
    assert await Enrollment.filter(course_taker_id=hal.id).values_list("modules_completed") == [(12,)]


async def test_two_new_students_with_one_email_make_one_course_taker(
    gql: GraphQLClient, world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given two Canvas users of a course, new here, with one email (a shared address, a second account)
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    canvas.courses = {
        "555": [
            Student(95, "Kim Twin", "twins@x.example", 10, 4, None),
            Student(96, "Lee Twin", "twins@x.example", 10, 6, None),
        ]
    }

    # when the sync reads the course
    run = await _sync(gql, world, clock)

    # then the first is read and the second is not, and the run says why
    assert run == {
        "status": "SUCCEEDED",
        "enrollmentsSeen": 1,
        "enrollmentsChanged": 0,
        "enrollmentsCreated": 1,
        "warnings": [
            {
                "courseId": "555",
                "lmsUserId": None,
                "message": "1 of 2 students of this course matched no course-taker; their progress was not "
                "read.",
            },
            {
                "courseId": "555",
                "lmsUserId": "96",
                "message": "Canvas user 96 not read: their email is that of Canvas user 95, another student "
                "of this course.",
            },
        ],
    }
    assert await CourseTaker.filter(email="twins@x.example").values_list("name", "lms_user_id") == [
        ("Kim Twin", "95")
    ]


async def test_a_course_taker_known_by_email_is_found_in_any_case(
    gql: GraphQLClient, world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given a course-taker known by email only, as someone typed it, and Canvas giving it in lower case
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    known = await CourseTaker.create(partner=world.partner, name="Mia Known", email="Mia.Known@Example.org")
    canvas.courses = {"555": [Student(97, "Mia Known", "mia.known@example.org", 10, 5, None)]}

    # when the sync reads the course
    run = await _sync(gql, world, clock)

    # then that course-taker is linked to the Canvas user and enrolled, and no other is made
    assert (run["status"], run["enrollmentsCreated"], run["warnings"]) == ("SUCCEEDED", 1, [])
    assert await CourseTaker.filter(email__iexact="mia.known@example.org").values_list(
        "id", "email", "lms_user_id"
    ) == [(known.id, "Mia.Known@Example.org", "97")]
    assert await Enrollment.filter(course_taker_id=known.id).values_list("modules_completed") == [(5,)]
