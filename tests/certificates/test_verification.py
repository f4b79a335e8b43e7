"""Public verification, revoking and re-issuing: what a code says, and to whom."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from strawberry.relay import from_base64, to_base64

from service.certificates.models import Certificate, CertificateStatus
from service.enrollments.models import CourseTaker
from tests.support.audit_log import audit_rows
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

VERIFY = """
query Verify($code: String!) {
  verifyCertificate(code: $code) { code outcome message recipientName certificateType partnerName awardedOn }
}
"""
ISSUE = """
mutation Issue($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { id code recipientName } errors { field code message } }
}
"""
REVOKE = """
mutation Revoke($input: CertificateRevokeInput!) {
  certificateRevoke(input: $input) { certificate { code status revokedReason } errors { field code message } }
}
"""
REISSUE = """
mutation Reissue($input: CertificateReissueInput!) {
  certificateReissue(input: $input) {
    certificate { id code status recipientName } errors { field code message }
  }
}
"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


@pytest.fixture
async def issued(gql: GraphQLClient, world: CertificatesWorld) -> dict[str, Any]:
    body = await gql.post(
        ISSUE,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentId": to_base64("Enrollment", world.enrollments["Ana Completer"].id),
            }
        },
        token=token_for(world.admin),
    )
    certificate: dict[str, Any] = body["data"]["certificateIssue"]["certificate"]
    return certificate


async def _verify(gql: GraphQLClient, code: str) -> dict[str, Any]:
    body = await gql.post(VERIFY, {"code": code})  # no sign-in
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["verifyCertificate"]
    return result


