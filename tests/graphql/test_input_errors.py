"""Every expected refusal of a query or of input the schema cannot take has a stable
``extensions.code`` and says where: ``extensions.field`` (the argument's path, as payload errors
name fields) and the GraphQL ``path`` of the field that refused."""

from __future__ import annotations

from typing import Any

import pytest

from service.recognitions.models import StoredStatus
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.tables import every_row

CREATE = """mutation($input: CertificateRequestCreateInput!) {
  certificateRequestCreate(input: $input) { errors { field code } } }"""
CREATE_LITERAL = """mutation { certificateRequestCreate(input: {name: "Spring",
  dateRange: {start: "2026-02-30", end: "2026-03-31"}, cohortIds: []}) { errors { field code } } }"""
ISSUE = """mutation($input: CertificateIssueInput!) { certificateIssue(input: $input) { errors { code } } }"""
NODE = """query($id: ID!) { node(id: $id) { id } }"""
CANDIDATES = """query($id: ID!) { recognition(id: $id) { certificateCandidates { totalCount } } }"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world(status=StoredStatus.DRAFT)


def _refusals(body: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(error.get("path"), error.get("extensions")) for error in body["errors"]]


async def test_a_date_that_does_not_exist_is_refused_with_a_code_and_its_field(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given
    before = await every_row()
    dates = {"start": "2026-02-30", "end": "2026-03-31"}

    # when it is sent in a variable, and written in the document
    in_variable = await gql.post(
        CREATE,
        {"input": {"name": "Spring", "dateRange": dates, "cohortIds": []}},
        token=token_for(world.admin),
    )
    in_document = await gql.post(CREATE_LITERAL, token=token_for(world.admin))

    # then
    expected = [(None, {"code": "INVALID_DATE", "field": ["dateRange", "start"]})]
    assert (_refusals(in_variable), _refusals(in_document)) == (expected, expected)
    assert await every_row() == before


async def test_an_id_that_is_not_one_is_refused_with_a_code_and_its_field(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given
    before = await every_row()

    # when
    issue = await gql.post(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": "not an id"}},
        token=token_for(world.admin),
    )
    node = await gql.post(NODE, {"id": "%%%"}, token=token_for(world.admin))

    # then
    assert _refusals(issue) == [(["certificateIssue"], {"code": "INVALID_ID", "field": ["enrollmentId"]})]
    assert _refusals(node) == [(["node"], {"code": "INVALID_ID", "field": ["id"]})]
    assert await every_row() == before


async def test_the_certificates_step_of_a_draft_is_refused_with_a_code_at_its_path(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    body = await gql.post(CANDIDATES, {"id": world.recognition_id}, token=token_for(world.admin))

    assert body["data"] == {"recognition": {"certificateCandidates": None}}
    assert _refusals(body) == [(["recognition", "certificateCandidates"], {"code": "NOT_ALLOWED_IN_STATUS"})]
