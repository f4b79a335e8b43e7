"""What goes wrong between the sync and Canvas: each course fails with what it was and the others are
read (nothing half-read is written), a student who left mid-read is left out, only a database out of
reach stops a run, and a long course keeps its run's lease. Next links are followed only on the
partner's Canvas, never round in a circle nor without end; a 401 says whether the token or its user's
access is at fault; a Canvas out of reach stops its partner's courses at once. Our real client against
a Canvas-speaking server on loopback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tortoise.exceptions import DBConnectionError, IntegrityError

from service.cohorts.models import Cohort, Program
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
from tests.support.smtp_server import free_port

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


async def _bounded_sync(world: CertificatesWorld, clock: MovableClock) -> ProgressSyncRun:
    """The sync, given 30 seconds: one that follows pages forever fails the test instead of hanging it."""
    return await asyncio.wait_for(_sync(world, clock), 30)


def _not_read_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "service.lms" and record.levelno == logging.WARNING
    ]


async def test_a_next_page_on_another_address_is_not_followed_and_the_token_is_not_sent_there(
    world: CertificatesWorld,
    canvas: FakeCanvas,
    clock: MovableClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a Canvas whose next links point to another server (another port on the same host), and
    # course 554 read two students a page, so that it has a next page; course 555 has one page only
    monkeypatch.setattr("service.lms.canvas.PAGE_SIZE", 2)
    elsewhere = FakeCanvas(token=TOKEN, courses=canvas.courses)
    async with serving(elsewhere.app()) as elsewhere_url:
        canvas.next_elsewhere = elsewhere_url

        # when
        with caplog.at_level(logging.DEBUG):
            run = await _sync(world, clock)

    # then the other server was never asked (nor given the token); 554 failed saying why, naming the
    # address; nothing of it was written; 555 was read
    assert (elsewhere.requests, elsewhere.paths) == (0, [])
    refused = (
        f"Canvas's next page of /api/v1/courses/554/enrollments is on another address ({elsewhere_url}): "
        "not followed, so the partner's API token is not sent there."
    )
    assert _outcome(run) == (
        SyncStatus.PARTLY_FAILED,
        2,
        1,
        2,
        [{"cohortId": world.open_cohort.id, "courseId": "554", "message": refused}],
    )
    assert await _read_from_canvas() == ["200", "201"]
    assert canvas.paths.count("/api/v1/courses/554/enrollments") == 1
    # and the log names the course, never the token
    assert _not_read_logged(caplog) == [
        f"progress sync {run.id}: course 554 (cohort {world.open_cohort.id}) not read: {refused}"
    ]
    assert TOKEN not in caplog.text


async def test_pages_that_go_round_in_a_circle_are_read_once_and_fail_the_course(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given course 554 in pages of two (three pages), its last page's next link the first page again
    monkeypatch.setattr("service.lms.canvas.PAGE_SIZE", 2)
    canvas.circling = {"554"}

    # when
    run = await _bounded_sync(world, clock)

    # then its pages were read until one came round again (the first asked without a page number, then
    # pages 2, 3 and 1: page 1's next, page 2, is one already read), and the course failed saying so
    assert canvas.paths.count("/api/v1/courses/554/enrollments") == 4
    assert _outcome(run) == (
        SyncStatus.PARTLY_FAILED,
        2,
        1,
        2,
        [
            {
                "cohortId": world.open_cohort.id,
                "courseId": "554",
                "message": "Canvas's pages of /api/v1/courses/554/enrollments go round in a circle (the next "
                "page is one already read): stopped there.",
            }
        ],
    )
    assert await _read_from_canvas() == ["200", "201"]


async def test_pages_that_never_end_are_read_up_to_the_bound_and_fail_the_course(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given course 554's pages never ending (each links to one more), and a bound of 5 pages a list
    monkeypatch.setattr("service.lms.canvas.MAX_PAGES", 5)
    canvas.endless = {"554"}

    # when
    run = await _bounded_sync(world, clock)

    # then five pages were read, and the course failed saying so
    assert canvas.paths.count("/api/v1/courses/554/enrollments") == 5
    assert _outcome(run) == (
        SyncStatus.PARTLY_FAILED,
        2,
        1,
        2,
        [
            {
                "cohortId": world.open_cohort.id,
                "courseId": "554",
                "message": "Canvas's pages of /api/v1/courses/554/enrollments go on past 5 pages of 100: "
                "stopped there, taken for a list that never ends.",
            }
        ],
    )
    assert await _read_from_canvas() == ["200", "201"]


async def test_a_token_canvas_does_not_take_fails_the_partners_courses_with_one_request(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given a partner whose token Canvas no longer takes (expired: 401 with WWW-Authenticate)
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
    expired = lms.CanvasAccess(pause=0.001, token_of=lambda variable: "expired-token")

    # when
    finished = await lms.run_sync(run_id=run.id, clock=clock.now, access=expired)

    # then the first course says the token must be replaced, and the other was not tried
    assert finished is not None
    assert canvas.requests == 1
    address = await _canvas_address(world)
    assert _outcome(finished) == (
        SyncStatus.FAILED,
        2,
        2,
        0,
        [
            {
                "cohortId": world.open_cohort.id,
                "courseId": "554",
                "message": "Canvas does not take the partner's API token: it is invalid or has expired "
                "(401). Replace it with a new token of a Canvas user who may read the partner's courses.",
            },
            {
                "cohortId": world.online_cohort.id,
                "courseId": "555",
                "message": f"Not tried: Canvas at {address} did not take the partner's API token when course "
                "554 was read, so the partner's other courses were not; they are read once the token is "
                "replaced.",
            },
        ],
    )


async def test_a_course_the_tokens_user_may_not_read_fails_alone_saying_so(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given a valid token whose Canvas user has no access to course 554 (401, "unauthorized")
    canvas.unauthorized = {"554"}

    # when
    run = await _sync(world, clock)

    # then 554 failed saying its user lacks access (not that the token is invalid), and 555 was read
    assert _outcome(run) == (
        SyncStatus.PARTLY_FAILED,
        2,
        1,
        2,
        [
            {
                "cohortId": world.open_cohort.id,
                "courseId": "554",
                "message": "Canvas answered that the API token's user is not authorized to read "
                "/api/v1/courses/554/enrollments (401): give that user access to the course in Canvas, or "
                "check the cohort's LMS course id.",
            }
        ],
    )
    assert await _read_from_canvas() == ["200", "201"]


async def _canvas_address(world: CertificatesWorld) -> str:
    partner = await Partner.get(id=world.partner.id)
    assert partner.canvas_base_url is not None
    return partner.canvas_base_url


async def _two_more_courses(world: CertificatesWorld, canvas: FakeCanvas) -> list[Cohort]:
    """Courses 556 and 557 besides 554 and 555: the partner's four, in the order they are read."""
    online = await Program.get(id=world.online.id)
    more = [
        await Cohort.create(
            partner_id=world.partner.id,
            program=online,
            name=f"Online {course}",
            starts_on=world.online_cohort.starts_on,
            ends_on=world.online_cohort.ends_on,
            lms_course_id=course,
        )
        for course in ("556", "557")
    ]
    canvas.courses |= {"556": _students(300, 2), "557": _students(400, 2)}
    return [world.open_cohort, world.online_cohort, *more]


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real transport that counts the requests it was given (answered or not)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await super().handle_async_request(request)