async def test_a_valid_code_shows_who_what_and_when_without_sign_in(
    gql: GraphQLClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    typed = issued["code"].lower().replace("-", " ")

    assert await _verify(gql, typed) == {
        "code": issued["code"],
        "outcome": "VALID",
        "message": "This certificate is valid.",
        "recipientName": "Ana Completer",
        "certificateType": "Certificate in Effective College Instruction",
        "partnerName": world.partner.name,
        "awardedOn": "2026-08-19",
    }


@pytest.mark.parametrize(
    ("code", "outcome", "message"),
    [
        ("2345-6789-ABC", "UNKNOWN", "No certificate has this code."),
        ("2345-6789", "MALFORMED", "A code has 11 symbols."),
        ("2345-6789-AB0", "MALFORMED", "A code never contains 0 (no 0, O, 1 or I): check the symbols."),
    ],
)
async def test_codes_that_name_no_certificate(
    gql: GraphQLClient, code: str, outcome: str, message: str
) -> None:
    from service.certificates.rules import normalize_code

    if outcome == "UNKNOWN":  # make the unknown code well-formed: give it its right check symbol
        for symbol in "23456789ABCDEFGHJKLMNPQRSTUVWXYZ":
            try:
                code = normalize_code(code[:-1] + symbol)
                break
            except Exception:
                continue

    result = await _verify(gql, code)

    assert (result["outcome"], result["message"], result["recipientName"]) == (outcome, message, None)


async def test_a_mistyped_code_says_so(gql: GraphQLClient, issued: dict[str, Any]) -> None:
    code = issued["code"]
    slipped = code[:-1] + ("A" if code[-1] != "A" else "B")

    result = await _verify(gql, slipped)

    assert (result["outcome"], result["message"]) == ("MISTYPED", "This code is mistyped: check each symbol.")


async def test_staff_revoke_and_the_code_then_shows_nothing_private(
    gql: GraphQLClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    refused = await gql.post(
        REVOKE, {"input": {"id": issued["id"], "reason": "Issued in error"}}, token=token_for(world.admin)
    )
    no_reason = await gql.post(
        REVOKE, {"input": {"id": issued["id"], "reason": "  "}}, token=token_for(world.staff)
    )
    revoked = await gql.post(
        REVOKE, {"input": {"id": issued["id"], "reason": "Issued in error"}}, token=token_for(world.staff)
    )
    again = await gql.post(
        REVOKE, {"input": {"id": issued["id"], "reason": "twice"}}, token=token_for(world.staff)
    )

    assert refused["data"]["certificateRevoke"]["errors"] == [
        {"field": ["id"], "code": "FORBIDDEN", "message": "Only staff may revoke a certificate."}
    ]
    assert [e["code"] for e in no_reason["data"]["certificateRevoke"]["errors"]] == ["REQUIRED"]
    assert revoked["data"]["certificateRevoke"] == {
        "certificate": {"code": issued["code"], "status": "REVOKED", "revokedReason": "Issued in error"},
        "errors": [],
    }
    assert [e["code"] for e in again["data"]["certificateRevoke"]["errors"]] == ["NOT_ALLOWED_IN_STATUS"]
    certificate_key = int(from_base64(issued["id"])[1])
    assert await audit_rows(gql, world.staff) == [  # one entry: the refusals recorded nothing
        (
            "CERTIFICATE_REVOKED",
            world.staff.email,
            world.partner.name,
            f"Certificate:{certificate_key}",
            {"code": issued["code"], "reason": "Issued in error"},
            1,
        )
    ]
    assert await _verify(gql, issued["code"]) == {
        "code": issued["code"],
        "outcome": "REVOKED",
        "message": "This certificate has been revoked and is no longer valid.",
        "recipientName": None,
        "certificateType": None,
        "partnerName": None,
        "awardedOn": None,
    }


async def test_reissue_after_a_name_correction(
    gql: GraphQLClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    # given the course-taker's name was corrected
    await CourseTaker.filter(id=world.enrollments["Ana Completer"].course_taker_id).update(
        name="Ana Completér"
    )

    # when
    body = await gql.post(REISSUE, {"input": {"id": issued["id"]}}, token=token_for(world.admin))

    # then
    new = body["data"]["certificateReissue"]["certificate"]
    assert (new["status"], new["recipientName"]) == ("VALID", "Ana Completér")
    assert new["code"] != issued["code"]
    old = await _verify(gql, issued["code"])
    assert (old["outcome"], old["recipientName"]) == ("REPLACED", None)
    assert (await _verify(gql, new["code"]))["recipientName"] == "Ana Completér"
    assert [(c.code, c.status) for c in await Certificate.all().order_by("id")] == [
        (issued["code"], CertificateStatus.REPLACED),
        (new["code"], CertificateStatus.VALID),
    ]
    assert await audit_rows(gql, world.staff) == [
        (
            "CERTIFICATE_REISSUED",
            world.admin.email,
            world.partner.name,
            f"Certificate:{int(from_base64(issued['id'])[1])}",
            {
                "code": issued["code"],
                "replacedBy": f"Certificate:{int(from_base64(new['id'])[1])}",
                "newCode": new["code"],
            },
            1,
        )
    ]


async def test_another_partner_cannot_reissue(
    gql: GraphQLClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    body = await gql.post(REISSUE, {"input": {"id": issued["id"]}}, token=token_for(world.other_admin))

    assert body["data"]["certificateReissue"]["errors"] == [
        {"field": ["id"], "code": "NOT_FOUND", "message": "Certificate not found."}
    ]


async def test_the_verification_page(
    http: httpx.AsyncClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    page = await http.get(f"/verify/{issued['code']}")
    unknown = await http.get("/verify/%3Cb%3Ebold")

    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert "This certificate is valid." in page.text
    assert '<dd dir="auto">Ana Completer</dd>' in page.text
    assert f'<dd dir="auto">{world.partner.name}</dd>' in page.text
    assert unknown.status_code == 404
    assert "<b>" not in unknown.text and "&lt;b&gt;bold" in unknown.text


async def test_the_verification_page_gives_a_name_its_language_and_direction(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    enrollment = world.enrollments["Ana Completer"]
    await CourseTaker.filter(id=enrollment.course_taker_id).update(name="佐藤 美咲", locale="ja")
    body = await gql.post(
        ISSUE,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentId": to_base64("Enrollment", enrollment.id),
            }
        },
        token=token_for(world.admin),
    )
    page = await http.get(f"/verify/{body['data']['certificateIssue']['certificate']['code']}")

    assert '<dt>Awarded to</dt><dd lang="ja" dir="auto">佐藤 美咲</dd>' in page.text


async def test_verification_is_rate_limited_per_address(gql: GraphQLClient, http: httpx.AsyncClient) -> None:
    answers = [await gql.post(VERIFY, {"code": "2345-6789-ABC"}) for _ in range(31)]
    page = await http.get("/verify/2345-6789-ABC")

    assert all("errors" not in answer for answer in answers[:30])
    assert [(e["message"], e["extensions"]["code"]) for e in answers[30]["errors"]] == [
        ("Too many verifications from your address. Try again in a minute.", "RATE_LIMITED")
    ]
    assert (page.status_code, page.headers["retry-after"]) == (429, "61")


CERTIFICATE = (
    """query Certificate($id: ID!) { node(id: $id) { ... on Certificate { status downloadUrl } } }"""
)


async def _download_link(gql: GraphQLClient, world: CertificatesWorld, certificate_id: str) -> str | None:
    body = await gql.post(CERTIFICATE, {"id": certificate_id}, token=token_for(world.admin))
    link: str | None = body["data"]["node"]["downloadUrl"]
    return link


async def test_a_revoked_certificate_is_no_longer_handed_out_even_through_a_link_made_before(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    # given a link to Ana's certificate, made while it was valid
    link = await _download_link(gql, world, issued["id"])
    assert link is not None

    # when staff revoke it within the link's minutes
    await gql.post(
        REVOKE, {"input": {"id": issued["id"], "reason": "Issued in error"}}, token=token_for(world.staff)
    )

    # then the link answers that it is revoked, and no new link is given
    response = await http.get(link.removeprefix("http://127.0.0.1:8000"))
    assert (response.status_code, response.text) == (
        410,
        "This certificate has been revoked. It can no longer be downloaded.",
    )
    assert await _download_link(gql, world, issued["id"]) is None


async def test_a_replaced_certificate_points_to_its_replacement(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    link = await _download_link(gql, world, issued["id"])
    assert link is not None
    await CourseTaker.filter(id=world.enrollments["Ana Completer"].course_taker_id).update(
        name="Ana Completér"
    )
    body = await gql.post(REISSUE, {"input": {"id": issued["id"]}}, token=token_for(world.admin))
    new = body["data"]["certificateReissue"]["certificate"]

    old_response = await http.get(link.removeprefix("http://127.0.0.1:8000"))
    new_link = await _download_link(gql, world, new["id"])

    assert (old_response.status_code, old_response.text) == (
        410,
        "This certificate was replaced by a corrected one. It can no longer be downloaded: "
        "download the new one in the portal.",
    )
    assert await _download_link(gql, world, issued["id"]) is None
    assert new_link is not None
    assert (await http.get(new_link.removeprefix("http://127.0.0.1:8000"))).status_code == 200


FILE_REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id } errors { field code message } }
}
"""


async def test_a_revoked_certificate_is_not_issued_again_by_the_partner_only_by_staff(
    gql: GraphQLClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    # given staff revoked Ana's certificate
    await gql.post(
        REVOKE, {"input": {"id": issued["id"], "reason": "Issued in error"}}, token=token_for(world.staff)
    )
    ana = to_base64("Enrollment", world.enrollments["Ana Completer"].id)
    gus = to_base64("Enrollment", world.enrollments["Gus Online-Completer"].id)
    refusal = (
        f"Ana Completer's certificate {issued['code']} was revoked by staff (Issued in error); "
        "only staff can issue another."
    )

    # when her partner issues hers again, or asks for a file naming her (a file by filter leaves her
    # out: tests/certificate_files/test_api.py)
    again = await gql.post(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": ana}},
        token=token_for(world.admin),
    )
    selected = await gql.post(
        FILE_REQUEST,
        {"input": {"recognitionId": world.recognition_id, "enrollmentIds": [gus, ana]}},
        token=token_for(world.admin),
    )

    # then each is refused, saying why, and nothing is issued or queued; staff can issue her a new one
    assert again["data"]["certificateIssue"] == {
        "certificate": None,
        "errors": [{"field": ["enrollmentId"], "code": "FORBIDDEN", "message": refusal}],
    }
    assert selected["data"]["certificateFileRequest"] == {
        "job": None,
        "errors": [{"field": ["enrollmentIds", "1"], "code": "FORBIDDEN", "message": refusal}],
    }
    assert [(c.code, c.status) for c in await Certificate.all().order_by("id")] == [
        (issued["code"], CertificateStatus.REVOKED)
    ]
    by_staff = await gql.post(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": ana}},
        token=token_for(world.staff),
    )
    assert by_staff["data"]["certificateIssue"]["errors"] == []
    assert await Certificate.filter(status=CertificateStatus.VALID).count() == 1


CANDIDATES = """query($id: ID!, $search: String) { recognition(id: $id) { ... on Ceremony {
  certificateCandidates(first: 10, filter: {search: $search}) { edges { node {
    name certificate { code status } revokedCertificate { code status revokedReason }
  } } } } } }"""


async def test_the_certificates_step_shows_a_revoked_certificate_until_another_is_issued(
    gql: GraphQLClient, world: CertificatesWorld, issued: dict[str, Any]
) -> None:
    # given staff revoked Ana's certificate
    await gql.post(
        REVOKE, {"input": {"id": issued["id"], "reason": "Issued in error"}}, token=token_for(world.staff)
    )

    # when her partner, and staff, read the certificates step
    by_partner = await gql.data(
        CANDIDATES, {"id": world.recognition_id, "search": "Ana"}, as_user=world.admin
    )
    by_staff = await gql.data(CANDIDATES, {"id": world.recognition_id, "search": "Ana"}, as_user=world.staff)

    # then both see it revoked, with no current certificate
    revoked = {"code": issued["code"], "status": "REVOKED", "revokedReason": "Issued in error"}
    listed = {"name": "Ana Completer", "certificate": None, "revokedCertificate": revoked}
    assert by_partner["recognition"]["certificateCandidates"]["edges"] == [{"node": listed}]
    assert by_staff["recognition"]["certificateCandidates"]["edges"] == [{"node": listed}]

    # and once staff issue her another, that one is shown and the revoked one no longer is
    ana = to_base64("Enrollment", world.enrollments["Ana Completer"].id)
    again = await gql.post(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": ana}},
        token=token_for(world.staff),
    )
    code = again["data"]["certificateIssue"]["certificate"]["code"]
    after = await gql.data(CANDIDATES, {"id": world.recognition_id, "search": "Ana"}, as_user=world.admin)
    assert after["recognition"]["certificateCandidates"]["edges"] == [
        {
            "node": {
                "name": "Ana Completer",
                "certificate": {"code": code, "status": "VALID"},
                "revokedCertificate": None,
            }
        }
    ]
