"""What goes wrong between the sync and Canvas: each course fails with what it was and the others are
read (nothing half-read is written), a student who left mid-read is left out, only a database out of
reach stops a run, and a long course keeps its run's lease. Our real client against a Canvas-speaking
server on loopback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette
from tortoise.exceptions import DBConnectionError, IntegrityError

from service.cohorts.models import Cohort
from service.enrollments.models import CourseTaker, Enrollment
from service.lms import courses
from service.lms import services as lms
from service.lms import sync as lms_sync
from service.lms.models import ProgressSyncRun, SyncStatus
from service.partners.models import Partner
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.live_server import serving

TOKEN = "canvas-test-token"
QUICK = lms.CanvasAccess(pause=0.001, token_of=lambda variable: TOKEN if variable == "CANVAS_TOKEN" else None)


@pytest.fixture
async def world(app: Starlette) -> CertificatesWorld:
    world = await make_certificates_world()
    await Cohort.filter(id=world.open_cohort.id).update(lms_course_id="554")
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    return world


@pytest.fixture
async def canvas(world: CertificatesWorld) -> AsyncIterator[FakeCanvas]:
    fake = FakeCanvas(token=TOKEN)
    fake.courses = {"554": _students(100, 5), "555": _students(200, 2)}
    async with serving(fake.app()) as url:
        await Partner.filter(id=world.partner.id).update(
            canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN"
        )
        yield fake


def _students(first_id: int, count: int) -> list[Student]:
    return [
        Student(user_id, f"Learner {user_id}", f"learner{user_id}@x.example", 10, 4)
        for user_id in range(first_id, first_id + count)
    ]


async def _sync(world: CertificatesWorld, clock: MovableClock) -> ProgressSyncRun:
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
    finished = await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)
    assert finished is not None
    return finished


def _outcome(run: ProgressSyncRun) -> tuple[Any, ...]:
    return run.status, run.courses, run.courses_failed, run.enrollments_created, run.errors


async def _read_from_canvas() -> list[str]:
    """The Canvas users who are course-takers now (the world's have none)."""
    rows = await CourseTaker.filter(lms_user_id__isnull=False).order_by("id").values_list("lms_user_id")
    return [user_id for (user_id,) in rows]


async def test_a_page_a_proxy_answered_fails_its_course_and_the_others_are_read(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given course 554 read two students a page, its second page answered by a maintenance page (200)
    monkeypatch.setattr("service.lms.canvas.PAGE_SIZE", 2)
    canvas.html_pages = {"554": 2}

    # when
    run = await _sync(world, clock)

    # then 554 failed saying what came back, nothing of it was written, and 555 was read
    assert _outcome(run) == (
        SyncStatus.PARTLY_FAILED,
        2,
        1,
        2,
        [
            {
                "cohortId": world.open_cohort.id,
                "courseId": "554",
                "message": "Canvas answered /api/v1/courses/554/enrollments with something other than the "
                "JSON it documents (text/html); try again later.",
            }
        ],
    )
    assert await _read_from_canvas() == ["200", "201"]


async def test_a_canvas_that_moved_is_not_followed_and_says_where_it_went(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given a Canvas that now answers every request with a redirect to another address
    canvas.moved_to = "https://canvas.moved.example"

    # when
    run = await _sync(world, clock)

    # then each course failed saying where Canvas went, and the token was sent nowhere else
    moved = (
        "moving it to https://canvas.moved.example: connect the partner to Canvas's address as it is now "
        "(portal connect-canvas)."
    )
    assert _outcome(run) == (
        SyncStatus.FAILED,
        2,
        2,
        0,
        [
            {
                "cohortId": cohort.id,
                "courseId": course,
                "message": f"Canvas answered 301 for /api/v1/courses/{course}/enrollments, {moved}",
            }
            for cohort, course in ((world.open_cohort, "554"), (world.online_cohort, "555"))
        ],
    )
    assert canvas.paths == ["/api/v1/courses/554/enrollments", "/api/v1/courses/555/enrollments"]


async def test_a_student_who_left_the_course_mid_read_is_left_out_and_the_course_is_read(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given a Canvas without bulk progress, where student 102 left course 554 after the enrolments were read
    canvas.without_bulk_progress = {"554"}
    canvas.left_course = {102}

    # when
    run = await _sync(world, clock)

    # then everyone else's progress was read, and the run says whose was not
    assert _outcome(run) == (SyncStatus.SUCCEEDED, 2, 0, 6, [])
    assert run.warnings == [
        {
            "cohortId": world.open_cohort.id,
            "courseId": "554",
            "userId": None,
            "message": "1 of 5 students of this course matched no course-taker; their progress was not read.",
        },
        {
            "cohortId": world.open_cohort.id,
            "courseId": "554",
            "userId": "102",
            "message": "Canvas user 102 not read: Canvas gave no progress for them.",
        },
    ]
    enrolled = Enrollment.filter(cohort_id=world.open_cohort.id, course_taker__lms_user_id__isnull=False)
    assert await enrolled.order_by("id").values_list("course_taker__lms_user_id") == [
        ("100",),
        ("101",),
        ("103",),
        ("104",),
    ]


async def test_an_unexpected_error_in_one_course_fails_that_course_only(
    world: CertificatesWorld,
    canvas: FakeCanvas,
    clock: MovableClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given writing course 554 refused by the database (a fault of this code or of the data)
    async def refused_for_554(**arguments: Any) -> courses.CourseResult:
        if arguments["cohort"].lms_course_id == "554":
            raise IntegrityError("UNIQUE constraint failed")
        return await courses.sync_course(**arguments)

    monkeypatch.setattr(lms_sync, "sync_course", refused_for_554)

    # when
    with caplog.at_level(logging.ERROR, logger="service.lms"):
        run = await _sync(world, clock)

    # then the run finished: 554 failed with the error's kind, 555 was read, and the log has the details
    assert _outcome(run) == (
        SyncStatus.PARTLY_FAILED,
        2,
        1,
        2,
        [
            {
                "cohortId": world.open_cohort.id,
                "courseId": "554",
                "message": "The course could not be read: an unexpected error (IntegrityError); the log has "
                "the details.",
            }
        ],
    )
    assert [
        (record.getMessage(), record.exc_info is not None)
        for record in caplog.records
        if record.name == "service.lms"
    ] == [(f"progress sync {run.id}: course 554 (cohort {world.open_cohort.id}) could not be read", True)]


async def test_a_database_out_of_reach_stops_the_run_for_a_later_hand_over(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a database that cannot be reached while course 554 is written
    async def unreachable(**arguments: Any) -> courses.CourseResult:
        raise DBConnectionError("connection refused")

    monkeypatch.setattr(lms_sync, "sync_course", unreachable)
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())

    # when
    with pytest.raises(DBConnectionError):
        await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)

    # then no course is recorded failed: the run waits for a worker to take it again
    stopped = await ProgressSyncRun.get(id=run.id)
    assert (stopped.status, stopped.claimed_until, stopped.courses_failed, stopped.errors) == (
        SyncStatus.RUNNING,
        None,
        0,
        [],
    )


async def test_a_long_course_keeps_its_runs_lease_while_canvas_answers(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given a course read one student at a time, each request taking four minutes: 28 minutes in all,
    # against a lease of ten
    await Cohort.filter(id=world.open_cohort.id).update(lms_course_id=None)
    canvas.without_bulk_progress = {"555"}
    canvas.courses = {"555": _students(200, 5)}
    stalled: list[list[int]] = []

    async def four_minutes_pass() -> None:
        clock.move(timedelta(minutes=4))
        stalled.append(await lms.stalled_run_ids(now=clock.now()))  # what the sweep hands over again

    canvas.on_request = four_minutes_pass

    # when
    run = await _sync(world, clock)

    # then the sweep never took the run for a stalled one while it read, and it finished
    assert stalled == [[]] * 7
    assert _outcome(run) == (SyncStatus.SUCCEEDED, 1, 0, 5, [])
