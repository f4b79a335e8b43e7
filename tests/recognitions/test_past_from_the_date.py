"""The guide's "Past": a ceremony date in the past. A scheduled ceremony stays scheduled, with its
actions, for the rest of its day in its own time zone, also after it has begun; it is PAST from the
midnight that ends that day there. Driven over GraphQL, the dashboard's status filter (in SQL, on
the engine the tests run on) and each row's status agreeing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from strawberry.relay import from_base64

from service.mail.models import OutboxMessage
from service.recognitions.models import Recognition, RecognitionEvent
from tests.support.audit_log import audit_count
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient
from tests.support.recognition_api import (
    CEREMONY_CREATE,
    CEREMONY_SUBMIT,
    CEREMONY_UPDATE,
    COMPLETE_STEP_2,
    DASHBOARD,
    FRAGMENT,
    RECOGNITION_FIELDS,
    World,
    call_mutation,
    make_world,
    step1,
)

CEREMONY_CANCEL = (
    f"""
mutation Cancel($input: CeremonyCancelInput!) {{
  ceremonyCancel(input: $input) {{ ceremony {{ {RECOGNITION_FIELDS} }} errors {{ field code message }} }}
}}
"""
    + FRAGMENT
)

# 00:30 on 20 October 2026 in Auckland (NZDT, UTC+13) is 11:30 UTC on the 19th; the day ends at
# midnight there, 11:00 UTC on the 20th.
EARLY_ON_THE_20TH = {"dateTime": "2026-10-20T00:30:00", "timeZone": "Pacific/Auckland"}
LATER_THAT_MORNING = datetime(2026, 10, 19, 16, 50, tzinfo=UTC)  # 05:50 in Auckland
LAST_SECOND_OF_THE_DAY = datetime(2026, 10, 20, 10, 59, 59, tzinfo=UTC)  # 23:59:59 in Auckland
MIDNIGHT_ENDING_THE_DAY = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)  # 00:00 on the 21st in Auckland


@pytest.fixture
async def world() -> World:
    return await make_world()


async def _scheduled(gql: GraphQLClient, world: World, start: dict[str, str], name: str = "Ceremony") -> str:
    """A ceremony scheduled now (the tests' start, 20 September in Auckland) for ``start``."""
    created = await call_mutation(
        gql, CEREMONY_CREATE, "ceremonyCreate", step1(world, name=name), world.admin
    )
    ceremony_id: str = created["ceremony"]["id"]
    updated = await call_mutation(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony_id, **COMPLETE_STEP_2, "start": start},
        world.admin,
    )
    assert updated["errors"] == []
    submitted = await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id}, world.admin)
    assert (submitted["errors"], submitted["ceremony"]["status"]) == ([], "SCHEDULED_PENDING")
    return ceremony_id


async def _rows(gql: GraphQLClient, world: World, statuses: list[str] | None = None) -> list[tuple[Any, ...]]:
    """The admin's dashboard rows (name, status, menu), filtered to ``statuses`` if given."""
    filter = None if statuses is None else {"statuses": statuses}
    data = await gql.data(DASHBOARD, {"filter": filter, "orderBy": "NAME_ASC"}, as_user=world.admin)
    return [
        (edge["node"]["name"], edge["node"]["status"], edge["node"]["availableActions"])
        for edge in data["recognitions"]["edges"]
    ]


async def _snapshot() -> tuple[list[dict[str, Any]], int, int, int]:
    """Everything a refused mutation must leave as it was."""
    rows = await Recognition.all().order_by("id").values()
    return rows, await RecognitionEvent.all().count(), await OutboxMessage.all().count(), await audit_count()


SCHEDULED_MENU = ["VIEW", "EDIT", "CERTIFICATES", "CANCEL"]
PAST_MENU = ["VIEW", "CERTIFICATES"]


async def test_a_ceremony_begun_earlier_today_stays_scheduled_until_midnight_in_its_zone(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    # given a ceremony at 00:30 on 20 October in Auckland
    await _scheduled(gql, world, EARLY_ON_THE_20TH, "Auckland")
    scheduled = [("Auckland", "SCHEDULED_PENDING", SCHEDULED_MENU)]
    past = [("Auckland", "PAST", PAST_MENU)]

    # then at 05:50 that day, and at 23:59:59, it is scheduled with its actions, filtered as such
    for now in (LATER_THAT_MORNING, LAST_SECOND_OF_THE_DAY):
        clock.current = now
        assert await _rows(gql, world) == scheduled
        assert await _rows(gql, world, ["SCHEDULED_PENDING"]) == scheduled
        assert await _rows(gql, world, ["PAST"]) == []

    # and from the midnight that ends its day there it is past, Edit and Cancel gone
    clock.current = MIDNIGHT_ENDING_THE_DAY
    assert await _rows(gql, world) == past
    assert await _rows(gql, world, ["PAST"]) == past
    assert await _rows(gql, world, ["SCHEDULED_PENDING"]) == []


async def test_a_ceremony_begun_earlier_today_can_be_edited_until_its_day_is_over(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    # given a ceremony begun at 00:30 in Auckland, at 05:50 there
    ceremony_id = await _scheduled(gql, world, EARLY_ON_THE_20TH)
    clock.current = LATER_THAT_MORNING
    moved_hall = {**COMPLETE_STEP_2["postalAddress"], "line2": "Level 4"}

    # when the admin corrects the address, the start given again as it is
    edited = await call_mutation(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony_id, "postalAddress": moved_hall, "start": EARLY_ON_THE_20TH},
        world.admin,
    )

    # then it is saved, still scheduled, and the updated invitation goes out
    assert edited["errors"] == []
    assert (edited["ceremony"]["status"], edited["ceremony"]["postalAddress"]["line2"]) == (
        "SCHEDULED_PENDING",
        "Level 4",
    )
    assert await OutboxMessage.filter(key__startswith="ceremony-updated").values_list(
        "recipient", "subject"
    ) == [(world.admin.email, "Pinning ceremony changed: Ceremony")]

    # and once its day is over an edit is refused, changing nothing
    clock.current = MIDNIGHT_ENDING_THE_DAY
    before = await _snapshot()
    refused = await call_mutation(
        gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony_id, "name": "Renamed"}, world.admin
    )
    assert [(e["field"], e["code"], e["message"]) for e in refused["errors"]] == [
        (["id"], "NOT_ALLOWED_IN_STATUS", "A ceremony with status \u201cPast\u201d cannot be edited.")
    ]
    assert await _snapshot() == before


