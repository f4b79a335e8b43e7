"""One completion date per completed enrolment: the same day on the list, the certificate, the CSV
and verification (the day, in the partner's time zone, the LMS reported completion)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pypdf
import pytest
from strawberry.relay import to_base64

from service.enrollments.models import Enrollment
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

CANDIDATES = """query($id: ID!) { recognition(id: $id) { certificateCandidates(filter: {kind: COMPLETER}) {
  edges { node { name completedOn completedAt } } } } }"""
ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { code awardedOn downloadUrl } errors { code } } }"""
EXPORT = """mutation($input: CertificateCandidatesExportInput!) {
  certificateCandidatesExport(input: $input) { downloadUrl errors { code } } }"""
VERIFY = """query($code: String!) { verifyCertificate(code: $code) { outcome awardedOn } }"""
# Midnight UTC on the 26th is still the evening of the 25th in Chicago, the partner's time zone.
COMPLETED_AT = datetime(2026, 9, 26, 0, 0, tzinfo=UTC)


@pytest.fixture
async def world() -> CertificatesWorld:
    world = await make_certificates_world()
    await Enrollment.filter(id=world.enrollments["Ana Completer"].id).update(completed_at=COMPLETED_AT)
    return world


def _local(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


async def _data(gql: GraphQLClient, world: CertificatesWorld, query: str, variables: dict[str, Any]) -> Any:
    body = await gql.post(query, variables, token=token_for(world.admin))
    assert "errors" not in body, body
    return body["data"]


async def test_the_list_the_certificate_the_csv_and_verification_show_the_same_day(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given Ana, who completed at 2026-09-26T00:00Z, at a partner in America/Chicago
    ana = to_base64("Enrollment", world.enrollments["Ana Completer"].id)

    # when the list, the certificate, the CSV and both verifications are read
    listed = await _data(gql, world, CANDIDATES, {"id": world.recognition_id})
    issued = (
        await _data(
            gql, world, ISSUE, {"input": {"recognitionId": world.recognition_id, "enrollmentId": ana}}
        )
    )["certificateIssue"]["certificate"]
    pdf = await http.get(_local(issued["downloadUrl"]))
    export = (
        await _data(
            gql, world, EXPORT, {"input": {"recognitionId": world.recognition_id, "enrollmentIds": [ana]}}
        )
    )["certificateCandidatesExport"]
    rows = list(
        csv.reader(io.StringIO((await http.get(_local(export["downloadUrl"]))).text.lstrip("\ufeff")))
    )
    verified = (await gql.post(VERIFY, {"code": issued["code"]}))["data"]["verifyCertificate"]
    page = await http.get(f"/verify/{issued['code']}")

    # then every one says 25 September 2026
    [ana_row] = [edge["node"] for edge in listed["recognition"]["certificateCandidates"]["edges"]][:1]
    assert ana_row == {
        "name": "Ana Completer",
        "completedOn": "2026-09-25",
        "completedAt": "2026-09-26T00:00:00+00:00",
    }
    assert issued["awardedOn"] == "2026-09-25"
    assert "25 September 2026" in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert rows[1][rows[0].index("Completion date")] == "2026-09-25"
    assert verified == {"outcome": "VALID", "awardedOn": "2026-09-25"}
    assert '<dt>Date</dt><dd dir="auto">25 September 2026</dd>' in page.text
