"""A completion certified with a valid certificate is not taken back by a later sync: the completion
date is decided once, and a re-issue (e.g. after a name correction in Canvas) stays valid with that
date and prints the new name; completions that syncs before that rule took back are given back. Our
real client, through the whole sync, against a Canvas-speaking server; the certificates step and the
mutations over GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from strawberry.relay import to_base64

from service.certificates.models import Certificate, CertificateStatus
from service.cohorts.models import Cohort
from service.enrollments.models import CourseTaker, Enrollment
from service.lms import services as lms
from service.lms.completions import restore_decided_completions
from service.recognitions.models import Recognition, StoredStatus
from tests.lms.conftest import QUICK
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.graphql_client import GraphQLClient

# Ana's completion as the world recorded it: 2026-08-20 00:00 UTC, the 19th in Chicago.
COMPLETED = "2026-08-20T00:00:00Z"
COMPLETED_ON = "2026-08-19"
CANDIDATES = """query($id: ID!, $search: String) { recognition(id: $id) { ... on Ceremony {
  certificateCandidates(first: 50, filter: {search: $search}) {
    completerCount approachingCount
    edges { node { name kind completedOn certificate { recipientName status awardedOn } } }
  } } } }"""
ISSUE = """mutation($input: CertificateIssueInput!) { certificateIssue(input: $input) {
  certificate { id recipientName status awardedOn } errors { field code message } } }"""
REISSUE = """mutation($input: CertificateReissueInput!) { certificateReissue(input: $input) {
  certificate { recipientName status awardedOn } errors { field code message } } }"""
VERIFY = """query($code: String!) { verifyCertificate(code: $code) { outcome recipientName awardedOn } }"""
REVOKE = """mutation($input: CertificateRevokeInput!) { certificateRevoke(input: $input) {
  certificate { status } errors { field code message } } }"""
RUN = """query { progressSyncRuns(first: 1) {
  status enrollmentsChanged namesChanged warnings { courseId lmsUserId message } } }"""


async def _sync(clock: MovableClock, world: CertificatesWorld) -> None:
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
    await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)


async def _ana_in_canvas(world: CertificatesWorld, canvas: FakeCanvas) -> tuple[Student, Enrollment]:
    """Ana, a certified completer of the open cohort (course 554), as Canvas user 71."""
    await Cohort.filter(id=world.open_cohort.id).update(lms_course_id="554")
    ana = world.enrollments["Ana Completer"]
    taker = await CourseTaker.get(id=ana.course_taker_id)
    await CourseTaker.filter(id=taker.id).update(lms_user_id="71")
    student = Student(71, taker.name, taker.email, 25, 25, COMPLETED)
    canvas.courses = {"554": [student]}
    return student, ana


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


async def _ana_listed(gql: GraphQLClient, world: CertificatesWorld) -> dict[str, Any]:
    data = await gql.data(CANDIDATES, {"id": world.recognition_id, "search": "Ana"}, as_user=world.admin)
    listed: dict[str, Any] = data["recognition"]["certificateCandidates"]
    return listed


@pytest.mark.parametrize("ceremony", ["scheduled", "cancelled"])
async def test_a_sync_keeps_a_certified_completion_and_a_reissue_stays_valid_with_its_date(
    gql: GraphQLClient, world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock, ceremony: str
) -> None:
    # given Ana, a completer read from Canvas, with a valid certificate
    student, ana = await _ana_in_canvas(world, canvas)
    await _sync(clock, world)
    issued = await _issue(gql, world, ana.id)
    assert issued == {
        "certificate": {
            "id": issued["certificate"]["id"],
            "recipientName": "Ana Completer",
            "status": "VALID",
            "awardedOn": COMPLETED_ON,
        },
        "errors": [],
    }
    if ceremony == "cancelled":
        await Recognition.filter(id=world.recognition.id).update(status=StoredStatus.CANCELLED)

    # when Canvas gives her a new name, fewer modules completed and no completion, and the sync runs
    student.name = "Ana Beatriz Completer"
    student.requirement_completed_count = 20
    student.completed_at = None
    await _sync(clock, world)

    # then she keeps her completion: still a completer with the same date, her certificate valid
    stored = await Enrollment.get(id=ana.id)
    assert (stored.completed_at, stored.certified) == (datetime(2026, 8, 20, tzinfo=UTC), True)
    assert (stored.modules_completed, stored.modules_required) == (20, 25)  # the figures are Canvas's
    if ceremony == "scheduled":
        assert await _ana_listed(gql, world) == {
            "completerCount": 1,
            "approachingCount": 0,
            "edges": [
                {
                    "node": {
                        "name": "Ana Beatriz Completer",
                        "kind": "COMPLETER",
                        "completedOn": COMPLETED_ON,
                        "certificate": {
                            "recipientName": "Ana Completer",
                            "status": "VALID",
                            "awardedOn": COMPLETED_ON,
                        },
                    }
                }
            ],
        }
    # and the run says what it kept, and that the certificate prints the old name
    run = (await gql.data(RUN, as_user=world.staff))["progressSyncRuns"][0]
    code = (await Certificate.get(enrollment_id=ana.id)).code
    assert run == {
        "status": "SUCCEEDED",
        "enrollmentsChanged": 1,
        "namesChanged": 1,
        "warnings": [
            {
                "courseId": "554",
                "lmsUserId": "71",
                "message": "The name of Canvas user 71 changed in Canvas; the portal now shows and prints "
                "the new one. 1 certificate issued before prints the old name: re-issue it to print the new "
                "one.",
            },
            {
                "courseId": "554",
                "lmsUserId": "71",
                "message": "Canvas no longer reports Canvas user 71 as having completed this course with "
                f"certification; the completion of 19 August 2026 stands, because certificate {code} was "
                "issued valid for it. If that completion was a mistake, staff revoke the certificate.",
            },
        ],
    }

    # when the certificate is re-issued for the new name
    reissued = await gql.data(REISSUE, {"input": {"id": issued["certificate"]["id"]}}, as_user=world.admin)

    # then the new one is valid, with the same completion date and the new name
    assert reissued["certificateReissue"] == {
        "certificate": {
            "recipientName": "Ana Beatriz Completer",
            "status": "VALID",
            "awardedOn": COMPLETED_ON,
        },
        "errors": [],
    }
    new = await Certificate.get(enrollment_id=ana.id, status=CertificateStatus.VALID)
    assert "provisional" not in new.printed
    verified = await gql.post(VERIFY, {"code": new.code})  # no sign-in
    assert verified["data"]["verifyCertificate"] == {
        "outcome": "VALID",
        "recipientName": "Ana Beatriz Completer",
        "awardedOn": COMPLETED_ON,
    }


async def test_a_sync_takes_back_a_completion_no_valid_certificate_was_issued_for(
    gql: GraphQLClient, world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given Ana, a completer read from Canvas, whose certificate staff revoked
    student, ana = await _ana_in_canvas(world, canvas)
    await _sync(clock, world)
    issued = await _issue(gql, world, ana.id)
    revoked = await gql.data(
        REVOKE,
        {"input": {"id": issued["certificate"]["id"], "reason": "Entered by mistake."}},
        as_user=world.staff,
    )
    assert revoked["certificateRevoke"] == {"certificate": {"status": "REVOKED"}, "errors": []}

    # when Canvas no longer reports her completion, and the sync runs
    student.requirement_completed_count = 20
    student.completed_at = None
    await _sync(clock, world)

    # then Canvas's word stands: she is approaching again, and the run says nothing of it
    stored = await Enrollment.get(id=ana.id)
    assert (stored.completed_at, stored.certified, stored.modules_completed) == (None, False, 20)
    listed = await _ana_listed(gql, world)
    assert [edge["node"]["kind"] for edge in listed["edges"]] == ["APPROACHING"]
    run = (await gql.data(RUN, as_user=world.staff))["progressSyncRuns"][0]
    assert run["warnings"] == []


async def test_a_reissue_of_a_valid_certificate_keeps_its_status_and_date_whatever_the_enrolment_says(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given Ana's valid certificate, and her enrolment's completion since taken away (as a sync
    # before this rule did), and her name corrected
    ana = world.enrollments["Ana Completer"]
    issued = await _issue(gql, world, ana.id)
    await Enrollment.filter(id=ana.id).update(completed_at=None, certified=False, modules_completed=20)
    await CourseTaker.filter(id=ana.course_taker_id).update(name="Ana Beatriz Completer")

    # when it is re-issued
    reissued = await gql.data(REISSUE, {"input": {"id": issued["certificate"]["id"]}}, as_user=world.admin)

    # then the new one is what the old one was, with the new name
    assert reissued["certificateReissue"] == {
        "certificate": {
            "recipientName": "Ana Beatriz Completer",
            "status": "VALID",
            "awardedOn": COMPLETED_ON,
        },
        "errors": [],
    }


async def test_restoring_gives_back_the_completions_earlier_syncs_took_from_valid_certificates(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given valid certificates for Ana and Gus, and for Dov one staff revoked since
    issued = {
        name: await _issue(gql, world, world.enrollments[name].id)
        for name in ("Ana Completer", "Gus Online-Completer", "Dov Closed-Completer")
    }
    assert [result["certificate"]["status"] for result in issued.values()] == ["VALID"] * 3
    revoked = await gql.data(
        REVOKE,
        {
            "input": {
                "id": issued["Dov Closed-Completer"]["certificate"]["id"],
                "reason": "Entered by mistake.",
            }
        },
        as_user=world.staff,
    )
    assert revoked["certificateRevoke"]["errors"] == []
    # and, as syncs before the rule did, Ana's completion taken away (listed approaching since), Gus's
    # certification taken away (not listed since), and Dov's completion taken away
    ana, gus, dov = (world.enrollments[name] for name in issued)
    await Enrollment.filter(id=ana.id).update(completed_at=None, certified=False, modules_completed=20)
    await Enrollment.filter(id=gus.id).update(certified=False, modules_completed=24)
    await Enrollment.filter(id=dov.id).update(completed_at=None, certified=False)
    assert [edge["node"]["kind"] for edge in (await _ana_listed(gql, world))["edges"]] == ["APPROACHING"]

    # when
    restored = await restore_decided_completions()
    again = await restore_decided_completions()

    # then Ana and Gus have their completions back, on their certificates' date (Ana's lost instant
    # as noon of that day in the partner's time zone, Gus's still recorded one kept); the figures stay
    codes = {name: (await Certificate.get(enrollment_id=world.enrollments[name].id)).code for name in issued}
    assert [(done.enrollment_id, done.code, done.completed_on.isoformat()) for done in restored] == [
        (ana.id, codes["Ana Completer"], COMPLETED_ON),
        (gus.id, codes["Gus Online-Completer"], COMPLETED_ON),
    ]
    stored = {e.id: e for e in await Enrollment.filter(id__in=[ana.id, gus.id, dov.id])}
    assert [
        (stored[key].completed_at, stored[key].certified, stored[key].modules_completed)
        for key in (ana.id, gus.id, dov.id)
    ] == [
        (datetime(2026, 8, 19, 17, tzinfo=UTC), True, 20),  # 12:00 in Chicago
        (datetime(2026, 8, 20, tzinfo=UTC), True, 24),
        (None, False, 25),  # its certificate revoked: Canvas's word stands
    ]
    assert await _ana_listed(gql, world) == {
        "completerCount": 1,
        "approachingCount": 0,
        "edges": [
            {
                "node": {
                    "name": "Ana Completer",
                    "kind": "COMPLETER",
                    "completedOn": COMPLETED_ON,
                    "certificate": {
                        "recipientName": "Ana Completer",
                        "status": "VALID",
                        "awardedOn": COMPLETED_ON,
                    },
                }
            }
        ],
    }
    # and a second run finds nothing to do
    assert again == []


async def test_a_sync_after_the_restore_keeps_the_completion(
    gql: GraphQLClient, world: CertificatesWorld, canvas: FakeCanvas, clock: MovableClock
) -> None:
    # given Ana's completion, with a valid certificate, taken away by an earlier sync and given back
    student, ana = await _ana_in_canvas(world, canvas)
    await _sync(clock, world)
    await _issue(gql, world, ana.id)
    await Enrollment.filter(id=ana.id).update(completed_at=None, certified=False)
    student.requirement_completed_count = 20
    student.completed_at = None
    await restore_decided_completions()

    # when the sync reads her again from a Canvas that still does not report it
    await _sync(clock, world)

    # then the completion stays, on the certificate's date
    stored = await Enrollment.get(id=ana.id)
    assert (stored.completed_at, stored.certified, stored.modules_completed) == (
        datetime(2026, 8, 19, 17, tzinfo=UTC),
        True,
        20,
    )
