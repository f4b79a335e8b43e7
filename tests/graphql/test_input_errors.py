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


# Each refusal written in the document, and the same value sent in a variable: one code, one field.
LITERAL_AND_VARIABLE: dict[str, tuple[str, str, dict[str, Any], dict[str, Any]]] = {
    "an enum value that does not exist": (
        "{ recognitions(filter: {statuses: [DRAFT, FOO]}) { totalCount } }",
        "query($s: [RecognitionStatus!]) { recognitions(filter: {statuses: $s}) { totalCount } }",
        {"s": ["DRAFT", "FOO"]},
        {"code": "INVALID_VALUE", "field": ["filter", "statuses", "1"]},
    ),
    "text for a number": (
        '{ recognitions(first: "x") { totalCount } }',
        "query($f: Int) { recognitions(first: $f) { totalCount } }",
        {"f": "x"},
        {"code": "INVALID_VALUE", "field": ["first"]},
    ),
    "a date that does not exist": (
        '{ programs(cohortsEndingBetween: {start: "2026-02-30", end: "2026-12-01"}) { name } }',
        'query($d: Date!) { programs(cohortsEndingBetween: {start: $d, end: "2026-12-01"}) { name } }',
        {"d": "2026-02-30"},
        {"code": "INVALID_DATE", "field": ["cohortsEndingBetween", "start"]},
    ),
    "a required field left out": (
        '{ programs(cohortsEndingBetween: {start: "2026-01-01"}) { name } }',
        "query($r: DateRangeInput!) { programs(cohortsEndingBetween: $r) { name } }",
        {"r": {"start": "2026-01-01"}},
        {"code": "INVALID_VALUE", "field": ["cohortsEndingBetween"]},
    ),
    "a required argument left out": (
        "{ earliestCeremonyDate }",
        "query($t: String!) { earliestCeremonyDate(timeZone: $t) }",
        {},
        {"code": "INVALID_VALUE", "field": ["timeZone"]},
    ),
    "an input under a variable of any name": (
        CREATE_LITERAL,
        "mutation($in: CertificateRequestCreateInput!) {"
        " certificateRequestCreate(input: $in) { errors { code } } }",
        {
            "in": {
                "name": "Spring",
                "dateRange": {"start": "2026-02-30", "end": "2026-03-31"},
                "cohortIds": [],
            }
        },
        {"code": "INVALID_DATE", "field": ["dateRange", "start"]},
    ),
}


@pytest.mark.parametrize("case", list(LITERAL_AND_VARIABLE))
async def test_a_refused_argument_has_one_code_and_field_written_or_in_a_variable(
    gql: GraphQLClient, world: CertificatesWorld, case: str
) -> None:
    # given
    literal, with_variable, variables, expected = LITERAL_AND_VARIABLE[case]
    before = await every_row()

    # when the value is written in the document, and sent in a variable
    written = await gql.post(literal, token=token_for(world.admin))
    sent = await gql.post(with_variable, variables, token=token_for(world.admin))

    # then both are refused before running, with the same code and the argument's path
    assert (_refusals(written), _refusals(sent)) == ([(None, expected)], [(None, expected)])
    assert (written["data"], sent["data"]) == (None, None)
    assert await every_row() == before


async def test_an_id_written_as_a_number_is_refused_at_its_argument(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    body = await gql.post("{ node(id: 5) { id } }", token=token_for(world.admin))

    assert _refusals(body) == [(["node"], {"code": "INVALID_ID", "field": ["id"]})]


async def test_a_variable_used_in_several_places_is_named_by_itself(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given one variable at two arguments, and one in a fragment spread twice (one place in the document)
    twice = "query($d: Date!) { programs(cohortsEndingBetween: {start: $d, end: $d}) { name } }"
    in_a_fragment = """query($d: Date!) { ...Programs ...Programs }
      fragment Programs on Query {
        programs(cohortsEndingBetween: {start: $d, end: "2026-12-01"}) { name } }"""
    in_a_directive = "query($x: Boolean!) { viewer @include(if: $x) { email } }"

    # when each is sent a value it cannot take
    bodies = [
        await gql.post(twice, {"d": "2026-02-30"}, token=token_for(world.admin)),
        await gql.post(in_a_fragment, {"d": "2026-02-30"}, token=token_for(world.admin)),
        await gql.post(in_a_directive, {"x": "no"}, token=token_for(world.admin)),
    ]

    # then a variable without one place in a field's arguments is named by itself, $ and all
    assert [_refusals(body) for body in bodies] == [
        [(None, {"code": "INVALID_DATE", "field": ["$d"]})],
        [(None, {"code": "INVALID_DATE", "field": ["cohortsEndingBetween", "start"]})],
        [(None, {"code": "INVALID_VALUE", "field": ["$x"]})],
    ]