@pytest.mark.parametrize(
    ("now", "refusal"),
    [(LATER_THAT_MORNING, None), (LAST_SECOND_OF_THE_DAY, None), (MIDNIGHT_ENDING_THE_DAY, "FORBIDDEN")],
)
async def test_the_partner_may_cancel_a_ceremony_until_its_day_is_over(
    gql: GraphQLClient, world: World, clock: MovableClock, now: datetime, refusal: str | None
) -> None:
    ceremony_id = await _scheduled(gql, world, EARLY_ON_THE_20TH)
    clock.current = now
    before = await _snapshot()

    result = await call_mutation(gql, CEREMONY_CANCEL, "ceremonyCancel", {"id": ceremony_id}, world.admin)

    if refusal is None:
        assert (result["errors"], result["ceremony"]["status"]) == ([], "CANCELLED")
    else:
        assert [(e["field"], e["code"], e["message"]) for e in result["errors"]] == [
            (["id"], refusal, "Only staff may do this to a ceremony with status \u201cPast\u201d.")
        ]
        assert await _snapshot() == before


async def test_the_same_start_given_in_a_zone_where_its_day_is_over_is_refused(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    # given the ceremony begun at 00:30 in Auckland, at 05:50 there: 00:50 on the 20th in Shanghai
    ceremony_id = await _scheduled(gql, world, EARLY_ON_THE_20TH)
    clock.current = LATER_THAT_MORNING
    before = await _snapshot()

    # when the same instant is given in Shanghai: 19:30 on the 19th, a day over there
    result = await call_mutation(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony_id, "start": {"dateTime": "2026-10-19T19:30:00", "timeZone": "Asia/Shanghai"}},
        world.admin,
    )

    # then it is refused at the zone, and nothing changes
    assert [(e["field"], e["code"], e["message"]) for e in result["errors"]] == [
        (
            ["start", "timeZone"],
            "TOO_SOON",
            "The ceremony start, Monday 19 October 2026 at 19:30 (Asia/Shanghai, UTC+08:00), is on a day "
            "that is already over there: it is now Tuesday 20 October 2026 at 00:50 in Asia/Shanghai. Keep "
            "its time zone, or choose a later start.",
        )
    ]
    assert await _snapshot() == before


async def test_a_ceremony_moved_to_another_zone_and_date_is_past_when_its_new_day_is_over(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    # given the ceremony at 00:30 on 20 October, moved to Honolulu at the same wall-clock time, then to
    # the 25th there (each with the 14 days' notice: it is 20 September)
    ceremony_id = await _scheduled(gql, world, EARLY_ON_THE_20TH, "Moved")
    for start in ("2026-10-20T00:30:00", "2026-10-25T00:30:00"):
        moved = await call_mutation(
            gql,
            CEREMONY_UPDATE,
            "ceremonyUpdate",
            {"id": ceremony_id, "start": {"dateTime": start, "timeZone": "Pacific/Honolulu"}},
            world.admin,
        )
        assert moved["errors"] == []

    # then it is past from midnight ending 25 October in Honolulu (10:00 UTC on the 26th), no sooner
    stored = await Recognition.get(id=int(from_base64(ceremony_id)[1]))
    assert (stored.starts_at, stored.past_from) == (
        datetime(2026, 10, 25, 10, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 10, 0, tzinfo=UTC),
    )
    for now, status in (
        (MIDNIGHT_ENDING_THE_DAY, "SCHEDULED_PENDING"),  # the old day's end, in Auckland
        (datetime(2026, 10, 26, 9, 59, 59, tzinfo=UTC), "SCHEDULED_PENDING"),
        (datetime(2026, 10, 26, 10, 0, tzinfo=UTC), "PAST"),
    ):
        clock.current = now
        assert [row[:2] for row in await _rows(gql, world)] == [("Moved", status)]
        assert [row[:2] for row in await _rows(gql, world, [status])] == [("Moved", status)]
