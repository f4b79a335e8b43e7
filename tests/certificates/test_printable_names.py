"""Nothing half-issued: a name that cannot be printed faithfully is refused by certificateIssue and
certificateReissue before anything is stored; a certificate issued alone always has its PDF."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from strawberry.relay import to_base64

from service.certificates import printing
from service.certificates.models import Certificate, CertificateStatus
from service.enrollments.models import CourseTaker
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.tables import row_counts

ISSUE = """
mutation Issue($input: CertificateIssueInput!) {
  certificateIssue(input: $input) {
    certificate { code recipientName downloadUrl }
    errors { field code message }
  }
}
"""

REISSUE = """
mutation Reissue($input: CertificateReissueInput!) {
  certificateReissue(input: $input) {
    certificate { code recipientName }
    errors { field code message }
  }
}
"""

BLANK_MESSAGE = (
    "This name cannot be printed on a certificate. The name is blank. Correct it in Canvas: "
    "the next progress sync brings it here."
)
UNPRINTABLE = {
    "   ": BLANK_MESSAGE,
    "Ana \U00012000 Silva": "“Ana \U00012000 Silva” cannot be printed on a certificate. "
    "No font can print these characters: U+12000 CUNEIFORM SIGN A.",
    "Ana \ue000 Silva": "“Ana \ue000 Silva” cannot be printed on a certificate. "
    "No font can print these characters: U+E000 (private use).",
    "Ana\u202eavliS": "“AnaavliS” cannot be printed on a certificate. The name contains bidi control "
    "characters, which could reorder it: U+202E RIGHT-TO-LEFT OVERRIDE.",
    "W" * 299: f"“{'W' * 59}…” cannot be printed on a certificate. The name is too long to print: "
    "it does not fit on two lines at 11 pt.",
}


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def _enrolled(world: CertificatesWorld, name: str) -> str:
    enrollment = await enroll(world.partner, world.open_cohort, name, completed=True, certified=True)
    return to_base64("Enrollment", enrollment.id)


async def _issue(gql: GraphQLClient, world: CertificatesWorld, enrollment_id: str) -> dict[str, Any]:
    body = await gql.post(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment_id}},
        token=token_for(world.admin),
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["certificateIssue"]
    return result


def _files(settings: Settings) -> list[Path]:
    return sorted((settings.resolved_files_dir / "certificates").glob("*"))


@pytest.mark.parametrize("name", list(UNPRINTABLE), ids=["blank", "cuneiform", "private-use", "rlo", "299-w"])
async def test_a_name_that_cannot_be_printed_is_refused_and_nothing_is_stored(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, name: str
) -> None:
    # given a completer whose name cannot be printed
    enrollment_id = await _enrolled(world, name)
    before = await row_counts()

    # when the admin issues their certificate
    result = await _issue(gql, world, enrollment_id)

    # then it is refused, naming the characters or the reason, and nothing is stored
    assert result == {
        "certificate": None,
        "errors": [{"field": ["enrollmentId"], "code": "NAME_NOT_PRINTABLE", "message": UNPRINTABLE[name]}],
    }
    assert await row_counts() == before
    assert _files(settings) == []


async def test_a_name_in_arabic_script_is_issued_with_its_pdf(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given a completer named in Arabic script (it used to crash and leave a certificate without a PDF)
    enrollment_id = await _enrolled(world, "محمد الأحمد")

    # when the admin issues the certificate
    result = await _issue(gql, world, enrollment_id)

    # then it is issued with its file recorded, and the download is that file
    assert result["errors"] == []
    stored = await Certificate.get(code=result["certificate"]["code"])
    assert (stored.file_name, stored.file_size is not None) == (f"{stored.code}.pdf", True)
    response = await http.get(result["certificate"]["downloadUrl"].removeprefix("http://127.0.0.1:8000"))
    assert (response.status_code, len(response.content)) == (200, stored.file_size)
    assert pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


async def test_a_pdf_that_cannot_be_drawn_leaves_no_certificate(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given drawing fails (a full disk, a bug)
    def broken(_text: object) -> bytes:
        raise RuntimeError("the drawing failed")

    monkeypatch.setattr(printing, "render_certificate", broken)
    enrollment_id = to_base64("Enrollment", world.enrollments["Ana Completer"].id)
    before = await row_counts()

    # when the admin issues a certificate
    body = await gql.post(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment_id}},
        token=token_for(world.admin),
    )

    # then the answer is the masked error, and no certificate (nor file) was left behind
    assert [error["message"] for error in body["errors"]] == ["Unexpected error."]
    assert await row_counts() == before
    assert _files(settings) == []


async def test_reissuing_to_a_name_that_cannot_be_printed_is_refused_and_changes_nothing(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings
) -> None:
    # given Ana's certificate, and her name since changed to one that cannot be printed
    issued = await _issue(gql, world, to_base64("Enrollment", world.enrollments["Ana Completer"].id))
    certificate = await Certificate.get(code=issued["certificate"]["code"])
    await CourseTaker.filter(id=world.enrollments["Ana Completer"].course_taker_id).update(name="   ")
    before, files = await row_counts(), _files(settings)

    # when staff re-issue it
    body = await gql.post(
        REISSUE, {"input": {"id": to_base64("Certificate", certificate.id)}}, token=token_for(world.staff)
    )

    # then it is refused on the input's id, and the old certificate stands as it was
    assert body["data"]["certificateReissue"] == {
        "certificate": None,
        "errors": [
            {
                "field": ["id"],
                "code": "NAME_NOT_PRINTABLE",
                "message": BLANK_MESSAGE,
            }
        ],
    }
    assert await row_counts() == before
    assert _files(settings) == files
    assert (await Certificate.get(id=certificate.id)).status is CertificateStatus.VALID
