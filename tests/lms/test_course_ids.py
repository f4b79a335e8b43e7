"""A cohort's LMS course id is its course in its own partner's Canvas: two partners on different
Canvas instances may both have a course 12345, and one run reads each from its own Canvas."""

from __future__ import annotations

from datetime import date

from starlette.applications import Starlette

from service.cohorts.models import Cohort, Program
from service.enrollments.models import Enrollment
from service.lms import services as lms
from service.lms.models import SyncStatus
from service.partners.models import Partner
from tests.support.clock import MovableClock
from tests.support.factories import make_certificate_type, make_partner
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.live_server import serving

TOKENS = {"RIVERSIDE_CANVAS": "riverside-token", "LAKESHORE_CANVAS": "lakeshore-token"}
QUICK = lms.CanvasAccess(pause=0.001, token_of=lambda variable: TOKENS.get(variable or ""))


async def _partner_with_course(name: str, course_id: str) -> tuple[Partner, Cohort]:
    partner = await make_partner(name)
    program = await Program.create(
        partner=partner, name="Teaching", certificate_type=await make_certificate_type(f"{name} Teaching")
    )
    cohort = await Cohort.create(
        partner=partner,
        program=program,
        name="Fall",
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 10, 30),
        lms_course_id=course_id,
    )
    return partner, cohort


async def test_two_partners_on_their_own_canvas_each_read_their_course_12345(
    app: Starlette, clock: MovableClock
) -> None:
    # given Riverside and Lakeshore, each with a course 12345 in its own Canvas (even user 1 in both)
    riverside, riverside_fall = await _partner_with_course("Riverside", "12345")
    lakeshore, lakeshore_fall = await _partner_with_course("Lakeshore", "12345")
    theirs = {
        riverside.id: FakeCanvas(
            token="riverside-token",
            courses={"12345": [Student(1, "Ana Rivers", "ana@riverside.example", 10, 4)]},
        ),
        lakeshore.id: FakeCanvas(
            token="lakeshore-token", courses={"12345": [Student(1, "Bo Shore", "bo@lakeshore.example", 8, 8)]}
        ),
    }
    async with (
        serving(theirs[riverside.id].app()) as riverside_url,
        serving(theirs[lakeshore.id].app()) as lakeshore_url,
    ):
        await lms.connect_canvas(
            partner_slug=riverside.slug, base_url=riverside_url, token_variable="RIVERSIDE_CANVAS"
        )
        await lms.connect_canvas(
            partner_slug=lakeshore.slug, base_url=lakeshore_url, token_variable="LAKESHORE_CANVAS"
        )

        # when one run reads every partner
        run = await lms.command_run(partner_slug=None, now=clock.now())
        finished = await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)

    # then each partner's cohort has its own Canvas's student, with that Canvas's progress
    assert finished is not None
    assert (finished.status, finished.courses, finished.enrollments_created, finished.errors) == (
        SyncStatus.SUCCEEDED,
        2,
        2,
        [],
    )
    enrolled = await Enrollment.filter(cohort_id__in=[riverside_fall.id, lakeshore_fall.id]).order_by("id")
    assert [
        (
            enrollment.cohort_id,
            (await enrollment.course_taker).partner_id,
            (await enrollment.course_taker).name,
            enrollment.modules_completed,
            enrollment.modules_required,
        )
        for enrollment in enrolled
    ] == [
        (riverside_fall.id, riverside.id, "Ana Rivers", 4, 10),
        (lakeshore_fall.id, lakeshore.id, "Bo Shore", 8, 8),
    ]
    assert [fake.paths for fake in theirs.values()] == [
        ["/api/v1/courses/12345/enrollments", "/api/v1/courses/12345/bulk_user_progress"]
    ] * 2
