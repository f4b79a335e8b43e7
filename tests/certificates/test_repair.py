"""`portal certificates repair`: certificates issued before issuing drew the PDF first, and left
without one, get their PDF; those whose name still cannot be printed are revoked, saying why."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest

from service.certificates.models import Certificate, CertificateStatus
from service.certificates.repair import repair_missing_files
from service.certificates.rules import new_code
from service.pdf import CertificateText
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient

VERIFY = """
query Verify($code: String!) {
  verifyCertificate(code: $code) { code outcome recipientName }
}
"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def _left_without_pdf(
    world: CertificatesWorld, person: str, printed_name: str, clock: MovableClock
) -> Certificate:
    """A certificate as the old issuing left it when drawing crashed: valid, with no file."""
    code = new_code()
    text = CertificateText(
        partner_name=world.partner.name,
        recipient_name=printed_name,
        certificate_type="Certificate in Effective College Instruction",
        program="Effective Teaching Practices",
        cohort="Open",
        awarded_on=date(2026, 8, 19),
        code=code,
        verification_url=f"http://127.0.0.1:8000/verify/{code}",
    )
    enrollment = world.enrollments[person]
    return await Certificate.create(
        code=code,
        partner_id=world.partner.id,
        enrollment_id=enrollment.id,
        valid_enrollment_id=enrollment.id,
        recognition_id=world.recognition.id,
        printed=text.as_printed(),
        issued_by_id=world.admin.id,
        issued_at=clock.now(),
    )


async def _verify(gql: GraphQLClient, code: str) -> dict[str, Any]:
    body = await gql.post(VERIFY, {"code": code})
    result: dict[str, Any] = body["data"]["verifyCertificate"]
    return result


async def test_repair_draws_the_missing_pdfs_and_revokes_what_cannot_be_printed(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    # given two certificates left without a PDF: a Hebrew name (prints now) and a blank one
    hebrew = await _left_without_pdf(world, "Ana Completer", "שרה לוי", clock)
    blank = await _left_without_pdf(world, "Gus Online-Completer", "   ", clock)

    # when the repair runs
    repaired = await repair_missing_files(files_dir=settings.resolved_files_dir, now=clock.now())

    # then the Hebrew one has its file, and the blank one is revoked with the reason
    assert (repaired.drawn, repaired.revoked) == ([hebrew.code], {blank.code: "The name is blank."})
    await hebrew.refresh_from_db()
    data = (settings.resolved_files_dir / "certificates" / f"{hebrew.code}.pdf").read_bytes()
    assert (hebrew.file_name, hebrew.file_size, hebrew.file_sha256) == (
        f"{hebrew.code}.pdf",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    await blank.refresh_from_db()
    assert (blank.status, blank.valid_enrollment_id, blank.revoked_reason) == (
        CertificateStatus.REVOKED,
        None,
        "Never printed: The name is blank.",
    )
    assert [(await _verify(gql, code))["outcome"] for code in (hebrew.code, blank.code)] == [
        "VALID",
        "REVOKED",
    ]

    # and a second run finds nothing to do
    again = await repair_missing_files(files_dir=settings.resolved_files_dir, now=clock.now())
    assert (again.drawn, again.revoked) == ([], {})
