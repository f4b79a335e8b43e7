"""`portal certificates repair`: certificates issued before issuing drew the PDF first, and left
without one, get their PDF; those whose name still cannot be printed are revoked, saying why. A
PDF recorded but missing or damaged is drawn again, and that alone is reported as a repair: the
certificates of a combined file, which get their own PDF when first needed, are drawn for the first
time, not repaired."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest

from service.certificate_files.models import FileJobStatus
from service.certificates.models import Certificate, CertificateStatus
from service.certificates.repair import DAMAGED, MISSING, repair_missing_files
from service.certificates.rules import new_code
from service.pdf import CertificateText
from service.settings import Settings
from tests.support.certificate_files import (
    enrollment_ids,
    key_of,
    make_files_world,
    request_file,
    until_finished,
)
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
    assert (repaired.repaired, repaired.first_drawn, repaired.revoked) == (
        {},
        [hebrew.code],
        {blank.code: "The name is blank."},
    )
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
    assert (again.repaired, again.first_drawn, again.revoked) == ({}, [], {})


async def test_a_healthy_database_has_nothing_repaired_its_combined_files_certificates_are_drawn_first(
    gql: GraphQLClient, settings: Settings, clock: MovableClock
) -> None:
    # given a certificate issued alone (with its PDF) and two issued through a combined file (without)
    world = await make_files_world()
    single = await _issue(gql, world, "Jo Micro")
    job = await until_finished(key_of((await request_file(gql, world, FILE_SELECTION))["job"]["id"]))
    through_file = [
        (await Certificate.get(enrollment_id=world.enrollments[name].id)).code for name in FILE_SELECTION
    ]
    assert job.status is FileJobStatus.READY

    # when the repair runs
    done = await repair_missing_files(files_dir=settings.resolved_files_dir, now=clock.now())

    # then nothing was repaired: the combined file's certificates got their first PDF, the single
    # one's was left as it was
    assert (done.repaired, sorted(done.first_drawn), done.revoked) == ({}, sorted(through_file), {})
    assert single not in done.first_drawn


async def test_a_recorded_pdf_missing_or_damaged_is_drawn_again_and_reported_as_repaired(
    gql: GraphQLClient, settings: Settings, clock: MovableClock
) -> None:
    # given three certificates with their PDFs: one file deleted, one overwritten, one as it was
    world = await make_files_world()
    codes = [await _issue(gql, world, name) for name in ("Jo Micro", "Ana Completer", "Zoe 00")]
    folder = settings.resolved_files_dir / "certificates"
    recorded = {code: (folder / f"{code}.pdf").read_bytes() for code in codes}
    lost, damaged, _kept = codes
    (folder / f"{lost}.pdf").unlink()
    (folder / f"{damaged}.pdf").write_bytes(recorded[damaged][:-100] + b"\0" * 100)

    # when
    done = await repair_missing_files(files_dir=settings.resolved_files_dir, now=clock.now())

    # then the two are drawn again, as recorded, and named with why; the third is left alone
    assert (done.repaired, done.first_drawn, done.revoked) == (
        {lost: MISSING, damaged: DAMAGED},
        [],
        {},
    )
    assert {code: (folder / f"{code}.pdf").read_bytes() for code in codes} == recorded
    for code in codes:
        certificate = await Certificate.get(code=code)
        assert (certificate.file_size, certificate.file_sha256) == (
            len(recorded[code]),
            hashlib.sha256(recorded[code]).hexdigest(),
        )
    again = await repair_missing_files(files_dir=settings.resolved_files_dir, now=clock.now())
    assert (again.repaired, again.first_drawn, again.revoked) == ({}, [], {})


FILE_SELECTION = ["Ana Completer", "Gus Online-Completer"]
ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { code } errors { code } } }"""


async def _issue(gql: GraphQLClient, world: CertificatesWorld, name: str) -> str:
    data = await gql.data(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment_ids(world, [name])[0]}},
        as_user=world.admin,
    )
    code: str = data["certificateIssue"]["certificate"]["code"]
    return code
