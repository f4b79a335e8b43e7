"""The certificate-request wizard: a draft, then CREATED; it never expires."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from strawberry.relay import from_base64

from service.recognitions.models import Recognition, RecognitionEvent
from tests.support.clock import MovableClock
from tests.support.factories import make_cohort
from tests.support.graphql_client import GraphQLClient
from tests.support.recognition_api import (
    DASHBOARD,
    RECOGNITION_DELETE,
    REQUEST_CREATE,
    REQUEST_FINALIZE,
    REQUEST_UPDATE,
    World,
    make_world,
    step1,
)
from tests.support.recognition_api import (
    call_mutation as _call,
)


@pytest.fixture
async def world() -> World:
    return await make_world()


async def _draft(gql: GraphQLClient, world: World) -> dict[str, Any]:
    created = await _call(gql, REQUEST_CREATE, "certificateRequestCreate", step1(world), world.admin)
    assert created["errors"] == []
    return created["certificateRequest"]  # type: ignore[no-any-return]


async def test_create_update_finalize(gql: GraphQLClient, world: World) -> None:
    draft = await _draft(gql, world)
    assert (draft["__typename"], draft["name"], draft["status"], draft["availableActions"]) == (
        "CertificateRequest",
        "Certificate request: cohorts ending 1 May 2026 to 31 August 2026",
        "DRAFT",
        ["VIEW", "EDIT", "FINALIZE", "DELETE"],
    )

    updated = await _call(
        gql,
        REQUEST_UPDATE,
        "certificateRequestUpdate",
        {"id": draft["id"], "name": "Summer certificates", "cohortIds": world.cohort_ids(world.summer)},
        world.admin,
    )
    assert (updated["errors"], updated["certificateRequest"]["cohorts"]) == ([], [{"name": "Summer"}])

    finalized = await _call(
        gql, REQUEST_FINALIZE, "certificateRequestFinalize", {"id": draft["id"]}, world.admin
    )
    request = finalized["certificateRequest"]
    assert (finalized["errors"], request["status"], request["finalizedAt"], request["availableActions"]) == (
        [],
        "CREATED",
        "2026-09-19T22:00:00+00:00",
        ["VIEW", "CERTIFICATES"],
    )
    assert [(event["kind"], event["changes"]) for event in request["events"]] == [
        (
            "CREATED",
            {
                "name": "Certificate request: cohorts ending 1 May 2026 to 31 August 2026",
                "dateRange": {"start": "2026-05-01", "end": "2026-08-31"},
                "cohortIds": [world.spring.id, world.summer.id],
            },
        ),
        (
            "UPDATED",
            {
                "name": {
                    "from": "Certificate request: cohorts ending 1 May 2026 to 31 August 2026",
                    "to": "Summer certificates",
                },
                "cohortIds": [world.summer.id],
            },
        ),
        ("FINALIZED", {"status": {"from": "DRAFT", "to": "CREATED"}}),
    ]


async def test_finalizing_twice_records_one_transition(gql: GraphQLClient, world: World) -> None:
    draft = await _draft(gql, world)

    for _ in range(2):
        result = await _call(
            gql, REQUEST_FINALIZE, "certificateRequestFinalize", {"id": draft["id"]}, world.admin
        )
        assert (result["errors"], result["certificateRequest"]["status"]) == ([], "CREATED")

    assert await RecognitionEvent.filter(kind="FINALIZED").count() == 1


async def test_a_created_request_is_neither_edited_nor_deleted(gql: GraphQLClient, world: World) -> None:
    draft = await _draft(gql, world)
    await _call(gql, REQUEST_FINALIZE, "certificateRequestFinalize", {"id": draft["id"]}, world.admin)
    before = await Recognition.all().values()

    edit = await _call(
        gql, REQUEST_UPDATE, "certificateRequestUpdate", {"id": draft["id"], "name": "x"}, world.admin
    )
    delete = await _call(gql, RECOGNITION_DELETE, "recognitionDelete", {"id": draft["id"]}, world.admin)

    assert [(e["code"], e["message"]) for e in edit["errors"]] == [
        ("NOT_ALLOWED_IN_STATUS", "A certificate request with status \u201cCreated\u201d cannot be edited.")
    ]
    assert [(e["code"], e["message"]) for e in delete["errors"]] == [
        ("NOT_ALLOWED_IN_STATUS", "A certificate request with status \u201cCreated\u201d cannot be deleted.")
    ]
    assert await Recognition.all().values() == before


async def test_a_created_request_never_expires(gql: GraphQLClient, world: World, clock: MovableClock) -> None:
    draft = await _draft(gql, world)
    await _call(gql, REQUEST_FINALIZE, "certificateRequestFinalize", {"id": draft["id"]}, world.admin)

    clock.move(timedelta(days=3650))

    dashboard = await gql.data(DASHBOARD, as_user=world.admin)
    assert [edge["node"]["status"] for edge in dashboard["recognitions"]["edges"]] == ["CREATED"]


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"dateRange": None}, [(["dateRange"], "REQUIRED")]),
        ({"cohortIds": None}, [(["cohortIds"], "NO_COHORTS_SELECTED")]),
        ({"name": None}, [(["name"], "REQUIRED")]),
        (
            {"dateRange": {"start": "2026-06-01", "end": "2026-08-31"}},
            [(["cohortIds", "0"], "COHORT_OUTSIDE_RANGE")],
        ),
    ],
    ids=["range-cleared", "cohorts-cleared", "name-cleared", "range-leaves-a-cohort-out"],
)
async def test_update_refusals_change_nothing(
    gql: GraphQLClient, world: World, change: dict[str, Any], errors: list[tuple[list[str], str]]
) -> None:
    draft = await _draft(gql, world)
    before = await Recognition.all().values()

    result = await _call(
        gql, REQUEST_UPDATE, "certificateRequestUpdate", {"id": draft["id"], **change}, world.admin
    )

    assert [(e["field"], e["code"]) for e in result["errors"]] == errors
    assert await Recognition.all().values() == before


@pytest.mark.parametrize("name_sent_back", [False, True])
async def test_a_default_name_follows_the_range_and_a_chosen_one_stays(
    gql: GraphQLClient, world: World, name_sent_back: bool
) -> None:
    # given a draft with the default name, and one named by its admin
    default = await _draft(gql, world)
    named = await _call(
        gql, REQUEST_CREATE, "certificateRequestCreate", step1(world, name="Summer certificates"), world.admin
    )
    assert named["errors"] == []

    # when each range is narrowed to 15 May–August (a page may send the name back as it showed it)
    for draft in (default, named["certificateRequest"]):
        change = {"id": draft["id"], "dateRange": {"start": "2026-05-15", "end": "2026-08-31"}}
        if name_sent_back:
            change["name"] = draft["name"]
        updated = await _call(gql, REQUEST_UPDATE, "certificateRequestUpdate", change, world.admin)
        assert updated["errors"] == []
        draft["name"] = updated["certificateRequest"]["name"]

    # then the default name tells the new range; the chosen one is kept
    assert (default["name"], named["certificateRequest"]["name"]) == (
        "Certificate request: cohorts ending 15 May 2026 to 31 August 2026",
        "Summer certificates",
    )


@pytest.mark.parametrize(
    "stored",
    [None, "Certificate request: cohorts ending 14 January 2027 to 14 January 2027"],
    ids=["given-now", "stored-before"],
)
async def test_a_one_day_range_is_named_by_that_day_and_the_name_follows_the_range(
    gql: GraphQLClient, world: World, stored: str | None
) -> None:
    # given a draft over the one day a cohort ends (or one saved with the name it had before)
    january = await make_cohort(await world.spring.program, ends_on=date(2027, 1, 14), name="January")
    one_day = {"start": "2027-01-14", "end": "2027-01-14"}
    created = await _call(
        gql,
        REQUEST_CREATE,
        "certificateRequestCreate",
        {"dateRange": one_day, "cohortIds": world.cohort_ids(january)},
        world.admin,
    )
    draft = created["certificateRequest"]
    if stored is not None:
        await Recognition.filter(id=from_base64(draft["id"])[1]).update(name=stored)

    # when its range is widened to the rest of the month
    widened = await _call(
        gql,
        REQUEST_UPDATE,
        "certificateRequestUpdate",
        {"id": draft["id"], "dateRange": {"start": "2027-01-14", "end": "2027-01-31"}},
        world.admin,
    )

    # then the default name said the day once, and now tells the new range
    assert (created["errors"], draft["name"]) == ([], "Certificate request: cohorts ending 14 January 2027")
    assert (widened["errors"], widened["certificateRequest"]["name"]) == (
        [],
        "Certificate request: cohorts ending 14 January 2027 to 31 January 2027",
    )
