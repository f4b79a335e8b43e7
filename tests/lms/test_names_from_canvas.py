"""Names come from Canvas, and a name corrected there reaches the portal on the next sync: listed,
searched and printed (certificates issued before keep theirs until re-issued). A blank name is never
replaced by the email. Our real client, through the whole sync, against a Canvas-speaking server."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from strawberry.relay import to_base64

from service.certificates.models import Certificate
from service.cohorts.models import Cohort, Program
from service.enrollments.models import CourseTaker, Enrollment
from service.enrollments.rules import name_sort_key
from service.lms import services as lms
from service.partners.models import Partner
from tests.lms.conftest import QUICK, TOKEN
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.factories import make_certificate_type
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.graphql_client import GraphQLClient
from tests.support.live_server import serving

DONE = "2026-09-01T12:00:00Z"
RUN = """query($first: Int!) { progressSyncRuns(first: $first) {
  status enrollmentsSeen enrollmentsChanged enrollmentsCreated namesChanged
  warnings { courseId lmsUserId message }
} }"""
CANDIDATES = """query($id: ID!, $search: String) { recognition(id: $id) { ... on Ceremony {
  certificateCandidates(first: 50, filter: {search: $search}) { edges { node {
    enrollmentId name email cohort { name } certificate { recipientName }
  } } } } } }"""
ISSUE = """mutation($input: CertificateIssueInput!) { certificateIssue(input: $input) {
  certificate { id recipientName status } errors { field code message } } }"""
REISSUE = """mutation($input: CertificateReissueInput!) { certificateReissue(input: $input) {
  certificate { recipientName status } errors { field code message } } }"""
BLANK_REFUSED = (
    "This name cannot be printed on a certificate. The name is blank. Correct it in Canvas: the next "
    "progress sync brings it here."
)


async def _sync(clock: MovableClock, partner_slug: str | None) -> None:
    run = await lms.command_run(partner_slug=partner_slug, now=clock.now())
    await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)


async def _last_run(gql: GraphQLClient, world: CertificatesWorld) -> dict[str, Any]:
    data = await gql.data(RUN, {"first": 1}, as_user=world.staff)
    run: dict[str, Any] = data["progressSyncRuns"][0]
    return run


async def _candidates(
    gql: GraphQLClient, world: CertificatesWorld, search: str
) -> list[tuple[str, str, Any]]:
    data = await gql.data(CANDIDATES, {"id": world.recognition_id, "search": search}, as_user=world.admin)
    return [
        (
            edge["node"]["name"],
            edge["node"]["cohort"]["name"],
            edge["node"]["certificate"] and edge["node"]["certificate"]["recipientName"],
        )
        for edge in data["recognition"]["certificateCandidates"]["edges"]
    ]


async def _issue(gql: GraphQLClient, world: CertificatesWorld, enrollment_id: int) -> dict[str, Any]:
    variables = {
        "input": {
            "recognitionId": world.recognition_id,
            "enrollmentId": to_base64("Enrollment", enrollment_id),
        }
    }
    data = await gql.data(ISSUE, variables, as_user=world.admin)
    result: dict[str, Any] = data["certificateIssue"]
    return result


async def test_a_name_corrected_in_canvas_is_listed_searched_and_printed_after_the_next_sync(
    gql: GraphQLClient,
    world: CertificatesWorld,
    canvas: FakeCanvas,
    clock: MovableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given Hal, Canvas user 77, in two courses of the partner, read once, and his certificate issued
    await Cohort.filter(id=world.open_cohort.id).update(lms_course_id="554")
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    hal = await CourseTaker.get(id=world.enrollments["Hal Online-Approaching"].course_taker_id)
    await CourseTaker.filter(id=hal.id).update(lms_user_id="77")
    in_open, in_online = (Student(77, hal.name, hal.email, 25, 25, DONE) for _ in range(2))
    canvas.courses = {"554": [in_open], "555": [in_online]}
    await _sync(clock, world.partner.slug)
    issued = await _issue(gql, world, world.enrollments["Hal Online-Approaching"].id)
    assert issued["certificate"]["recipientName"] == "Hal Online-Approaching"

    # when his name is corrected in Canvas, and the sync runs
    in_open.name = in_online.name = "Jean-Luc O'Brien"
    with caplog.at_level("INFO", logger="service.lms"):
        await _sync(clock, world.partner.slug)

    # then the run counts one name changed (once, though he is in two courses) and says so, with the
    # certificate that still prints the old name
    assert await _last_run(gql, world) == {
        "status": "SUCCEEDED",
        "enrollmentsSeen": 2,
        "enrollmentsChanged": 0,
        "enrollmentsCreated": 0,
        "namesChanged": 1,
        "warnings": [
            {
                "courseId": "554",
                "lmsUserId": "77",
                "message": "The name of Canvas user 77 changed in Canvas; the portal now shows and prints "
                "the new one. 1 certificate issued before prints the old name: re-issue it to print the new "
                "one.",
            }
        ],
    }
    assert [record.getMessage() for record in caplog.records if record.name == "service.lms"] == [
        "course 554: took the names Canvas now has for Canvas users 77"
    ]
    # and the certificates step lists him under it, found as people type it; the certificate issued
    # before keeps what it printed
    renamed = [
        ("Jean-Luc O'Brien", "Online", "Hal Online-Approaching"),
        ("Jean-Luc O'Brien", "Open", None),  # enrolled by the first sync
    ]
    assert await _candidates(gql, world, "o\u2019brien") == renamed
    assert await _candidates(gql, world, "jean luc") == renamed
    assert await _candidates(gql, world, "JEAN-LUC O'BRIEN") == renamed
    assert await _candidates(gql, world, "Hal") == []
    stored = await CourseTaker.get(id=hal.id)
    assert (stored.name, stored.sort_name, stored.search_name) == (
        "Jean-Luc O'Brien",
        name_sort_key("Jean-Luc O'Brien"),
        "jean luc obrien",
    )

    # and a re-issue prints the new name
    reissued = await gql.data(REISSUE, {"input": {"id": issued["certificate"]["id"]}}, as_user=world.admin)
    assert reissued["certificateReissue"] == {
        "certificate": {"recipientName": "Jean-Luc O'Brien", "status": "VALID"},
        "errors": [],
    }

    # and a sync that finds the same name changes nothing and says nothing
    await _sync(clock, world.partner.slug)
    assert await _last_run(gql, world) == {
        "status": "SUCCEEDED",
        "enrollmentsSeen": 2,
        "enrollmentsChanged": 0,
        "enrollmentsCreated": 0,
        "namesChanged": 0,
        "warnings": [],
    }


async def test_each_partners_course_taker_takes_the_name_its_own_canvas_has(
    gql: GraphQLClient, world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given Hal at Riverside, Canvas user 77 of its Canvas, and the same person at Lakeshore (same
    # email), Canvas user 77 of Lakeshore's own Canvas
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    hal = await CourseTaker.get(id=world.enrollments["Hal Online-Approaching"].course_taker_id)
    await CourseTaker.filter(id=hal.id).update(lms_user_id="77")
    lakeshore = await Partner.get(id=world.other_admin.partner_id)
    program = await Program.create(
        partner=lakeshore, name="Teaching", certificate_type=await make_certificate_type("Lakeshore Teaching")
    )
    await Cohort.create(
        partner=lakeshore,
        program=program,
        name="Lakeshore Fall",
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 10, 30),
        lms_course_id="900",
    )
    at_lakeshore = await CourseTaker.create(
        partner=lakeshore, name="Hal Lakeshore", email=hal.email, lms_user_id="77"
    )
    theirs = FakeCanvas(token=TOKEN)
    async with serving(theirs.app()) as url:
        await Partner.filter(id=lakeshore.id).update(
            canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN"
        )
        # when each Canvas names him differently, and one run reads every partner
        canvas.courses = {"555": [Student(77, "Jean-Luc O'Brien", hal.email, 25, 10, None)]}
        theirs.courses = {"900": [Student(77, "J. L. O'Brien", hal.email, 25, 10, None)]}
        await _sync(clock, None)

    # then each partner's course-taker has the name of that partner's Canvas
    assert [
        (taker.partner_id, taker.name)
        for taker in await CourseTaker.filter(id__in=[hal.id, at_lakeshore.id]).order_by("id")
    ] == [(world.partner.id, "Jean-Luc O'Brien"), (lakeshore.id, "J. L. O'Brien")]
    run = await _last_run(gql, world)
    assert (run["namesChanged"], [warning["lmsUserId"] for warning in run["warnings"]]) == (2, ["77", "77"])


async def test_a_blank_canvas_name_is_never_the_email_and_is_refused_until_canvas_has_one(
    gql: GraphQLClient,
    world: CertificatesWorld,
    canvas: FakeCanvas,
    clock: MovableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a new student whose Canvas name is blank, and Hal (known by his name) now blank in Canvas
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    hal = await CourseTaker.get(id=world.enrollments["Hal Online-Approaching"].course_taker_id)
    await CourseTaker.filter(id=hal.id).update(lms_user_id="77")
    blank = Student(90, "   ", "blank@x.example", 25, 25, DONE)
    canvas.courses = {"555": [Student(77, " \u200f ", hal.email, 25, 10, None), blank]}

    # when the sync reads them
    with caplog.at_level("INFO", logger="service.lms"):
        await _sync(clock, world.partner.slug)

    # then the new one is stored without a name (never the email), Hal keeps his, and the run says so
    created = await CourseTaker.get(lms_user_id="90")
    enrollment = await Enrollment.get(course_taker_id=created.id)
    assert (created.name, created.email, created.sort_name, created.search_name) == (
        "",
        "blank@x.example",
        name_sort_key(""),
        "",
    )
    assert (await CourseTaker.get(id=hal.id)).name == "Hal Online-Approaching"
    assert await _last_run(gql, world) == {
        "status": "SUCCEEDED",
        "enrollmentsSeen": 2,
        "enrollmentsChanged": 0,
        "enrollmentsCreated": 1,
        "namesChanged": 0,
        "warnings": [
            {
                "courseId": "555",
                "lmsUserId": "90",
                "message": "Canvas gives a blank name for Canvas user 90: stored without a name, so no "
                "certificate can be issued for them until Canvas has one.",
            },
            {
                "courseId": "555",
                "lmsUserId": "77",
                "message": "Canvas gives a blank name for Canvas user 77: the name known here is kept.",
            },
        ],
    }
    # and the log names the enrolment, never the person
    hal_enrollment = world.enrollments["Hal Online-Approaching"].id
    assert [
        (record.levelname, record.getMessage()) for record in caplog.records if record.name == "service.lms"
    ] == [
        (
            "WARNING",
            f"course 555: Canvas user 90 (enrolment {enrollment.id}) has a blank name in Canvas; "
            "stored without a name",
        ),
        (
            "WARNING",
            f"course 555: Canvas user 77 (enrolment {hal_enrollment}) has a blank name in Canvas; "
            "the name known here is kept",
        ),
    ]
    assert not [record for record in caplog.records if "blank@x.example" in record.getMessage()]

    # and the certificates step lists the new one by email, and issuing refuses the blank name
    assert await _candidates(gql, world, "blank@x.example") == [("", "Online", None)]
    assert await _issue(gql, world, enrollment.id) == {
        "certificate": None,
        "errors": [{"field": ["enrollmentId"], "code": "NAME_NOT_PRINTABLE", "message": BLANK_REFUSED}],
    }
    assert await Certificate.all().count() == 0

    # and once Canvas has the name, the next sync brings it and the certificate prints it
    blank.name = "Ana Bell"
    await _sync(clock, world.partner.slug)
    assert (await _last_run(gql, world))["namesChanged"] == 1
    issued = await _issue(gql, world, enrollment.id)
    assert (issued["certificate"]["recipientName"], issued["certificate"]["status"], issued["errors"]) == (
        "Ana Bell",
        "VALID",
        [],
    )
