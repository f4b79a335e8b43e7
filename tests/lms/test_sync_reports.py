"""What a partner and staff learn of the progress sync: when progress was last read, and a run
that read no course is not reported as a success."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.cohorts.models import Cohort
from service.enrollments.models import CourseTaker, Enrollment
from service.lms import services as lms
from tests.lms.conftest import QUICK
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.graphql_client import GraphQLClient

SYNCED = "{ viewer { partner { progressSyncedAt } } }"
RUNS = "{ progressSyncRuns { status courses } }"


async def test_a_partner_sees_when_its_progress_was_last_read(
    gql: GraphQLClient, world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given progress last read at 2026-09-19 04:00 UTC (the world's enrolments)
    before = await gql.data(SYNCED, as_user=world.admin)

    # when the sync reads Hal's course a day later
    clock.move(timedelta(days=1))
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    hal = await CourseTaker.get(id=world.enrollments["Hal Online-Approaching"].course_taker_id)
    await CourseTaker.filter(id=hal.id).update(lms_user_id="77")
    canvas.courses = {"555": [Student(77, hal.name, hal.email, 25, 12, None)]}
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
    await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)
    after = await gql.data(SYNCED, as_user=world.admin)

    # then
    assert before == {"viewer": {"partner": {"progressSyncedAt": "2026-09-19T04:00:00+00:00"}}}
    assert after == {"viewer": {"partner": {"progressSyncedAt": "2026-09-20T22:00:00+00:00"}}}


async def test_a_run_that_read_no_course_is_not_a_success(
    gql: GraphQLClient, world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given a partner on Canvas none of whose open cohorts has an LMS course id
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())

    # when
    await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)

    # then
    assert await gql.data(RUNS, as_user=world.staff) == {
        "progressSyncRuns": [{"status": "NO_COURSES", "courses": 0}]
    }


WARNINGS = "{ progressSyncRuns { status enrollmentsSeen warnings { courseId lmsUserId message } } }"


async def test_students_who_match_no_course_taker_are_counted_and_never_relinked_by_email(
    gql: GraphQLClient,
    world: CertificatesWorld,
    canvas: FakeCanvas,
    clock: MovableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given Hal and Jo linked to Canvas users 77 and 78, and Canvas now answering with other ids for
    # their emails (re-created accounts, or someone who set their email to theirs), and a student
    # without an email
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    hal = await CourseTaker.get(id=world.enrollments["Hal Online-Approaching"].course_taker_id)
    jo = await CourseTaker.get(id=world.enrollments["Jo Micro"].course_taker_id)
    await CourseTaker.filter(id=hal.id).update(lms_user_id="77")
    await CourseTaker.filter(id=jo.id).update(lms_user_id="78")
    canvas.courses = {
        "555": [
            Student(1077, hal.name, hal.email, 25, 25, "2026-09-18T10:00:00Z"),
            Student(1078, jo.name, jo.email, 6, 4, None),
            Student(1090, "No Email", None, 25, 3, None),
        ]
    }

    # when the sync runs
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
    with caplog.at_level("WARNING", logger="service.lms"):
        await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)

    # then nothing was read, the run says how many and why, and no one was re-linked
    relinked = "their email is that of a course-taker linked to Canvas user"
    again = "(a re-created Canvas account is re-linked by staff)"
    assert await gql.data(WARNINGS, as_user=world.staff) == {
        "progressSyncRuns": [
            {
                "status": "SUCCEEDED",
                "enrollmentsSeen": 0,
                "warnings": [
                    {
                        "courseId": "555",
                        "lmsUserId": None,
                        "message": "3 of 3 students of this course matched no course-taker; their progress "
                        "was not read.",
                    },
                    {
                        "courseId": "555",
                        "lmsUserId": "1077",
                        "message": f"Canvas user 1077 not read: {relinked} 77 {again}.",
                    },
                    {
                        "courseId": "555",
                        "lmsUserId": "1078",
                        "message": f"Canvas user 1078 not read: {relinked} 78 {again}.",
                    },
                    {
                        "courseId": "555",
                        "lmsUserId": "1090",
                        "message": "Canvas user 1090 not read: Canvas gives no email address for them.",
                    },
                ],
            }
        ]
    }
    assert [
        taker.lms_user_id for taker in await CourseTaker.filter(id__in=[hal.id, jo.id]).order_by("id")
    ] == [
        "77",
        "78",
    ]
    assert (await Enrollment.get(id=world.enrollments["Hal Online-Approaching"].id)).completed_at is None
    assert [record.getMessage() for record in caplog.records if record.name == "service.lms"] == [
        "course 555: 3 of 3 students matched no course-taker and were not read",
        f"progress sync {run.id}: 3 enrolments matched no course-taker",
    ]
