"""A provisional certificate says the course-taker is completing the program (in the template's
provisional wording); once settled valid it says they completed it, dated with the completion
date. Each state's file is the same bytes at every download."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pypdf
from strawberry.relay import to_base64

from service.certificate_templates.services import edit_template
from service.certificates.provisional import settle_provisional_certificates
from service.enrollments.models import Enrollment
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient
from tests.support.templates import assigned_template, branded_design, staff_actor

ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { code status downloadUrl } errors { code } } }"""
HAL = "Hal Online-Approaching"


async def _issue(gql: GraphQLClient, world: CertificatesWorld) -> dict[str, Any]:
    enrollment_id = to_base64("Enrollment", world.enrollments[HAL].id)
    data = await gql.data(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment_id}},
        as_user=world.admin,
    )
    certificate: dict[str, Any] = data["certificateIssue"]["certificate"]
    return certificate


async def _lines(http: httpx.AsyncClient, certificate: dict[str, Any]) -> tuple[bytes, list[str]]:
    pdf = (await http.get(certificate["downloadUrl"].removeprefix("http://127.0.0.1:8000"))).content
    return pdf, pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()


async def _complete(world: CertificatesWorld) -> None:
    await Enrollment.filter(id=world.enrollments[HAL].id).update(
        modules_completed=25, completed_at=datetime(2026, 10, 2, 3, tzinfo=UTC), certified=True
    )


async def test_the_default_design_says_completing_while_provisional_and_completed_once_valid(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given Hal, approaching, with a provisional certificate downloaded twice
    issued = await _issue(gql, world)
    early, early_lines = await _lines(http, issued)
    early_again, _ = await _lines(http, issued)

    # when the LMS reports his completion and his certificate settles valid
    await _complete(world)
    settled = await settle_provisional_certificates(now=clock.now(), partner_id=world.partner.id)
    valid, valid_lines = await _lines(http, issued)
    valid_again, _ = await _lines(http, issued)

    # then
    assert issued["status"] == "PROVISIONAL" and len(settled.validated) == 1
    assert early == early_again and valid == valid_again and early != valid
    assert ("is completing the program" in early_lines, "has completed the program" in early_lines) == (
        True,
        False,
    )
    assert ("is completing the program" in valid_lines, "has completed the program" in valid_lines) == (
        False,
        True,
    )
    assert "1 October 2026" in valid_lines


async def test_a_template_words_the_provisional_state_its_own_way_and_keeps_its_version_when_settled(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given Riverside's template with its own provisional wording, and Hal's provisional certificate
    template = await assigned_template(world.staff, world.partner.id, clock.now())
    design = await branded_design(world.staff, world.partner.id, clock.now())
    wording = {
        "completed": "completed the program",
        "completed_provisional": "is about to complete the program",
    }
    await edit_template(
        actor=staff_actor(world.staff),
        template_id=template.id,
        name=None,
        design=replace(design, wording=wording),
        now=clock.now(),
    )
    issued = await _issue(gql, world)
    _, early_lines = await _lines(http, issued)

    # when the template changes again and then Hal completes
    await edit_template(
        actor=staff_actor(world.staff), template_id=template.id, name=None, design=design, now=clock.now()
    )
    await _complete(world)
    await settle_provisional_certificates(now=clock.now(), partner_id=world.partner.id)
    _, valid_lines = await _lines(http, issued)

    # then it is worded by the version it was issued with, in both states
    assert "is about to complete the program" in early_lines
    assert "completed the program" in valid_lines and "has completed the program" not in valid_lines
