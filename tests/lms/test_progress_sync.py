"""The daily progress sync: our real Canvas client against a Canvas-speaking server on loopback."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from starlette.applications import Starlette
from strawberry.relay import to_base64

from service.cohorts.models import Cohort, Program
from service.enrollments.models import CourseTaker, Enrollment
from service.lms import services as lms
from service.lms.models import ProgressSyncRun, SyncStatus, SyncTrigger
from service.lms.rules import Progress, progress_of
from service.partners.models import Partner
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.factories import make_certificate_type, make_partner
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.live_server import serving
from workers.embedded import hand_over_waiting_work

pytestmark = pytest.mark.jobs

TOKEN = "canvas-test-token"
DONE = "2026-09-01T12:00:00Z"
QUICK = lms.CanvasAccess(pause=0.001, token_of=lambda variable: TOKEN if variable == "CANVAS_TOKEN" else None)


@pytest.mark.parametrize(
    ("required", "completed", "completed_at", "share", "expected"),
    [
        (10, 10, DONE, "100", (10, 10, "100.00", True)),
        (10, 9, DONE, "100", (9, 10, "90.00", False)),  # completed without every module: not certified
        (10, 9, DONE, "90", (9, 10, "90.00", True)),  # ...unless the program asks for 90 %
        (10, 10, None, "100", (10, 10, "100.00", False)),  # every module but not completed yet
        (3, 1, None, "100", (1, 3, "33.33", False)),
        (10, 12, DONE, "100", (10, 10, "100.00", True)),  # Canvas counting more than required
        (0, 0, DONE, "100", (0, 0, "100", True)),  # a course with no requirements, completed
        (0, 0, None, "100", (0, 0, "0", False)),
    ],
)
def test_progress_follows_the_programs_rule(
    required: int, completed: int, completed_at: str | None, share: str, expected: tuple[Any, ...]
) -> None:
    finished = datetime.fromisoformat(completed_at.replace("Z", "+00:00")) if completed_at else None

    progress = progress_of(
        requirement_count=required,
        requirement_completed_count=completed,
        completed_at=finished,
        certification_percent=Decimal(share),
    )

    done, modules, percent, certified = expected
    assert progress == Progress(done, modules, Decimal(percent), finished, certified)


def _students(first_id: int, count: int) -> list[Student]:
    """Every fifth completed with every module, every seventh still at half; the rest at 3 of 10."""
    students = []
    for number in range(count):
        user_id = first_id + number
        complete = number % 5 == 0
        students.append(
            Student(
                user_id=user_id,
                name=f"Learner {user_id}",
                login_id=f"learner{user_id}@example.edu",
                requirement_count=10,
                requirement_completed_count=10 if complete else (5 if number % 7 == 0 else 3),
                completed_at=DONE if complete else None,
            )
        )
    return students


@pytest.fixture
async def canvas() -> AsyncIterator[tuple[FakeCanvas, str]]:
    fake = FakeCanvas(token=TOKEN)
    async with serving(fake.app()) as url:
        yield fake, url


async def _cohort(partner: Partner, program: Program, course_id: str, name: str) -> Cohort:
    return await Cohort.create(
        partner=partner,
        program=program,
        name=name,
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 10, 30),
        lms_course_id=course_id,
    )


async def test_a_sync_of_three_courses_of_500_is_recorded_with_the_right_counts(
    app: Starlette, canvas: tuple[FakeCanvas, str], clock: MovableClock
) -> None:
    fake, url = canvas
    # given a partner on Canvas with three courses of 500 students each
    partner = await make_partner("Riverside")
    await Partner.filter(id=partner.id).update(canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN")
    program = await Program.create(
        partner=partner, name="Teaching", certificate_type=await make_certificate_type("Teaching")
    )
    first = await _cohort(partner, program, "101", "Fall A")
    second = await _cohort(partner, program, "102", "Fall B")
    failing = await _cohort(partner, program, "103", "Fall C")
    fake.courses = {"101": _students(1, 500), "102": _students(1001, 500), "103": _students(2001, 500)}
    fake.failing = {"103"}  # Canvas errs on this one whatever we do
    fake.without_bulk_progress = {"102"}  # read one student at a time
    fake.throttle_every = 23  # and Canvas throttles now and then
    # and 40 of the first course already known: 30 with older progress, 10 up to date
    for student in fake.courses["101"][:40]:
        taker = await CourseTaker.create(
            partner=partner, name=student.name, email=student.login_id, lms_user_id=str(student.user_id)
        )
        done = student.requirement_completed_count - (1 if student.user_id <= 30 else 0)
        await Enrollment.create(
            course_taker=taker,
            cohort=first,
            modules_required=10,
            modules_completed=done,
            percent_complete=Decimal(done * 10),
            completed_at=None if student.user_id <= 30 else _at(student.completed_at),
            certified=student.user_id > 30 and student.completed_at is not None,
            certificate_type_id=program.certificate_type_id,
        )
    # and one known by email only, not yet linked to Canvas, under another name
    await CourseTaker.create(partner=partner, name="Known By Email", email="learner41@example.edu")
    run = await lms.command_run(partner_slug=partner.slug, now=clock.now())

    # when
    heard: list[tuple[int, int]] = []
    finished = await lms.run_sync(
        run_id=run.id, clock=clock.now, access=QUICK, progress=lambda *step: heard.append(step)
    )

    # then: each course reported as it was read (the command's progress bar)
    assert heard == [(1, 3), (2, 3), (3, 3)]
    assert finished is not None
    assert (
        finished.status,
        finished.courses,
        finished.courses_failed,
        finished.enrollments_seen,
        finished.enrollments_changed,
        finished.enrollments_created,
        finished.names_changed,
    ) == (SyncStatus.PARTLY_FAILED, 3, 1, 1000, 30, 960, 1)
    assert finished.errors == [
        {
            "cohortId": failing.id,
            "courseId": "103",
            "message": "Canvas kept refusing (500) after 6 attempts; try again later.",
        }
    ]
    assert fake.throttled > 0
    assert await Enrollment.filter(cohort_id=first.id).count() == 500
    assert await Enrollment.filter(cohort_id=second.id).count() == 500
    assert await Enrollment.filter(cohort_id=failing.id).count() == 0
    assert (
        await Enrollment.filter(cohort_id__in=[first.id, second.id], progress_synced_at=clock.now()).count()
        == 1000
    )
    assert await Enrollment.filter(cohort_id__in=[first.id, second.id], certified=True).count() == 200
    linked = await CourseTaker.get(email="learner41@example.edu")
    # linked to Canvas user 41 from now on, and so named as Canvas names them (the run's one name change)
    assert (linked.name, linked.lms_user_id) == ("Learner 41", "41")
    assert await CourseTaker.filter(partner_id=partner.id).count() == 1000
    by_user = {
        e.course_taker.lms_user_id: e
        for e in await Enrollment.filter(cohort_id=second.id).prefetch_related("course_taker")
    }
    assert [
        (e.modules_completed, e.percent_complete, e.completed_at is not None, e.certified)
        for e in (by_user["1001"], by_user["1002"], by_user["1008"])
    ] == [
        (10, Decimal("100.00"), True, True),
        (3, Decimal("30.00"), False, False),
        (5, Decimal("50.00"), False, False),
    ]
    assert sum(path.endswith("/progress") and "/users/" in path for path in fake.paths) >= 500


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


async def test_the_certificates_step_shows_who_the_sync_moved(
    app: Starlette, gql: GraphQLClient, canvas: tuple[FakeCanvas, str], clock: MovableClock
) -> None:
    fake, url = canvas
    world: CertificatesWorld = await make_certificates_world()
    await Partner.filter(id=world.partner.id).update(
        canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN"
    )
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    hal = await CourseTaker.get(id=world.enrollments["Hal Online-Approaching"].course_taker_id)
    await CourseTaker.filter(id=hal.id).update(lms_user_id="77")
    fake.courses = {"555": [Student(77, hal.name, hal.email, 25, 25, DONE)]}
    query = """query($id: ID!) { recognition(id: $id) { ... on Ceremony {
        certificateCandidates(first: 50, filter: {search: "Hal"}) { edges { node { name kind } } } } } }"""
    before = await gql.data(query, {"id": world.recognition_id}, as_user=world.admin)

    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
    await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)
    after = await gql.data(query, {"id": world.recognition_id}, as_user=world.admin)

    def kinds(data: dict[str, Any]) -> list[tuple[str, str]]:
        edges = data["recognition"]["certificateCandidates"]["edges"]
        return [(edge["node"]["name"], edge["node"]["kind"]) for edge in edges]

    assert kinds(before) == [("Hal Online-Approaching", "APPROACHING")]
    assert kinds(after) == [("Hal Online-Approaching", "COMPLETER")]


async def test_the_daily_run_is_queued_once_a_day_from_its_hour(app: Starlette) -> None:
    day = datetime(2026, 11, 29, tzinfo=UTC)

    too_early = await lms.schedule_daily_sync(now=day + timedelta(hours=2, minutes=59), hour=3)
    first = await lms.schedule_daily_sync(now=day + timedelta(hours=3), hour=3)
    again = await lms.schedule_daily_sync(now=day + timedelta(hours=9), hour=3)
    next_day = await lms.schedule_daily_sync(now=day + timedelta(days=1, hours=4), hour=3)

    assert too_early is None and again is None
    assert first is not None and next_day is not None
    assert [(run.trigger, run.schedule_key) for run in await ProgressSyncRun.all().order_by("id")] == [
        (SyncTrigger.SCHEDULE, "2026-11-29"),
        (SyncTrigger.SCHEDULE, "2026-11-30"),
    ]


async def test_a_partner_without_a_token_fails_its_courses_clearly(
    app: Starlette, canvas: tuple[FakeCanvas, str], clock: MovableClock
) -> None:
    _, url = canvas
    partner = await make_partner()
    await Partner.filter(id=partner.id).update(canvas_base_url=url, canvas_token_variable="MISSING_TOKEN")
    program = await Program.create(
        partner=partner, name="P", certificate_type=await make_certificate_type("T")
    )
    cohort = await _cohort(partner, program, "9", "Only")
    run = await lms.command_run(partner_slug=partner.slug, now=clock.now())

    finished = await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)

    assert finished is not None
    assert (finished.status, finished.courses, finished.courses_failed) == (SyncStatus.FAILED, 1, 1)
    assert finished.errors == [
        {
            "cohortId": cohort.id,
            "courseId": "9",
            "message": "No Canvas API token in the environment variable MISSING_TOKEN.",
        }
    ]


START = """mutation($input: ProgressSyncStartInput!) {
  progressSyncStart(input: $input) {
    run { id status trigger partner { name } requestedBy { email } }
    errors { field code message }
  }
}"""
RUNS = """{ progressSyncRuns {
  status trigger courses coursesFailed enrollmentsSeen enrollmentsChanged enrollmentsCreated
  errors { courseId message cohort { name } }
} }"""


async def _until_finished(run_id: int) -> ProgressSyncRun:
    for _ in range(600):
        run = await ProgressSyncRun.get(id=run_id)
        if run.status not in lms.ACTIVE:
            return run
        await asyncio.sleep(0.05)
    raise AssertionError("the sync did not finish")


async def test_staff_start_a_sync_and_read_its_record(
    gql: GraphQLClient, canvas: tuple[FakeCanvas, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, url = canvas
    monkeypatch.setenv("CANVAS_TOKEN_FOR_TESTS", TOKEN)
    world: CertificatesWorld = await make_certificates_world()
    await Partner.filter(id=world.partner.id).update(
        canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN_FOR_TESTS"
    )
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    fake.courses = {"555": _students(1, 3)}
    partner_id = to_base64("Partner", world.partner.id)

    started = await gql.data(START, {"input": {"partnerId": partner_id}}, as_user=world.staff)
    run = await _until_finished(_key(started["progressSyncStart"]["run"]["id"]))
    runs = await gql.data(RUNS, as_user=world.staff)

    assert started["progressSyncStart"] == {
        "run": {
            "id": started["progressSyncStart"]["run"]["id"],
            "status": "QUEUED",
            "trigger": "STAFF",
            "partner": {"name": world.partner.name},
            "requestedBy": {"email": world.staff.email},
        },
        "errors": [],
    }
    assert run.status is SyncStatus.SUCCEEDED
    assert runs["progressSyncRuns"] == [
        {
            "status": "SUCCEEDED",
            "trigger": "STAFF",
            "courses": 1,
            "coursesFailed": 0,
            "enrollmentsSeen": 3,
            "enrollmentsChanged": 0,
            "enrollmentsCreated": 3,
            "errors": [],
        }
    ]


async def test_only_staff_sync_and_only_partners_with_canvas(gql: GraphQLClient) -> None:
    world: CertificatesWorld = await make_certificates_world()
    partner_id = to_base64("Partner", world.partner.id)

    by_admin = await gql.post(START, {"input": {"partnerId": partner_id}}, token=token_for(world.admin))
    runs_by_admin = await gql.post(RUNS, token=token_for(world.admin))
    unconnected = await gql.data(START, {"input": {"partnerId": partner_id}}, as_user=world.staff)
    unknown = await gql.data(START, {"input": {"partnerId": to_base64("Partner", 999)}}, as_user=world.staff)

    def refusal(body: dict[str, Any]) -> list[tuple[Any, str]]:
        return [(error["field"], error["code"]) for error in body["progressSyncStart"]["errors"]]

    assert refusal(by_admin["data"]) == [(None, "FORBIDDEN")]
    assert runs_by_admin["data"] is None
    assert [error["extensions"]["code"] for error in runs_by_admin["errors"]] == ["FORBIDDEN"]
    assert refusal(unconnected) == [(["partnerId"], "CANVAS_NOT_CONFIGURED")]
    assert refusal(unknown) == [(["partnerId"], "NOT_FOUND")]
    assert await ProgressSyncRun.all().count() == 0


def _key(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


async def test_the_sweep_queues_the_days_run_and_a_worker_makes_it(
    app: Starlette, settings: Settings, clock: MovableClock
) -> None:
    scheduled = settings.model_copy(update={"progress_sync_hour": 3})

    await hand_over_waiting_work(scheduled, now=clock.now())
    await hand_over_waiting_work(scheduled, now=clock.now() + timedelta(minutes=5))

    [run] = await ProgressSyncRun.all()
    finished = await _until_finished(run.id)
    assert (finished.trigger, finished.schedule_key, finished.status, finished.courses) == (
        SyncTrigger.SCHEDULE,
        clock.now().date().isoformat(),
        SyncStatus.NO_COURSES,  # no partner here has Canvas: nothing was read, not a success
        0,
    )


async def test_a_sync_removes_bidi_controls_from_names_with_a_warning_and_keeps_locales(
    gql: GraphQLClient, canvas: tuple[FakeCanvas, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Canvas students: a name spoofing its reading order, and people with their own locales
    fake, url = canvas
    monkeypatch.setenv("CANVAS_TOKEN_FOR_TESTS", TOKEN)
    world: CertificatesWorld = await make_certificates_world()
    await Partner.filter(id=world.partner.id).update(
        canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN_FOR_TESTS"
    )
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    spoofed, japanese, hong_kong = _students(1, 3)
    spoofed.name = "Ana \u202egnidaeR\u202c Silva\u200f"
    japanese.name, japanese.locale = "山田 太郎", "ja"
    hong_kong.name, hong_kong.locale = "陳大文", "zh_HK"
    fake.courses = {"555": [spoofed, japanese, hong_kong]}

    # when staff sync
    started = await gql.data(
        START, {"input": {"partnerId": to_base64("Partner", world.partner.id)}}, as_user=world.staff
    )
    run = await _until_finished(_key(started["progressSyncStart"]["run"]["id"]))
    runs = await gql.data(
        "{ progressSyncRuns { status warnings { courseId lmsUserId message } } }", as_user=world.staff
    )

    # then the name is stored without its controls, the run says so, and each locale is kept
    takers = await CourseTaker.filter(lms_user_id__in=["1", "2", "3"]).order_by("lms_user_id")
    assert [(taker.name, taker.locale) for taker in takers] == [
        ("Ana gnidaeR Silva", None),
        ("山田 太郎", "ja"),
        ("陳大文", "zh-HK"),
    ]
    assert run.status is SyncStatus.SUCCEEDED
    assert runs["progressSyncRuns"] == [
        {
            "status": "SUCCEEDED",
            "warnings": [
                {
                    "courseId": "555",
                    "lmsUserId": "1",
                    "message": "Bidi control characters removed from the name of Canvas user 1: "
                    "U+200F RIGHT-TO-LEFT MARK, U+202C POP DIRECTIONAL FORMATTING, "
                    "U+202E RIGHT-TO-LEFT OVERRIDE.",
                }
            ],
        }
    ]

    # and when a person changes their locale in Canvas, the next sync keeps the new one
    japanese.locale = "ko"
    again = await gql.data(
        START, {"input": {"partnerId": to_base64("Partner", world.partner.id)}}, as_user=world.staff
    )
    await _until_finished(_key(again["progressSyncStart"]["run"]["id"]))
    assert (await CourseTaker.get(lms_user_id="2")).locale == "ko"
