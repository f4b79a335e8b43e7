"""Tenancy: another partner's records answer exactly like records that do not exist; staff see all."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from strawberry.relay import to_base64

from service.partners.models import Partner
from tests.support.factories import make_admin, make_cohort, make_partner, make_program, make_staff
from tests.support.graphql_client import GraphQLClient

NODE_QUERY = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Program { name partner { name } }
    ... on Cohort { name program { name } }
    ... on Partner { name }
    ... on User { email }
  }
}
"""


@pytest.fixture
async def two_partners() -> dict[str, Any]:
    partner_a = await make_partner("A")
    partner_b = await make_partner("B")
    program_b = await make_program(partner_b, "Program of B")
    cohort_b = await make_cohort(program_b, ends_on=date(2026, 6, 30), name="B cohort")
    return {
        "admin_a": await make_admin(partner_a),
        "admin_b": await make_admin(partner_b),
        "staff": await make_staff(),
        "partner_b": partner_b,
        "program_b": program_b,
        "cohort_b": cohort_b,
    }


@pytest.mark.parametrize(
    ("type_name", "record"),
    [("Program", "program_b"), ("Cohort", "cohort_b"), ("Partner", "partner_b"), ("User", "admin_b")],
)
async def test_partner_admin_gets_not_found_for_another_partners_record(
    gql: GraphQLClient, two_partners: dict[str, Any], type_name: str, record: str
) -> None:
    # given
    other_partners_id = to_base64(type_name, two_partners[record].id)
    missing_id = to_base64(type_name, 987654)

    # when
    foreign = await gql.post(NODE_QUERY, {"id": other_partners_id}, token=_token(two_partners, "admin_a"))
    missing = await gql.post(NODE_QUERY, {"id": missing_id}, token=_token(two_partners, "admin_a"))

    # then: the same answer, so ids leak nothing
    assert foreign == {"data": {"node": None}}
    assert missing == {"data": {"node": None}}


async def test_partner_admin_sees_own_partners_program(
    gql: GraphQLClient, two_partners: dict[str, Any]
) -> None:
    program_b = two_partners["program_b"]

    data = await gql.data(
        NODE_QUERY,
        {"id": to_base64("Program", program_b.id)},
        as_user=two_partners["admin_b"],
    )

    assert data == {
        "node": {
            "__typename": "Program",
            "id": to_base64("Program", program_b.id),
            "name": "Program of B",
            "partner": {"name": two_partners["partner_b"].name},
        }
    }


async def test_staff_see_every_partners_records(gql: GraphQLClient, two_partners: dict[str, Any]) -> None:
    cohort_b = two_partners["cohort_b"]

    data = await gql.data(
        NODE_QUERY,
        {"id": to_base64("Cohort", cohort_b.id)},
        as_user=two_partners["staff"],
    )

    assert data == {
        "node": {
            "__typename": "Cohort",
            "id": to_base64("Cohort", cohort_b.id),
            "name": "B cohort",
            "program": {"name": "Program of B"},
        }
    }


@pytest.mark.parametrize("raw_id", ["UHJvZ3JhbTp4", to_base64("Program", "-1"), to_base64("Nothing", 1)])
async def test_ids_that_name_nothing_answer_like_missing_ones(
    gql: GraphQLClient, two_partners: dict[str, Any], raw_id: str
) -> None:
    body = await gql.post(NODE_QUERY, {"id": raw_id}, token=_token(two_partners, "staff"))

    assert body == {"data": {"node": None}}


async def test_a_value_that_is_no_global_id_is_refused(
    gql: GraphQLClient, two_partners: dict[str, Any]
) -> None:
    body = await gql.post(NODE_QUERY, {"id": "garbage!"}, token=_token(two_partners, "staff"))

    assert body["data"] == {"node": None}
    assert [error["message"] for error in body["errors"]] == [
        'Value cannot represent a GlobalID: "garbage!".'
    ]


def _token(records: dict[str, Any], who: str) -> str:
    from tests.support.graphql_client import token_for

    return token_for(records[who])


PARTNERS_QUERY = "{ partners { name } }"


async def test_a_partner_admin_sees_only_their_partner_among_partners(
    gql: GraphQLClient, two_partners: dict[str, Any]
) -> None:
    data = await gql.data(PARTNERS_QUERY, as_user=two_partners["admin_b"])

    assert data == {"partners": [{"name": two_partners["partner_b"].name}]}


async def test_staff_see_every_partner_by_name(gql: GraphQLClient, two_partners: dict[str, Any]) -> None:
    zeta, alpha = await make_partner("Zeta"), await make_partner("Alpha")

    data = await gql.data(PARTNERS_QUERY, as_user=two_partners["staff"])

    partner_a = await Partner.get(id=two_partners["admin_a"].partner_id)
    names = [partner_a.name, alpha.name, two_partners["partner_b"].name, zeta.name]  # "A 1" < "Alpha 3"
    assert data == {"partners": [{"name": name} for name in names]}
