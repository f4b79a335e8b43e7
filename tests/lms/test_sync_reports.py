"""What a partner and staff learn of the progress sync: when progress was last read, and a run
that read no course is not reported as a success."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from service.cohorts.models import Cohort
from service.enrollments.models import CourseTaker
from service.lms import services as lms
from service.partners.models import Partner
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.graphql_client import GraphQLClient
from tests.support.live_server import serving

TOKEN = "canvas-test-token"
QUICK = lms.CanvasAccess(pause=0.001, token_of=lambda variable: TOKEN if variable == "CANVAS_TOKEN" else None)
SYNCED = "{ viewer { partner { progressSyncedAt } } }"
RUNS = "{ progressSyncRuns { status courses } }"


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


@pytest.fixture
async def canvas(world: CertificatesWorld) -> AsyncIterator[FakeCanvas]:
    fake = FakeCanvas(token=TOKEN)
    async with serving(fake.app()) as url:
        await Partner.filter(id=world.partner.id).update(
            canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN"
        )
        yield fake


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
