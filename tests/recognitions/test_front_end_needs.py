"""What a front end needs from the ceremony wizard: the earliest date a picker may offer, local
times only, a representative answer that defaults to "no", the guide's words for each status, and
who did what in the history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from service.recognitions.models import Recognition, RecognitionEvent
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient
from tests.support.recognition_api import (
    CEREMONY_CREATE,
    CEREMONY_MARK_PINS_MAILED,
    CEREMONY_SUBMIT,
    CEREMONY_UPDATE,
    COMPLETE_STEP_2,
    REQUEST_CREATE,
    REQUEST_FINALIZE,
    World,
    call_mutation,
    make_world,
    step1,
)

EARLIEST = "query($timeZone: String!) { earliestCeremonyDate(timeZone: $timeZone) }"
HISTORY = """
query($id: ID!) {
  recognition(id: $id) { status statusLabel events { kind actorName actor { email } } }
}
"""


@pytest.fixture
async def world(app: Starlette) -> World:
    return await make_world()


async def _draft(gql: GraphQLClient, world: World, **step2: Any) -> str:
    created = await call_mutation(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.admin)
    ceremony_id: str = created["ceremony"]["id"]
    if step2:
        updated = await call_mutation(
            gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony_id, **step2}, world.admin
        )
        assert updated["errors"] == []
    return ceremony_id


# ---------------- point 9: 14 calendar days, and the earliest one


@pytest.mark.parametrize(
    ("time_zone", "earliest"),
    [
        # 2026-09-19 22:00 UTC is already the 20th in Auckland, still the 19th in Chicago.
        ("Pacific/Auckland", "2026-10-04"),
        ("America/Chicago", "2026-10-03"),
        ("UTC", "2026-10-03"),
    ],
)
async def test_the_earliest_ceremony_date_is_14_days_from_today_in_its_zone(
    gql: GraphQLClient, world: World, time_zone: str, earliest: str
) -> None:
    answer = await gql.data(EARLIEST, {"timeZone": time_zone}, as_user=world.admin)

    assert answer == {"earliestCeremonyDate": earliest}


async def test_an_unknown_zone_has_no_earliest_date(gql: GraphQLClient, world: World) -> None:
    from tests.support.graphql_client import token_for

    body = await gql.post(EARLIEST, {"timeZone": "Middle/Earth"}, token=token_for(world.admin))

    assert body["data"] is None
    assert [(error["extensions"]["code"], error["extensions"]["field"]) for error in body["errors"]] == [
        ("INVALID_TIME_ZONE", ["timeZone"])
    ]


async def test_the_earliest_date_at_half_past_midnight_is_accepted(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    # given the earliest date the API offers for Auckland
    earliest = (await gql.data(EARLIEST, {"timeZone": "Pacific/Auckland"}, as_user=world.admin))[
        "earliestCeremonyDate"
    ]
    ceremony_id = await _draft(
        gql,
        world,
        **{**COMPLETE_STEP_2, "start": {"dateTime": f"{earliest}T00:30:00", "timeZone": "Pacific/Auckland"}},
    )

    # when the ceremony is submitted at 00:30 local on that day
    result = await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id}, world.admin)

    # then it is scheduled
    assert (result["errors"], result["ceremony"]["status"]) == ([], "SCHEDULED_PENDING")


@pytest.mark.parametrize(
    ("day_before", "time_zone", "refusal"),
    [
        # 2026-09-19 22:00 UTC is 10:00 on the 20th in Auckland, 15:00 on the 19th in Los Angeles.
        (
            "2026-10-03T23:59:00",
            "Pacific/Auckland",
            "on or after 4 October 2026 (today is 20 September 2026 in Pacific/Auckland)",
        ),
        (
            "2026-10-02T23:59:00",
            "America/Los_Angeles",
            "on or after 3 October 2026 (today is 19 September 2026 in America/Los_Angeles)",
        ),
    ],
)
async def test_the_day_before_is_too_soon_and_says_which_day_is_allowed(
    gql: GraphQLClient, world: World, day_before: str, time_zone: str, refusal: str
) -> None:
    ceremony_id = await _draft(
        gql,
        world,
        **{**COMPLETE_STEP_2, "start": {"dateTime": day_before, "timeZone": time_zone}},
    )

    result = await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id}, world.admin)

    # then the days are written as every mail writes them, on the ceremony's own calendar
    assert [(e["field"], e["code"], e["message"]) for e in result["errors"]] == [
        (
            ["start", "dateTime"],
            "TOO_SOON",
            f"The ceremony date must be at least 14 days from today, {refusal}. For an urgent ceremony, "
            "contact Partnership Portal Support or your Regional Customer Success Director.",
        )
    ]


# ---------------- point 10: local wall-clock times only


@pytest.mark.parametrize(
    "date_time", ["2027-06-01T18:00:00Z", "2027-06-01T18:00:00+14:00", "2027-06-01T06:00:00-05:00"]
)
async def test_a_time_with_an_offset_is_refused_not_reinterpreted(
    gql: GraphQLClient, world: World, date_time: str
) -> None:
    ceremony_id = await _draft(gql, world)
    before = (await Recognition.all().values(), await RecognitionEvent.all().count())

    result = await call_mutation(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony_id, "start": {"dateTime": date_time, "timeZone": "Pacific/Kiritimati"}},
        world.admin,
    )

    [error] = result["errors"]
    assert (error["field"], error["code"]) == (["start", "dateTime"], "LOCAL_TIME_EXPECTED")
    assert error["message"].startswith(
        "Give the local wall-clock time of the ceremony without an offset or Z"
    )
    assert (await Recognition.all().values(), await RecognitionEvent.all().count()) == before


async def test_a_local_time_is_kept_on_its_own_clock(gql: GraphQLClient, world: World) -> None:
    ceremony_id = await _draft(gql, world)

    result = await call_mutation(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony_id, "start": {"dateTime": "2027-06-01T18:00:00", "timeZone": "Pacific/Kiritimati"}},
        world.admin,
    )

    assert (result["errors"], result["ceremony"]["startsAt"]) == ([], "2027-06-01T18:00:00+14:00")


# ---------------- point 13: what the front end reads


async def test_representative_requested_defaults_to_false_and_does_not_block_submit(
    gql: GraphQLClient, world: World
) -> None:
    # given step 2 filled in without ever answering "representative?"
    step2 = {key: value for key, value in COMPLETE_STEP_2.items() if key != "representativeRequested"}
    ceremony_id = await _draft(gql, world, **step2)

    # when it is submitted
    result = await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id}, world.admin)

    # then no representative was requested, and it is scheduled
    assert (result["errors"], result["ceremony"]["representativeRequested"]) == ([], False)
    assert result["ceremony"]["status"] == "SCHEDULED_PENDING"


async def test_null_for_the_representative_means_no(gql: GraphQLClient, world: World) -> None:
    ceremony_id = await _draft(gql, world, representativeRequested=True)

    result = await call_mutation(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony_id, "representativeRequested": None},
        world.admin,
    )

    assert (result["errors"], result["ceremony"]["representativeRequested"]) == ([], False)


async def test_each_status_has_the_guides_words(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    draft = await _draft(gql, world)
    scheduled = await _draft(gql, world, **COMPLETE_STEP_2)
    await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": scheduled}, world.admin)
    request = (
        await call_mutation(gql, REQUEST_CREATE, "certificateRequestCreate", step1(world), world.admin)
    )["certificateRequest"]["id"]
    await call_mutation(gql, REQUEST_FINALIZE, "certificateRequestFinalize", {"id": request}, world.admin)

    async def labels() -> list[tuple[str, str]]:
        answers = [
            await gql.data(HISTORY, {"id": id}, as_user=world.staff) for id in (draft, scheduled, request)
        ]
        return [(a["recognition"]["status"], a["recognition"]["statusLabel"]) for a in answers]

    assert await labels() == [
        ("DRAFT", "Draft"),
        ("SCHEDULED_PENDING", "Scheduled / Pending"),
        ("CREATED", "Created"),
    ]
    await call_mutation(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": scheduled}, world.staff
    )
    assert (await labels())[1] == ("SCHEDULED_PINS_MAILED", "Scheduled / Pins mailed")
    clock.move(timedelta(days=30))
    assert (await labels())[1] == ("PAST", "Past")


async def test_the_schema_describes_each_status_in_the_guides_words(gql: GraphQLClient, world: World) -> None:
    introspection = await gql.data(
        '{ __type(name: "RecognitionStatus") { enumValues { name description } } }', as_user=world.admin
    )

    assert [(value["name"], value["description"]) for value in introspection["__type"]["enumValues"]] == [
        ("DRAFT", "Draft: not finalized ceremony or certificate request."),
        (
            "SCHEDULED_PENDING",
            "Scheduled / Pending: ceremony has been scheduled, pins have not been mailed yet.",
        ),
        ("SCHEDULED_PINS_MAILED", "Scheduled / Pins mailed: pins for the ceremony have been mailed."),
        (
            "PAST",
            "Past: ceremony date is in the past, from the midnight that ends its day in its own time zone, "
            "not from its start (derived from the date, never stored).",
        ),
        ("CREATED", "Created: a finalized certificate request; it never expires."),
        ("CANCELLED", "Cancelled: the ceremony was called off; its history stays."),
    ]


async def test_a_partner_sees_a_staff_action_as_done_by_the_certifiers_staff(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony whose pins staff marked mailed
    ceremony_id = await _draft(gql, world, **COMPLETE_STEP_2)
    await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id}, world.admin)
    await call_mutation(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony_id}, world.staff
    )

    # when the partner and staff read its history
    partner = await gql.data(HISTORY, {"id": ceremony_id}, as_user=world.admin)
    staff = await gql.data(HISTORY, {"id": ceremony_id}, as_user=world.staff)

    # then the partner sees who did it as "ACUE staff", never null; staff see the person
    assert [(e["kind"], e["actorName"], e["actor"]) for e in partner["recognition"]["events"]] == [
        ("CREATED", world.admin.name, {"email": world.admin.email}),
        ("UPDATED", world.admin.name, {"email": world.admin.email}),
        ("SUBMITTED", world.admin.name, {"email": world.admin.email}),
        ("PINS_MAILED", "ACUE staff", None),
    ]
    assert staff["recognition"]["events"][-1] == {
        "kind": "PINS_MAILED",
        "actorName": world.staff.name,
        "actor": {"email": world.staff.email},
    }
