"""The ceremony wizard, driven over HTTP as a front end would, with every rule at its boundary."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from strawberry.relay import from_base64, to_base64

from service.mail.models import OutboxMessage
from service.recognitions.models import Recognition, RecognitionEvent
from tests.support.audit_log import audit_count, audit_rows
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient
from tests.support.recognition_api import (
    CEREMONY_CREATE,
    CEREMONY_MARK_PINS_MAILED,
    CEREMONY_SUBMIT,
    CEREMONY_UPDATE,
    COMPLETE_STEP_2,
    DASHBOARD,
    RECOGNITION_DELETE,
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


async def _create(gql: GraphQLClient, world: World, **overrides: Any) -> dict[str, Any]:
    result = await _call(gql, CEREMONY_CREATE, "ceremonyCreate", {**step1(world), **overrides}, world.admin)
    assert result["errors"] == []
    return result["ceremony"]  # type: ignore[no-any-return]


async def _scheduled(gql: GraphQLClient, world: World) -> dict[str, Any]:
    ceremony = await _create(gql, world)
    await _call(
        gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony["id"], **COMPLETE_STEP_2}, world.admin
    )
    submitted = await _call(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony["id"]}, world.admin)
    assert submitted["errors"] == []
    return submitted["ceremony"]  # type: ignore[no-any-return]


async def _snapshot() -> tuple[list[dict[str, Any]], int, int, int]:
    """Everything a refused mutation must leave as it was."""
    rows = await Recognition.all().order_by("id").values()
    events, outbox = await RecognitionEvent.all().count(), await OutboxMessage.all().count()
    return rows, events, outbox, await audit_count()


async def test_the_whole_wizard_as_a_front_end_drives_it(gql: GraphQLClient, world: World) -> None:
    # step 1, saved as a draft
    ceremony = await _create(gql, world, name="Spring pinning ceremony")
    assert (ceremony["status"], ceremony["cohorts"], ceremony["availableActions"]) == (
        "DRAFT",
        [{"name": "Spring"}, {"name": "Summer"}],
        ["VIEW", "EDIT", "SUBMIT", "DELETE"],
    )

    # step 2 saved partially: a draft may be incomplete
    partial = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], "format": "ONLINE", "representativeRequested": False},
        world.admin,
    )
    assert partial["errors"] == []
    assert (partial["ceremony"]["format"], partial["ceremony"]["startsAt"]) == ("ONLINE", None)

    # listed as a draft
    dashboard = await gql.data(DASHBOARD, as_user=world.admin)
    assert [
        (edge["node"]["name"], edge["node"]["status"]) for edge in dashboard["recognitions"]["edges"]
    ] == [("Spring pinning ceremony", "DRAFT")]

    # the rest of step 2, then submit
    await _call(
        gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony["id"], **COMPLETE_STEP_2}, world.admin
    )
    submitted = await _call(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony["id"]}, world.admin)
    assert submitted["errors"] == []
    scheduled = submitted["ceremony"]
    assert {
        key: scheduled[key]
        for key in (
            "status",
            "startsAt",
            "timeZone",
            "format",
            "representativeRequested",
            "mailingContact",
            "postalAddress",
            "submittedAt",
        )
    } == {
        "status": "SCHEDULED_PENDING",
        "startsAt": "2026-10-04T10:00:00+13:00",
        "timeZone": "Pacific/Auckland",
        "format": "IN_PERSON",
        "representativeRequested": True,
        "mailingContact": {
            "name": "Aroha Ngata",
            "email": "aroha.ngata@riverside.example",
            "phone": "+64 9 123 4567",
        },
        "postalAddress": {
            "line1": "12 Princes Street",
            "line2": "Level 3",
            "city": "Auckland",
            "region": "Auckland",
            "postalCode": "1010",
            "country": "NZ",
        },
        "submittedAt": "2026-09-19T22:00:00+00:00",
    }
    assert [event["kind"] for event in scheduled["events"]] == ["CREATED", "UPDATED", "UPDATED", "SUBMITTED"]
    # a representative is not requested until asked for, so saying "no" changes nothing
    assert scheduled["events"][1]["changes"] == {"format": {"from": None, "to": "ONLINE"}}
    assert {event["actor"]["email"] for event in scheduled["events"]} == {world.admin.email}

    # listed as scheduled, with certificates now on its menu
    dashboard = await gql.data(DASHBOARD, as_user=world.admin)
    [row] = dashboard["recognitions"]["edges"]
    assert (row["node"]["status"], row["node"]["availableActions"]) == (
        "SCHEDULED_PENDING",
        ["VIEW", "EDIT", "CERTIFICATES", "CANCEL"],
    )
    assert [
        (mail.recipient, mail.subject, mail.status.value) for mail in await OutboxMessage.all().order_by("id")
    ] == [
        (world.admin.email, "Pinning ceremony scheduled: Spring pinning ceremony", "PENDING"),
        ("aroha.ngata@riverside.example", "Pins to be mailed for: Spring pinning ceremony", "PENDING"),
    ]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"dateRange": {"start": "2026-08-31", "end": "2026-05-01"}},
            [(["dateRange", "start"], "INVALID_DATE_RANGE")],
        ),
        (
            {"dateRange": {"start": "2026-01-01", "end": "2027-01-03"}},
            [(["dateRange", "end"], "DATE_RANGE_TOO_LONG")],
        ),
        ({"cohortIds": []}, [(["cohortIds"], "NO_COHORTS_SELECTED")]),
        ({"name": "x" * 201}, [(["name"], "TOO_LONG")]),
    ],
    ids=["start-after-end", "longer-than-366-days", "no-cohorts", "name-too-long"],
)
async def test_step1_refusals_store_nothing(
    gql: GraphQLClient, world: World, payload: dict[str, Any], errors: list[tuple[list[str], str]]
) -> None:
    result = await _call(gql, CEREMONY_CREATE, "ceremonyCreate", {**step1(world), **payload}, world.admin)

    assert result["ceremony"] is None
    assert [(error["field"], error["code"]) for error in result["errors"]] == errors
    assert await _snapshot() == ([], 0, 0, 0)


async def test_each_bad_cohort_is_named_by_its_position(gql: GraphQLClient, world: World) -> None:
    # given the summer cohort (inside), another partner's, one ending outside the range, and a non-cohort id
    cohort_ids = [
        *world.cohort_ids(world.summer, world.lakeshore_cohort, world.autumn),
        to_base64("Program", 1),
    ]

    result = await _call(
        gql, CEREMONY_CREATE, "ceremonyCreate", {**step1(world), "cohortIds": cohort_ids}, world.admin
    )

    assert [(error["field"], error["code"], error["message"]) for error in result["errors"]] == [
        (["cohortIds", "1"], "NOT_FOUND", "Cohort not found."),
        (
            ["cohortIds", "2"],
            "COHORT_OUTSIDE_RANGE",
            "Autumn ends on 30 November 2026, outside the date range (1 May 2026 to 31 August 2026).",
        ),
        (["cohortIds", "3"], "NOT_FOUND", "Cohort not found."),
    ]
    assert await _snapshot() == ([], 0, 0, 0)


async def test_staff_cannot_mix_partners_in_one_ceremony(gql: GraphQLClient, world: World) -> None:
    payload = {**step1(world), "cohortIds": world.cohort_ids(world.spring, world.lakeshore_cohort)}

    result = await _call(gql, CEREMONY_CREATE, "ceremonyCreate", payload, world.staff)

    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        (["cohortIds"], "COHORTS_OF_SEVERAL_PARTNERS")
    ]
    assert await _snapshot() == ([], 0, 0, 0)


async def test_submitting_an_incomplete_draft_names_every_missing_field(
    gql: GraphQLClient, world: World
) -> None:
    ceremony = await _create(gql, world)
    await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], "format": "ONLINE", "mailingContact": {"name": "Aroha"}},
        world.admin,
    )
    before = await _snapshot()

    result = await _call(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony["id"]}, world.admin)

    assert result["ceremony"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        (["start"], "REQUIRED"),
        (["mailingContact", "email"], "REQUIRED"),
        (["mailingContact", "phone"], "REQUIRED"),
        (["postalAddress", "line1"], "REQUIRED"),
        (["postalAddress", "city"], "REQUIRED"),
        (["postalAddress", "postalCode"], "REQUIRED"),
        (["postalAddress", "country"], "REQUIRED"),
    ]
    assert await _snapshot() == before


async def test_malformed_step2_fields_are_refused_together_and_nothing_is_saved(
    gql: GraphQLClient, world: World
) -> None:
    ceremony = await _create(gql, world)
    before = await _snapshot()
    payload = {
        "id": ceremony["id"],
        "start": {"dateTime": "2026-10-04T10:00:00", "timeZone": "Middle/Earth"},
        "mailingContact": {"name": "Aroha\x07", "email": "aroha-at-riverside", "phone": "12"},
        "postalAddress": {
            "line1": "12 Princes Street",
            "city": "Auckland",
            "postalCode": "1010",
            "country": "ZZ",
        },
    }

    result = await _call(gql, CEREMONY_UPDATE, "ceremonyUpdate", payload, world.admin)

    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        (["start", "timeZone"], "INVALID_TIME_ZONE"),
        (["mailingContact", "name"], "INVALID_TEXT"),
        (["mailingContact", "email"], "INVALID_EMAIL"),
        (["mailingContact", "phone"], "INVALID_PHONE"),
        (["postalAddress", "country"], "INVALID_COUNTRY"),
    ]
    assert await _snapshot() == before


async def test_a_start_skipped_by_daylight_saving_is_refused(gql: GraphQLClient, world: World) -> None:
    ceremony = await _create(gql, world)

    result = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], "start": {"dateTime": "2026-09-27T02:30:00", "timeZone": "Pacific/Auckland"}},
        world.admin,
    )

    assert [(e["field"], e["code"], e["message"]) for e in result["errors"]] == [
        (
            ["start", "dateTime"],
            "NONEXISTENT_LOCAL_TIME",
            "Sunday 27 September 2026 at 02:30 does not exist in Pacific/Auckland: the clocks skip it. "
            "Choose another time.",
        )
    ]


@pytest.mark.parametrize(
    ("wall_time", "time_zone", "accepted"),
    [
        # Auckland, far from UTC: it is 10:00 on 20 September there, so the 14th day is 4 October.
        ("2026-10-04T00:30:00", "Pacific/Auckland", True),
        ("2026-10-03T23:59:00", "Pacific/Auckland", False),
        # Chicago at the same instant is 2026-09-19 17:00: its 14th day is 3 October.
        ("2026-10-03T00:30:00", "America/Chicago", True),
        ("2026-10-02T23:59:00", "America/Chicago", False),
    ],
)
async def test_the_ceremony_must_be_at_least_14_calendar_days_ahead_on_its_own_calendar(
    gql: GraphQLClient, world: World, wall_time: str, time_zone: str, accepted: bool
) -> None:
    ceremony = await _create(gql, world)
    await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], **COMPLETE_STEP_2, "start": {"dateTime": wall_time, "timeZone": time_zone}},
        world.admin,
    )
    before = await _snapshot()

    result = await _call(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony["id"]}, world.admin)

    if accepted:
        assert (result["errors"], result["ceremony"]["status"]) == ([], "SCHEDULED_PENDING")
    else:
        assert [(e["field"], e["code"]) for e in result["errors"]] == [(["start", "dateTime"], "TOO_SOON")]
        assert await _snapshot() == before


def world_key(ceremony: dict[str, Any]) -> int:
    return int(from_base64(ceremony["id"])[1])


async def _too_soon_draft(gql: GraphQLClient, world: World) -> dict[str, Any]:
    ceremony = await _create(gql, world)
    await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {
            "id": ceremony["id"],
            **COMPLETE_STEP_2,
            "start": {"dateTime": "2026-09-25T18:00:00", "timeZone": "Pacific/Auckland"},
        },
        world.admin,
    )
    return ceremony


async def test_staff_may_override_the_notice_and_the_reason_is_recorded(
    gql: GraphQLClient, world: World
) -> None:
    ceremony = await _too_soon_draft(gql, world)

    result = await _call(
        gql,
        CEREMONY_SUBMIT,
        "ceremonySubmit",
        {"id": ceremony["id"], "overrideMinimumNotice": True, "overrideReason": "Urgent: ticket 4711"},
        world.staff,
    )

    assert (result["errors"], result["ceremony"]["status"]) == ([], "SCHEDULED_PENDING")
    assert result["ceremony"]["events"][-1] == {
        "kind": "SUBMITTED",
        "changes": {
            "status": {"from": "DRAFT", "to": "SCHEDULED_PENDING"},
            "minimumNoticeOverridden": {"reason": "Urgent: ticket 4711"},
        },
        "actor": {"email": world.staff.email},
    }
    assert await audit_rows(gql, world.staff) == [
        (
            "MINIMUM_NOTICE_OVERRIDDEN",
            world.staff.email,
            world.riverside.name,
            f"Recognition:{world_key(ceremony)}",
            {"reason": "Urgent: ticket 4711"},
            1,
        )
    ]


PAST_MESSAGE = (
    "The ceremony start, {start}, has already passed; it is now Saturday 19 September 2026 at 15:00 there. "
    "Overriding the minimum notice allows a ceremony sooner than 14 days ahead, not in the past: choose a "
    "later start."
)


@pytest.mark.parametrize(
    ("wall_time", "refusal"),
    [
        # now is 2026-09-19 15:00 in Los Angeles
        # (winter in 2020: its offset that day, not today's)
        (
            "2020-01-01T10:00:00",
            PAST_MESSAGE.format(start="Wednesday 1 January 2020 at 10:00 (America/Los_Angeles, UTC-08:00)"),
        ),
        (
            "2026-09-19T00:30:00",
            PAST_MESSAGE.format(start="Saturday 19 September 2026 at 00:30 (America/Los_Angeles, UTC-07:00)"),
        ),
        (
            "2026-09-19T15:00:00",
            PAST_MESSAGE.format(start="Saturday 19 September 2026 at 15:00 (America/Los_Angeles, UTC-07:00)"),
        ),
        ("2026-09-19T15:01:00", None),
    ],
)
async def test_the_override_never_schedules_a_ceremony_in_the_past(
    gql: GraphQLClient, world: World, wall_time: str, refusal: str | None
) -> None:
    # given a complete draft whose start is earlier today, long ago, or a minute from now
    ceremony = await _create(gql, world)
    start = {"dateTime": wall_time, "timeZone": "America/Los_Angeles"}
    updated = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], **COMPLETE_STEP_2, "start": start},
        world.admin,
    )
    assert updated["errors"] == []
    before = await _snapshot()

    # when staff submit it with the override
    result = await _call(
        gql,
        CEREMONY_SUBMIT,
        "ceremonySubmit",
        {"id": ceremony["id"], "overrideMinimumNotice": True, "overrideReason": "Ticket 4711"},
        world.staff,
    )

    # then a start that has passed is refused at the start, and nothing is scheduled or mailed
    if refusal is None:
        assert (result["errors"], result["ceremony"]["status"]) == ([], "SCHEDULED_PENDING")
    else:
        assert [(e["field"], e["code"], e["message"]) for e in result["errors"]] == [
            (["start", "dateTime"], "TOO_SOON", refusal)
        ]
        assert result["ceremony"] is None
        assert await _snapshot() == before


async def test_the_override_needs_a_reason(gql: GraphQLClient, world: World) -> None:
    ceremony = await _too_soon_draft(gql, world)
    before = await _snapshot()

    result = await _call(
        gql,
        CEREMONY_SUBMIT,
        "ceremonySubmit",
        {"id": ceremony["id"], "overrideMinimumNotice": True},
        world.staff,
    )

    assert [(e["field"], e["code"]) for e in result["errors"]] == [(["overrideReason"], "REQUIRED")]
    assert await _snapshot() == before


async def test_a_partner_admin_cannot_override_the_notice(gql: GraphQLClient, world: World) -> None:
    ceremony = await _too_soon_draft(gql, world)
    before = await _snapshot()

    result = await _call(
        gql,
        CEREMONY_SUBMIT,
        "ceremonySubmit",
        {"id": ceremony["id"], "overrideMinimumNotice": True, "overrideReason": "please"},
        world.admin,
    )

    assert [(e["field"], e["code"]) for e in result["errors"]] == [(["overrideMinimumNotice"], "FORBIDDEN")]
    assert await _snapshot() == before


async def test_only_staff_mark_pins_mailed_and_the_contact_and_the_submitter_are_told(
    gql: GraphQLClient, world: World
) -> None:
    ceremony = await _scheduled(gql, world)
    before = await _snapshot()

    refused = await _call(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony["id"]}, world.admin
    )
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [(["id"], "FORBIDDEN")]
    assert await _snapshot() == before

    marked = await _call(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony["id"]}, world.staff
    )
    assert (marked["errors"], marked["ceremony"]["status"], marked["ceremony"]["pinsMailedAt"]) == (
        [],
        "SCHEDULED_PINS_MAILED",
        "2026-09-19T22:00:00+00:00",
    )
    # both the mailing contact and the admin who submitted are told
    pins_mails = await OutboxMessage.filter(key__startswith="ceremony-pins-mailed").order_by("id")
    assert [(mail.recipient, mail.subject) for mail in pins_mails] == [
        ("aroha.ngata@riverside.example", f"Pins mailed for: {ceremony['name']}"),
        (world.admin.email, f"Pins mailed for your ceremony: {ceremony['name']}"),
    ]
    assert await audit_rows(gql, world.staff) == [
        (
            "PINS_MARKED_MAILED",
            world.staff.email,
            world.riverside.name,
            f"Recognition:{world_key(ceremony)}",
            {},
            1,
        )
    ]


async def test_staff_record_pins_mailed_after_the_ceremony_date_while_they_are_pending(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    # given a scheduled ceremony whose date has passed, its pins still pending
    ceremony = await _scheduled(gql, world)
    clock.move(timedelta(days=20))

    # when staff record the pins mailed
    marked = await _call(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony["id"]}, world.staff
    )
    again = await _call(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony["id"]}, world.staff
    )

    # then it is recorded (the ceremony still shows as past), once
    assert (marked["errors"], marked["ceremony"]["status"], marked["ceremony"]["pinsMailedAt"]) == (
        [],
        "PAST",
        "2026-10-09T22:00:00+00:00",
    )
    assert marked["ceremony"]["events"][-1]["changes"] == {
        "status": {"from": "SCHEDULED_PENDING", "to": "SCHEDULED_PINS_MAILED"}
    }
    assert [(e["field"], e["code"]) for e in again["errors"]] == [(["id"], "NOT_ALLOWED_IN_STATUS")]
    assert await OutboxMessage.filter(key__startswith="ceremony-pins-mailed").count() == 2


async def test_pins_cannot_be_marked_mailed_on_a_draft(gql: GraphQLClient, world: World) -> None:
    ceremony = await _create(gql, world)

    result = await _call(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony["id"]}, world.staff
    )

    assert [(e["code"], e["message"]) for e in result["errors"]] == [
        ("NOT_ALLOWED_IN_STATUS", "A ceremony with status \u201cDraft\u201d cannot be marked as pins mailed.")
    ]


async def test_after_pins_are_mailed_only_staff_may_edit(gql: GraphQLClient, world: World) -> None:
    ceremony = await _scheduled(gql, world)
    await _call(gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony["id"]}, world.staff)
    change = {"id": ceremony["id"], "name": "Renamed"}

    refused = await _call(gql, CEREMONY_UPDATE, "ceremonyUpdate", change, world.admin)
    accepted = await _call(gql, CEREMONY_UPDATE, "ceremonyUpdate", change, world.staff)

    assert [(e["code"], e["message"]) for e in refused["errors"]] == [
        ("FORBIDDEN", "Only staff may do this to a ceremony with status \u201cScheduled / Pins mailed\u201d.")
    ]
    assert (accepted["errors"], accepted["ceremony"]["name"]) == ([], "Renamed")


async def test_editing_a_scheduled_ceremony_is_checked_as_on_submit(gql: GraphQLClient, world: World) -> None:
    ceremony = await _scheduled(gql, world)
    before = await _snapshot()

    cleared = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], "mailingContact": {"name": "Aroha Ngata"}},
        world.admin,
    )
    too_soon = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], "start": {"dateTime": "2026-09-30T10:00:00", "timeZone": "Pacific/Auckland"}},
        world.admin,
    )
    no_cohorts = await _call(
        gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony["id"], "cohortIds": []}, world.admin
    )

    assert [(e["field"], e["code"]) for e in cleared["errors"]] == [
        (["mailingContact", "email"], "REQUIRED"),
        (["mailingContact", "phone"], "REQUIRED"),
    ]
    assert [(e["field"], e["code"]) for e in too_soon["errors"]] == [(["start", "dateTime"], "TOO_SOON")]
    assert [(e["field"], e["code"]) for e in no_cohorts["errors"]] == [(["cohortIds"], "NO_COHORTS_SELECTED")]
    assert await _snapshot() == before


async def test_a_scheduled_ceremony_within_14_days_can_still_fix_its_address(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    ceremony = await _scheduled(gql, world)
    clock.move(timedelta(days=10))

    result = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], "postalAddress": {**COMPLETE_STEP_2["postalAddress"], "line2": "Level 4"}},
        world.admin,
    )

    assert (result["errors"], result["ceremony"]["postalAddress"]["line2"]) == ([], "Level 4")


async def test_only_drafts_are_deleted(gql: GraphQLClient, world: World) -> None:
    draft = await _create(gql, world)
    scheduled = await _scheduled(gql, world)

    deleted = await _call(gql, RECOGNITION_DELETE, "recognitionDelete", {"id": draft["id"]}, world.admin)
    refused = await _call(gql, RECOGNITION_DELETE, "recognitionDelete", {"id": scheduled["id"]}, world.admin)

    assert deleted == {"deletedId": draft["id"], "errors": []}
    assert [(e["code"], e["message"]) for e in refused["errors"]] == [
        ("NOT_ALLOWED_IN_STATUS", "A ceremony with status \u201cScheduled / Pending\u201d cannot be deleted.")
    ]
    dashboard = await gql.data(DASHBOARD, as_user=world.admin)
    assert [edge["node"]["id"] for edge in dashboard["recognitions"]["edges"]] == [scheduled["id"]]
    node = await gql.data(
        "query($id: ID!) { node(id: $id) { id } }", {"id": draft["id"]}, as_user=world.admin
    )
    assert node == {"node": None}
    assert [
        event.kind.value for event in await RecognitionEvent.filter(recognition_id=int(_key(draft["id"])))
    ] == ["CREATED", "DELETED"]


def _key(global_id: str) -> str:
    import base64

    return base64.b64decode(global_id).decode().split(":")[1]


@pytest.mark.parametrize(
    ("document", "field", "extra"),
    [
        (CEREMONY_UPDATE, "ceremonyUpdate", {"name": "Mine now"}),
        (CEREMONY_SUBMIT, "ceremonySubmit", {}),
        (CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {}),
        (RECOGNITION_DELETE, "recognitionDelete", {}),
    ],
)
async def test_another_partners_ceremony_answers_not_found_and_stays_as_it_was(
    gql: GraphQLClient, world: World, document: str, field: str, extra: dict[str, Any]
) -> None:
    ceremony = await _create(gql, world)
    await _call(
        gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony["id"], **COMPLETE_STEP_2}, world.admin
    )
    before = await _snapshot()

    foreign = await _call(gql, document, field, {"id": ceremony["id"], **extra}, world.other_admin)
    missing = await _call(
        gql, document, field, {"id": to_base64("Ceremony", 99999), **extra}, world.other_admin
    )

    assert [(e["field"], e["code"]) for e in foreign["errors"]] == [(["id"], "NOT_FOUND")]
    assert foreign["errors"] == missing["errors"]
    assert await _snapshot() == before


async def test_a_certificate_request_id_is_no_ceremony(gql: GraphQLClient, world: World) -> None:
    from tests.support.recognition_api import REQUEST_CREATE

    request = await _call(gql, REQUEST_CREATE, "certificateRequestCreate", step1(world), world.admin)

    result = await _call(
        gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": request["certificateRequest"]["id"]}, world.admin
    )

    assert [(e["field"], e["code"]) for e in result["errors"]] == [(["id"], "NOT_FOUND")]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("US/Pacific", "America/Los_Angeles"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Etc/UCT", "UTC"),
        ("America/Los_Angeles", "America/Los_Angeles"),
    ],
)
async def test_a_time_zone_alias_is_stored_under_the_zones_own_name(
    gql: GraphQLClient, world: World, typed: str, stored: str
) -> None:
    # given
    ceremony = await _create(gql, world)

    # when the start is given in an old name of a zone
    result = await _call(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony["id"], "start": {"dateTime": "2026-11-04T10:00:00", "timeZone": typed}},
        world.admin,
    )

    # then the ceremony has the zone under its own name, so mails and the dashboard name it one way
    assert (result["errors"], result["ceremony"]["timeZone"]) == ([], stored)
    assert await Recognition.filter(time_zone=stored).count() == 1


async def test_a_moved_start_is_recorded_in_each_sides_own_zone(gql: GraphQLClient, world: World) -> None:
    # given a draft at 00:30 on 15 December in Auckland (11:30 on the 14th in UTC)
    ceremony = await _create(gql, world)
    auckland = {"dateTime": "2026-12-15T00:30:00", "timeZone": "Pacific/Auckland"}
    assert (
        await _call(
            gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony["id"], "start": auckland}, world.admin
        )
    )["errors"] == []

    # when it is moved within Auckland, then to Los Angeles
    later = {"dateTime": "2026-12-20T10:00:00", "timeZone": "Pacific/Auckland"}
    angeles = {"dateTime": "2026-12-20T10:00:00", "timeZone": "America/Los_Angeles"}
    for start in (later, angeles):
        moved = await _call(
            gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony["id"], "start": start}, world.admin
        )
        assert moved["errors"] == []

    # then the history writes each start as it was entered, in its zone's offset: never the UTC day
    events = moved["ceremony"]["events"]
    assert [event["changes"] for event in events[-2:]] == [
        {"startsAt": {"from": "2026-12-15T00:30:00+13:00", "to": "2026-12-20T10:00:00+13:00"}},
        {
            "startsAt": {"from": "2026-12-20T10:00:00+13:00", "to": "2026-12-20T10:00:00-08:00"},
            "timeZone": {"from": "Pacific/Auckland", "to": "America/Los_Angeles"},
        },
    ]
