"""A recognition selects at most 1,000 cohorts: a longer list (repeats counted) is refused with one
field-level error before any query, on both wizards' create and update, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import to_base64

from service.recognitions.models import Recognition, RecognitionEvent
from tests.support.graphql_client import GraphQLClient
from tests.support.query_counter import counting_queries
from tests.support.recognition_api import (
    CEREMONY_CREATE,
    CEREMONY_UPDATE,
    REQUEST_CREATE,
    REQUEST_UPDATE,
    World,
    call_mutation,
    make_world,
    step1,
)


@pytest.fixture
async def world() -> World:
    return await make_world()


def _ids(count: int) -> list[str]:
    return [to_base64("Cohort", number) for number in range(1, count + 1)]


def _errors(result: dict[str, Any]) -> list[tuple[list[str], str, str]]:
    return [(error["field"], error["code"], error["message"]) for error in result["errors"]]


async def _stored() -> tuple[list[dict[str, Any]], int]:
    return await Recognition.all().order_by("id").values(), await RecognitionEvent.all().count()


@pytest.mark.parametrize(
    ("mutation", "name"),
    [(CEREMONY_CREATE, "ceremonyCreate"), (REQUEST_CREATE, "certificateRequestCreate")],
)
async def test_creating_with_more_than_1000_cohorts_is_refused_before_any_query(
    gql: GraphQLClient, world: World, mutation: str, name: str
) -> None:
    # when step 1 names 40,000 cohorts
    with counting_queries() as statements:
        result = await call_mutation(
            gql, mutation, name, {**step1(world), "cohortIds": _ids(40_000)}, world.admin
        )

    # then one error says how many are allowed, no cohort was looked up, and nothing is stored
    assert _errors(result) == [
        (
            ["cohortIds"],
            "SELECTION_TOO_LARGE",
            "40,000 cohorts are selected; a recognition may select at most 1,000.",
        )
    ]
    assert [statement for statement in statements if "cohort" in statement.lower()] == []
    assert await _stored() == ([], 0)


async def test_updating_either_wizard_with_more_than_1000_cohorts_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony and a certificate request
    ceremony = await call_mutation(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.admin)
    request = await call_mutation(gql, REQUEST_CREATE, "certificateRequestCreate", step1(world), world.admin)
    before = await _stored()

    # when each is given 1,001 cohorts
    ceremony_update = await call_mutation(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["ceremony"]["id"], "cohortIds": _ids(1001)},
        world.admin,
    )
    request_update = await call_mutation(
        gql,
        REQUEST_UPDATE,
        "certificateRequestUpdate",
        {"id": request["certificateRequest"]["id"], "cohortIds": _ids(1001)},
        world.admin,
    )

    # then
    refusal = (
        ["cohortIds"],
        "SELECTION_TOO_LARGE",
        "1,001 cohorts are selected; a recognition may select at most 1,000.",
    )
    assert (_errors(ceremony_update), _errors(request_update)) == ([refusal], [refusal])
    assert await _stored() == before


async def test_1000_entries_are_allowed_repeats_dropped(gql: GraphQLClient, world: World) -> None:
    # when step 1 names the summer cohort 1,000 times
    repeated = world.cohort_ids(world.summer) * 1000
    result = await call_mutation(
        gql, CEREMONY_CREATE, "ceremonyCreate", {**step1(world), "cohortIds": repeated}, world.admin
    )

    # then it is saved with the one cohort
    assert result["errors"] == []
    assert result["ceremony"]["cohorts"] == [{"name": world.summer.name}]
