"""The details popup's figures on a recognition: completers, approaching, certificates issued; the
same few queries for a whole dashboard page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from strawberry.relay import to_base64

from service.recognitions.models import Recognition, RecognitionCohort, RecognitionKind, StoredStatus
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient
from tests.support.query_counter import counting_queries

COUNTS = (
    """query($id: ID!) { recognition(id: $id) { counts { completers approaching certificatesIssued } } }"""
)
ISSUE = """mutation($input: CertificateIssueInput!) { certificateIssue(input: $input) { errors { code } } }"""
DASHBOARD = """{ recognitions(first: 50) {
  edges { node { name counts { completers approaching certificatesIssued } } } } }"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def test_the_popup_counts_completers_approaching_and_certificates(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given two certificates issued, one of them provisional
    for name in ("Ana Completer", "Cai Approaching"):
        enrollment_id = to_base64("Enrollment", world.enrollments[name].id)
        await gql.data(
            ISSUE,
            {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment_id}},
            as_user=world.admin,
        )

    # when
    data = await gql.data(COUNTS, {"id": world.recognition_id}, as_user=world.admin)

    # then: Ana, Dov, Gus complete; Cai, Hal, Jo approaching
    assert data == {"recognition": {"counts": {"completers": 3, "approaching": 3, "certificatesIssued": 2}}}


async def test_a_dashboard_page_counts_in_the_same_queries_however_many_rows(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    with counting_queries() as one:
        await gql.data(DASHBOARD, as_user=world.admin)
    for number in range(5):
        request = await Recognition.create(
            partner=world.partner,
            kind=RecognitionKind.CERTIFICATE_REQUEST,
            name=f"Request {number}",
            status=StoredStatus.CREATED,
            range_start=date(2026, 6, 1),
            range_end=date(2026, 9, 30),
            created_by=world.admin,
            created_at=datetime(2026, 9, 2, tzinfo=UTC),
            updated_at=datetime(2026, 9, 2, tzinfo=UTC),
        )
        await RecognitionCohort.create(recognition=request, cohort=world.open_cohort)
    with counting_queries() as six:
        data = await gql.data(DASHBOARD, as_user=world.admin)

    assert len(data["recognitions"]["edges"]) == 6
    assert {
        edge["node"]["name"]: edge["node"]["counts"]["completers"] for edge in data["recognitions"]["edges"]
    } == {
        "Autumn ceremony": 3,
        **{f"Request {number}": 1 for number in range(5)},
    }
    assert len(one) == len(six), six
