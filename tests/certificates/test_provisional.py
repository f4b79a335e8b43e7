"""Early certificates are provisional: printable, "pending completion" when verified, valid by
themselves when the LMS reports completion, void by themselves when the course closes without it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pypdf
import pytest
from strawberry.relay import to_base64

from service.certificates.models import Certificate
from service.cohorts.models import Cohort
from service.enrollments.models import CourseTaker
from service.events import bus, partner_topic
from service.lms import services as lms
from service.partners.models import Partner
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.graphql_client import GraphQLClient
from tests.support.live_server import serving
from workers.embedded import hand_over_waiting_work

TOKEN = "canvas-test-token"
QUICK = lms.CanvasAccess(pause=0.001, token_of=lambda variable: TOKEN if variable == "CANVAS_TOKEN" else None)
ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) {
    certificate { id code status awardedOn downloadUrl } errors { code } } }"""
VERIFY = """query($code: String!) {
  verifyCertificate(code: $code) { outcome message recipientName awardedOn } }"""
CERTIFICATES = """query($id: ID!) { recognition(id: $id) { certificates(first: 10) {
  totalCount edges { node { code status awardedOn voidedReason } } } } }"""
PENDING = (
    "This certificate is pending completion: it was issued before the course was completed and "
    "becomes valid when the course-taker completes it."
)


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


@pytest.fixture
async def canvas() -> AsyncIterator[tuple[FakeCanvas, str]]:
    fake = FakeCanvas(token=TOKEN)
    async with serving(fake.app()) as url:
        yield fake, url


async def _issue(gql: GraphQLClient, world: CertificatesWorld, name: str) -> dict[str, Any]:
    enrollment_id = to_base64("Enrollment", world.enrollments[name].id)
    data = await gql.data(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment_id}},
        as_user=world.admin,
    )
    certificate: dict[str, Any] = data["certificateIssue"]["certificate"]
    return certificate


async def _verify(gql: GraphQLClient, code: str) -> dict[str, Any]:
    body = await gql.post(VERIFY, {"code": code})
    result: dict[str, Any] = body["data"]["verifyCertificate"]
    return result


async def _listed(gql: GraphQLClient, world: CertificatesWorld) -> Any:
    return (await gql.data(CERTIFICATES, {"id": world.recognition_id}, as_user=world.admin))["recognition"][
        "certificates"
    ]


async def test_an_early_certificate_is_pending_until_the_lms_reports_completion_then_valid(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: CertificatesWorld,
    canvas: tuple[FakeCanvas, str],
    clock: MovableClock,
) -> None:
    # given Hal, approaching, with a certificate issued for the ceremony
    issued = await _issue(gql, world, "Hal Online-Approaching")
    pdf = await http.get(issued["downloadUrl"].removeprefix("http://127.0.0.1:8000"))
    pending = await _verify(gql, issued["code"])
    page = await http.get(f"/verify/{issued['code']}")

    # when Canvas reports his course completed and the daily sync reads it
    fake, url = canvas
    await Partner.filter(id=world.partner.id).update(
        canvas_base_url=url, canvas_token_variable="CANVAS_TOKEN"
    )
    await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="555")
    hal = await CourseTaker.get(id=world.enrollments["Hal Online-Approaching"].course_taker_id)
    await CourseTaker.filter(id=hal.id).update(lms_user_id="77")
    fake.courses = {"555": [Student(77, hal.name, hal.email, 25, 25, "2026-10-02T03:00:00Z")]}
    run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
    await lms.run_sync(run_id=run.id, clock=clock.now, access=QUICK)

    # then it was printable and pending, and is now valid, dated with his completion day in Chicago
    assert (issued["status"], pdf.status_code) == ("PROVISIONAL", 200)
    assert pending == {
        "outcome": "PROVISIONAL",
        "message": PENDING,
        "recipientName": "Hal Online-Approaching",
        "awardedOn": None,
    }
    assert (
        page.status_code == 200
        and PENDING in page.text
        and '<dd dir="auto">Pending completion</dd>' in page.text
    )
    assert await _verify(gql, issued["code"]) == {
        "outcome": "VALID",
        "message": "This certificate is valid.",
        "recipientName": "Hal Online-Approaching",
        "awardedOn": "2026-10-01",
    }
    assert await _listed(gql, world) == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "code": issued["code"],
                    "status": "VALID",
                    "awardedOn": "2026-10-01",
                    "voidedReason": None,
                }
            }
        ],
    }
    again = await _issue(gql, world, "Hal Online-Approaching")
    redrawn = await http.get(again["downloadUrl"].removeprefix("http://127.0.0.1:8000"))
    assert (again["code"], again["status"]) == (issued["code"], "VALID")
    assert "1 October 2026" in pypdf.PdfReader(io.BytesIO(redrawn.content)).pages[0].extract_text()


async def test_an_early_certificate_is_voided_when_its_course_closes_without_completion(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    # given Cai, approaching, with a provisional certificate, and Ana's valid one
    cai = await _issue(gql, world, "Cai Approaching")
    ana = await _issue(gql, world, "Ana Completer")

    # when Cai's course closes for submissions without his completion, and the sweep runs
    clock.move(timedelta(days=1))
    await Cohort.filter(id=world.open_cohort.id).update(closed_at=clock.now())
    async with bus.subscribe(partner_topic(world.partner.id)) as heard:
        await hand_over_waiting_work(settings, now=clock.now())
        told = await asyncio.wait_for(heard.get(), timeout=5)  # already published: delivered next turn

    # then his partner's dashboards are told, his certificate is void (and says nothing private),
    # listed with why; Ana's stands
    voided = await Certificate.get(code=cai["code"])
    assert (told["recognitionId"], told["certificateId"]) == (world.recognition.id, voided.id)
    assert await _verify(gql, cai["code"]) == {
        "outcome": "VOIDED",
        "message": "This certificate is void: it was issued before the course was completed, and the course "
        "closed without completion.",
        "recipientName": None,
        "awardedOn": None,
    }
    assert await _listed(gql, world) == {
        "totalCount": 2,
        "edges": [
            {
                "node": {
                    "code": ana["code"],
                    "status": "VALID",
                    "awardedOn": "2026-08-19",
                    "voidedReason": None,
                }
            },
            {
                "node": {
                    "code": cai["code"],
                    "status": "VOIDED",
                    "awardedOn": "2026-10-20",
                    "voidedReason": "DID_NOT_COMPLETE_CLOSED_COURSE",
                }
            },
        ],
    }


REISSUE = """mutation($input: CertificateReissueInput!) { certificateReissue(input: $input) {
  certificate { code } errors { field code message } } }"""


async def test_an_early_certificate_whose_course_closed_without_completion_is_not_reissued(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given Cai's provisional certificate, and his course closed without his completion (the sweep
    # has not voided it yet)
    cai = await _issue(gql, world, "Cai Approaching")
    await Cohort.filter(id=world.open_cohort.id).update(closed_at=clock.now())

    # when it is re-issued
    data = await gql.data(REISSUE, {"input": {"id": cai["id"]}}, as_user=world.admin)

    # then that is refused, and it stands as it was
    assert data["certificateReissue"] == {
        "certificate": None,
        "errors": [
            {
                "field": ["id"],
                "code": "NOT_A_CANDIDATE",
                "message": "Not a course-taker of this recognition's certificates step.",
            }
        ],
    }
    assert [(c.code, c.status.value) for c in await Certificate.all()] == [(cai["code"], "PROVISIONAL")]