async def test_a_canvas_that_refuses_connections_stops_its_partner_after_one_course_and_others_are_read(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock, caplog: pytest.LogCaptureFixture
) -> None:
    # given a partner with four courses whose Canvas refuses every connection (nothing listens there),
    # and another partner whose Canvas answers
    cohorts = await _two_more_courses(world, canvas)
    answering = await _canvas_address(world)
    down = f"http://127.0.0.1:{free_port()}"
    await Partner.filter(id=world.partner.id).update(canvas_base_url=down)
    other = await Partner.get(id=world.other_admin.partner_id)
    await Partner.filter(id=other.id).update(canvas_base_url=answering, canvas_token_variable="CANVAS_TOKEN")
    program = await Program.create(partner=other, name="Teaching", certificate_type_id=world.micro.id)
    elsewhere = await Cohort.create(
        partner=other,
        program=program,
        name="Lakeshore",
        starts_on=world.open_cohort.starts_on,
        ends_on=world.open_cohort.ends_on,
        lms_course_id="700",
    )
    canvas.courses["700"] = _students(700, 3)
    transport = CountingTransport()
    run = await lms.command_run(partner_slug=None, now=clock.now())

    # when
    with caplog.at_level(logging.WARNING, logger="service.lms"):
        finished = await lms.run_sync(
            run_id=run.id,
            clock=clock.now,
            access=lms.CanvasAccess(pause=0.001, transport=transport, token_of=QUICK.token_of),
        )

    # then the first course was tried (6 attempts), the partner's other three were not, each saying
    # why, and the other partner's course was read
    assert finished is not None
    assert transport.requests == 6 + 2  # and the other partner's enrolments and progress
    not_tried = (
        f"Not tried: Canvas at {down} was out of reach when course 554 was read, so the partner's other "
        "courses were not; they are read on the next run, once Canvas answers."
    )
    assert _outcome(finished) == (
        SyncStatus.PARTLY_FAILED,
        5,
        4,
        3,
        [
            {
                "cohortId": cohorts[0].id,
                "courseId": "554",
                "message": "Canvas could not be reached (ConnectError).",
            },
            *(
                {"cohortId": cohort.id, "courseId": course, "message": not_tried}
                for cohort, course in zip(cohorts[1:], ("555", "556", "557"), strict=True)
            ),
        ],
    )
    assert await Enrollment.filter(cohort_id=elsewhere.id).count() == 3
    # and the log says it once for the partner
    assert _not_read_logged(caplog) == [
        f"progress sync {run.id}: course 554 (cohort {cohorts[0].id}) not read: Canvas could not be reached "
        "(ConnectError).",
        f"progress sync {run.id}: partner {world.partner.slug}: Canvas at {down} was out of reach when "
        "course 554 was read; its 3 other courses not tried",
    ]


