"""Step 1 of the wizards: programs with the cohorts whose end date lies in a range."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from strawberry.relay import to_base64

from tests.support.factories import make_admin, make_cohort, make_partner, make_program, make_staff
from tests.support.graphql_client import GraphQLClient, token_for

PROGRAMS_QUERY = """
query Programs($range: DateRangeInput!, $partnerId: ID) {
  programs(cohortsEndingBetween: $range, partnerId: $partnerId) {
    name
    cohorts { name endsOn }
  }
}
"""


@pytest.fixture
async def catalogue() -> dict[str, Any]:
    riverside = await make_partner("Riverside")
    lakeshore = await make_partner("Lakeshore")
    teaching = await make_program(riverside, "Effective Teaching Practices")
    online = await make_program(riverside, "Effective Online Teaching")
    belonging = await make_program(lakeshore, "Belonging")
    await make_cohort(teaching, ends_on=date(2026, 2, 28), name="Day before start")
    await make_cohort(teaching, ends_on=date(2026, 3, 1), name="On start day")
    await make_cohort(teaching, ends_on=date(2026, 4, 15), name="Inside")
    await make_cohort(online, ends_on=date(2026, 5, 31), name="On end day")
    await make_cohort(online, ends_on=date(2026, 6, 1), name="Day after end")
    await make_cohort(belonging, ends_on=date(2026, 4, 1), name="Lakeshore inside")
    return {
        "riverside": riverside,
        "lakeshore": lakeshore,
        "riverside_admin": await make_admin(riverside),
        "staff": await make_staff(),
    }


SPRING = {"start": "2026-03-01", "end": "2026-05-31"}


async def test_finds_cohorts_ending_on_either_boundary_grouped_by_program(
    gql: GraphQLClient, catalogue: dict[str, Any]
) -> None:
    data = await gql.data(PROGRAMS_QUERY, {"range": SPRING}, as_user=catalogue["riverside_admin"])

    assert data == {
        "programs": [
            {
                "name": "Effective Online Teaching",
                "cohorts": [{"name": "On end day", "endsOn": "2026-05-31"}],
            },
            {
                "name": "Effective Teaching Practices",
                "cohorts": [
                    {"name": "On start day", "endsOn": "2026-03-01"},
                    {"name": "Inside", "endsOn": "2026-04-15"},
                ],
            },
        ]
    }


async def test_a_single_day_range_finds_that_day_only(gql: GraphQLClient, catalogue: dict[str, Any]) -> None:
    data = await gql.data(
        PROGRAMS_QUERY,
        {"range": {"start": "2026-04-15", "end": "2026-04-15"}},
        as_user=catalogue["riverside_admin"],
    )

    assert data == {
        "programs": [
            {"name": "Effective Teaching Practices", "cohorts": [{"name": "Inside", "endsOn": "2026-04-15"}]}
        ]
    }


async def test_staff_see_every_partner_or_the_one_they_name(
    gql: GraphQLClient, catalogue: dict[str, Any]
) -> None:
    staff = catalogue["staff"]
    lakeshore_id = to_base64("Partner", catalogue["lakeshore"].id)

    everyone = await gql.data(PROGRAMS_QUERY, {"range": SPRING}, as_user=staff)
    named = await gql.data(PROGRAMS_QUERY, {"range": SPRING, "partnerId": lakeshore_id}, as_user=staff)

    assert [program["name"] for program in everyone["programs"]] == [
        "Belonging",
        "Effective Online Teaching",
        "Effective Teaching Practices",
    ]
    assert named == {
        "programs": [{"name": "Belonging", "cohorts": [{"name": "Lakeshore inside", "endsOn": "2026-04-01"}]}]
    }


@pytest.mark.parametrize("partner_id", [to_base64("Partner", 424242), to_base64("Program", 1)])
async def test_naming_a_partner_that_is_not_there_is_not_found(
    gql: GraphQLClient, catalogue: dict[str, Any], partner_id: str
) -> None:
    body = await gql.post(
        PROGRAMS_QUERY, {"range": SPRING, "partnerId": partner_id}, token=token_for(catalogue["staff"])
    )

    assert body["data"] is None
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("NOT_FOUND", ["partnerId"])
    ]


async def test_partner_admin_cannot_name_another_partner(
    gql: GraphQLClient, catalogue: dict[str, Any]
) -> None:
    lakeshore_id = to_base64("Partner", catalogue["lakeshore"].id)

    body = await gql.post(
        PROGRAMS_QUERY,
        {"range": SPRING, "partnerId": lakeshore_id},
        token=token_for(catalogue["riverside_admin"]),
    )

    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("Partner not found.", "NOT_FOUND")
    ]


@pytest.mark.parametrize(
    ("date_range", "code", "field", "message"),
    [
        (
            {"start": "2026-05-31", "end": "2026-03-01"},
            "INVALID_DATE_RANGE",
            ["cohortsEndingBetween", "start"],
            "The range starts on 31 May 2026, after its end, 1 March 2026.",
        ),
        (
            {"start": "2026-01-01", "end": "2027-01-02"},
            "DATE_RANGE_TOO_LONG",
            ["cohortsEndingBetween", "end"],
            "The range covers 367 days, 1 January 2026 to 2 January 2027 with both included; at most 366 "
            "are allowed: from 1 January 2026, end it on 1 January 2027 at the latest.",
        ),
        (
            {"start": "2025-01-01", "end": "2026-12-31"},
            "DATE_RANGE_TOO_LONG",
            ["cohortsEndingBetween", "end"],
            "The range covers 730 days, 1 January 2025 to 31 December 2026 with both included; at most "
            "366 are allowed: from 1 January 2025, end it on 1 January 2026 at the latest.",
        ),
    ],
    ids=["start-after-end", "one-day-more-than-366", "two-whole-years"],
)
async def test_refuses_a_bad_range_naming_the_field(
    gql: GraphQLClient,
    catalogue: dict[str, Any],
    date_range: dict[str, str],
    code: str,
    field: list[str],
    message: str,
) -> None:
    body = await gql.post(
        PROGRAMS_QUERY, {"range": date_range}, token=token_for(catalogue["riverside_admin"])
    )

    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        (message, {"code": code, "field": field})
    ]


async def test_a_range_of_exactly_366_days_is_accepted(gql: GraphQLClient, catalogue: dict[str, Any]) -> None:
    # 1 June 2025 to 1 June 2026, both days included: 366 days (the last end day a refusal names)
    data = await gql.data(
        PROGRAMS_QUERY,
        {"range": {"start": "2025-06-01", "end": "2026-06-01"}},
        as_user=catalogue["riverside_admin"],
    )

    assert [len(program["cohorts"]) for program in data["programs"]] == [2, 3]
