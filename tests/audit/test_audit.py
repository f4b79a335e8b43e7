"""The audit log: refused sign-ins counted, downloads recorded under the user the link was made for,
and only staff can read it (newest first, paged, filtered)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from strawberry.relay import from_base64, to_base64

from service.audit import services as audit
from service.audit.models import AuditAction, AuditEntry
from service.partners.models import Partner
from tests.support.audit_log import AUDIT_ENTRIES, audit_count, audit_rows
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for

VIEWER = "{ viewer { email } }"
ISSUE = """
mutation Issue($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { id downloadUrl } errors { code } }
}
"""
WRONGLY_SIGNED = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwicm9sZSI6IlNUQUZGIiwiZXhwIjo0MTAyNDQ0ODAwfQ."
    "c2lnbmVkLXdpdGgtYW5vdGhlci1zZWNyZXQtYW5kLW5vdC1vdXJz"
)


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def _issue(gql: GraphQLClient, world: CertificatesWorld, name: str) -> dict[str, Any]:
    variables = {
        "input": {
            "recognitionId": world.recognition_id,
            "enrollmentId": to_base64("Enrollment", world.enrollments[name].id),
        }
    }
    body = await gql.post(ISSUE, variables, token=token_for(world.admin))
    certificate: dict[str, Any] = body["data"]["certificateIssue"]["certificate"]
    return certificate


async def test_refused_tokens_are_counted_per_address_reason_and_hour(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given three wrongly signed tokens and one malformed one, then one more an hour later
    for token in (WRONGLY_SIGNED, WRONGLY_SIGNED, "not-a-token", WRONGLY_SIGNED):
        body = await gql.post(VIEWER, token=token)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    clock.move(timedelta(hours=1))
    await gql.post(VIEWER, token=WRONGLY_SIGNED)

    # when
    rows = await audit_rows(gql, world.staff, actions=["SIGN_IN_FAILED"])

    # then
    signature, malformed = (
        {"reason": "The token's signature is not valid."},
        {"reason": "The token is malformed."},
    )
    assert rows == [
        ("SIGN_IN_FAILED", None, None, "", signature, 1),
        ("SIGN_IN_FAILED", None, None, "", malformed, 1),
        ("SIGN_IN_FAILED", None, None, "", signature, 3),
    ]
    addresses = {entry.address for entry in await AuditEntry.all()}
    assert addresses == {"127.0.0.1"}


async def test_an_authorization_header_of_another_scheme_is_a_failed_sign_in(
    http: httpx.AsyncClient, gql: GraphQLClient, world: CertificatesWorld
) -> None:
    response = await http.post("/graphql", json={"query": VIEWER}, headers={"Authorization": "Basic YTpi"})

    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await audit_rows(gql, world.staff) == [
        (
            "SIGN_IN_FAILED",
            None,
            None,
            "",
            {"reason": "The Authorization header must be 'Bearer <token>'."},
            1,
        )
    ]


async def test_a_missing_token_is_no_failed_sign_in(gql: GraphQLClient) -> None:
    body = await gql.post(VIEWER)

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await audit_count() == 0


async def test_a_download_is_recorded_under_the_user_the_link_was_made_for(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given a link made for the partner admin
    certificate = await _issue(gql, world, "Ana Completer")
    url = certificate["downloadUrl"].removeprefix("http://127.0.0.1:8000")

    # when it is opened (twice), and a tampered one once
    for _ in range(2):
        assert (await http.get(url)).status_code == 200
    by_staff = url.replace(f"by={world.admin.id}", f"by={world.staff.id}")
    assert (await http.get(by_staff)).status_code == 403

    # then
    subject = f"Certificate:{from_base64(certificate['id'])[1]}"
    assert await audit_rows(gql, world.staff) == [
        ("FILE_DOWNLOADED", world.admin.email, world.partner.name, subject, {}, 1),
        ("FILE_DOWNLOADED", world.admin.email, world.partner.name, subject, {}, 1),
    ]


async def test_a_head_or_the_rest_of_a_file_in_ranges_is_not_another_download(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given a link, opened once as a PDF reader does: the start, then the rest in ranges
    certificate = await _issue(gql, world, "Ana Completer")
    url = certificate["downloadUrl"].removeprefix("http://127.0.0.1:8000")
    first = await http.get(url, headers={"Range": "bytes=0-1023"})

    # when
    head = await http.head(url)
    rest = await http.get(url, headers={"Range": "bytes=1024-"})

    # then
    assert [response.status_code for response in (first, head, rest)] == [206, 200, 206]
    assert [row[0] for row in await audit_rows(gql, world.staff)] == ["FILE_DOWNLOADED"]


async def test_only_staff_read_the_audit_log(gql: GraphQLClient, world: CertificatesWorld) -> None:
    body = await gql.post(AUDIT_ENTRIES, token=token_for(world.admin))

    assert body["data"] is None
    assert [(error["message"], error["extensions"]["code"]) for error in body["errors"]] == [
        ("Only staff may read the audit log.", "FORBIDDEN")
    ]


async def test_the_log_pages_newest_first_and_filters_by_partner(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given five entries a minute apart, the last of another partner
    for number in range(5):
        partner = world.partner if number < 4 else await Partner.get(id=world.other_admin.partner_id)
        await audit.record(
            action=AuditAction.FILE_DOWNLOADED,
            now=clock.now() + timedelta(minutes=number),
            actor_id=world.admin.id,
            partner_id=partner.id,
            subject=f"Certificate:{number}",
        )

    # when
    first = await gql.data(AUDIT_ENTRIES, {"first": 2}, as_user=world.staff)
    cursor = first["auditEntries"]["pageInfo"]["endCursor"]
    rest = await gql.data(AUDIT_ENTRIES, {"first": 10, "after": cursor}, as_user=world.staff)
    partners = await gql.data(
        AUDIT_ENTRIES, {"partnerId": to_base64("Partner", world.partner.id), "first": 2}, as_user=world.staff
    )

    # then
    def subjects(data: dict[str, Any]) -> list[str]:
        return [edge["node"]["subject"] for edge in data["auditEntries"]["edges"]]

    assert (subjects(first), first["auditEntries"]["pageInfo"]["hasNextPage"]) == (
        ["Certificate:4", "Certificate:3"],
        True,
    )
    assert (subjects(rest), rest["auditEntries"]["pageInfo"]["hasNextPage"]) == (
        ["Certificate:2", "Certificate:1", "Certificate:0"],
        False,
    )
    assert subjects(partners) == ["Certificate:3", "Certificate:2"]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"first": 0}, "INVALID_PAGE_SIZE", ["first"]),
        ({"after": "not-a-cursor"}, "INVALID_CURSOR", ["after"]),
    ],
)
async def test_a_bad_page_request_is_a_clear_error(
    gql: GraphQLClient, world: CertificatesWorld, variables: dict[str, Any], code: str, field: list[str]
) -> None:
    body = await gql.post(AUDIT_ENTRIES, variables, token=token_for(world.staff))

    assert body["data"] is None
    assert [(error["extensions"]["code"], error["extensions"]["field"]) for error in body["errors"]] == [
        (code, field)
    ]