@pytest.mark.parametrize("outage", ["answers 500", "times out"])
async def test_a_canvas_that_answers_nothing_stops_its_partner_after_two_courses(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock, outage: str
) -> None:
    # given a partner with four courses whose Canvas answers nothing: 500 to every request, or not
    # within the time a request is given
    cohorts = await _two_more_courses(world, canvas)
    if outage == "answers 500":
        canvas.failing = {"554", "555", "556", "557"}
    else:

        async def too_slow() -> None:
            await asyncio.sleep(0.5)

        canvas.on_request = too_slow
    address = await _canvas_address(world)
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())

    # when
    finished = await lms.run_sync(
        run_id=run.id,
        clock=clock.now,
        access=lms.CanvasAccess(pause=0.001, timeout=0.1, token_of=QUICK.token_of),
    )

    # then two courses were tried (6 attempts each) and the two after them were not, each saying why
    assert finished is not None
    assert canvas.requests == 12
    failed = (
        "Canvas kept refusing (500) after 6 attempts; try again later."
        if outage == "answers 500"
        else "Canvas could not be reached (ReadTimeout)."
    )
    not_tried = (
        f"Not tried: Canvas at {address} was out of reach when courses 554 and 555 were read, so the "
        "partner's other courses were not; they are read on the next run, once Canvas answers."
    )
    assert _outcome(finished) == (
        SyncStatus.FAILED,
        4,
        4,
        0,
        [
            {"cohortId": cohorts[0].id, "courseId": "554", "message": failed},
            {"cohortId": cohorts[1].id, "courseId": "555", "message": failed},
            {"cohortId": cohorts[2].id, "courseId": "556", "message": not_tried},
            {"cohortId": cohorts[3].id, "courseId": "557", "message": not_tried},
        ],
    )


async def test_courses_canvas_fails_on_alone_do_not_stop_the_others_while_canvas_answers(
    world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given four courses, Canvas failing (500) on the first and the third only
    cohorts = await _two_more_courses(world, canvas)
    canvas.failing = {"554", "556"}

    # when
    run = await _sync(world, clock)

    # then each was tried through its attempts, and the others were read
    failed = "Canvas kept refusing (500) after 6 attempts; try again later."
    assert _outcome(run) == (
        SyncStatus.PARTLY_FAILED,
        4,
        2,
        4,
        [
            {"cohortId": cohorts[0].id, "courseId": "554", "message": failed},
            {"cohortId": cohorts[2].id, "courseId": "556", "message": failed},
        ],
    )
    assert await _read_from_canvas() == ["200", "201", "400", "401"]
