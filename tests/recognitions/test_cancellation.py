"""Calling a scheduled ceremony off: who may, what it shows, what it mails, and that its history stays."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_string, policy
from typing import Any, cast

import pytest
from icalendar import Calendar
from starlette.applications import Starlette

from service.mail.models import OutboxMessage
from service.recognitions.models import Recognition, RecognitionEvent
from tests.support.audit_log import audit_count
from tests.support.clock import MovableClock
from tests.support.factories import make_admin
from tests.support.graphql_client import GraphQLClient
from tests.support.mail_reading import subject
from tests.support.recognition_api import (
    CEREMONY_CANCEL,
    CEREMONY_CREATE,
    CEREMONY_MARK_PINS_MAILED,
    CEREMONY_SUBMIT,
    CEREMONY_UPDATE,
    COMPLETE_STEP_2,
    DASHBOARD,
    World,
    call_mutation,
    make_world,
    step1,
)


@pytest.fixture
async def world(app: Starlette) -> World:
    return await make_world()


async def _draft(gql: GraphQLClient, world: World) -> str:
    created = await call_mutation(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.admin)
    ceremony_id: str = created["ceremony"]["id"]
    await call_mutation(
        gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony_id, **COMPLETE_STEP_2}, world.admin
    )
    return ceremony_id


async def _scheduled(gql: GraphQLClient, world: World) -> str:
    ceremony_id = await _draft(gql, world)
    submitted = await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id}, world.admin)
    assert submitted["errors"] == []
    return ceremony_id


async def _cancel(
    gql: GraphQLClient, ceremony_id: str, user: Any, reason: str | None = None
) -> dict[str, Any]:
    return await call_mutation(
        gql, CEREMONY_CANCEL, "ceremonyCancel", {"id": ceremony_id, "reason": reason}, user
    )


async def _snapshot() -> tuple[list[dict[str, Any]], int, int, int]:
    rows = await Recognition.all().order_by("id").values()
    return rows, await RecognitionEvent.all().count(), await OutboxMessage.all().count(), await audit_count()


async def test_the_partner_cancels_a_scheduled_ceremony_and_the_calendar_is_told(
    gql: GraphQLClient, world: World
) -> None:
    # given a scheduled ceremony
    ceremony_id = await _scheduled(gql, world)

    # when the partner admin calls it off
    result = await _cancel(gql, ceremony_id, world.admin, reason="The hall is closed for repairs.")

    # then it shows as cancelled, with its history kept
    ceremony = result["ceremony"]
    assert (result["errors"], ceremony["status"], ceremony["statusLabel"], ceremony["availableActions"]) == (
        [],
        "CANCELLED",
        "Cancelled",
        ["VIEW"],
    )
    assert (ceremony["cancelledAt"], ceremony["cancellationReason"]) == (
        "2026-09-19T22:00:00+00:00",
        "The hall is closed for repairs.",
    )
    assert [event["kind"] for event in ceremony["events"]] == ["CREATED", "UPDATED", "SUBMITTED", "CANCELLED"]
    assert ceremony["events"][-1]["changes"] == {
        "status": {"from": "SCHEDULED_PENDING", "to": "CANCELLED"},
        "reason": "The hall is closed for repairs.",
    }
    # and the submitter gets a cancelled invitation for the same event, the contact word that no pins come
    to_submitter, to_contact = [
        message_from_string(row.message, policy=policy.default)
        for row in await OutboxMessage.filter(key__startswith="ceremony-cancelled").order_by("id")
    ]
    assert (to_submitter["To"], subject(to_submitter)) == (
        f"{world.admin.name} <{world.admin.email}>",
        f"Pinning ceremony cancelled: {ceremony['name'].removeprefix('Pinning ceremony: ')}",
    )
    [invitation] = list(to_submitter.iter_attachments())
    assert invitation.get_param("method") == "CANCEL"
    calendar = Calendar.from_ical(invitation.get_content())
    [event] = calendar.walk("VEVENT")
    assert (str(calendar["method"]), str(event["status"]), event["sequence"]) == ("CANCEL", "CANCELLED", 1)
    assert str(event["uid"]).startswith("ceremony-")
    assert to_contact["To"] == "Aroha Ngata <aroha.ngata@riverside.example>"
    assert "so its pins will not be mailed" in cast(Any, to_contact.get_body(("plain",))).get_content()


async def test_the_dashboard_shows_the_cancelled_ceremony(gql: GraphQLClient, world: World) -> None:
    ceremony_id = await _scheduled(gql, world)
    await _cancel(gql, ceremony_id, world.admin)

    listed = await gql.data(DASHBOARD, {"filter": {"statuses": ["CANCELLED"]}}, as_user=world.admin)

    assert [(edge["node"]["id"], edge["node"]["status"]) for edge in listed["recognitions"]["edges"]] == [
        (ceremony_id, "CANCELLED")
    ]


async def test_after_the_pins_are_mailed_only_staff_may_cancel(gql: GraphQLClient, world: World) -> None:
    # given a ceremony whose pins were mailed
    ceremony_id = await _scheduled(gql, world)
    await call_mutation(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony_id}, world.staff
    )
    before = await _snapshot()

    # when the partner tries, then staff
    refused = await _cancel(gql, ceremony_id, world.admin)
    assert await _snapshot() == before
    accepted = await _cancel(gql, ceremony_id, world.staff)

    # then only staff could
    assert [(e["field"], e["code"], e["message"]) for e in refused["errors"]] == [
        (
            ["id"],
            "FORBIDDEN",
            "Only staff may do this to a ceremony with status \u201cScheduled / Pins mailed\u201d.",
        )
    ]
    assert (accepted["errors"], accepted["ceremony"]["status"]) == ([], "CANCELLED")
    # the contact already has the pins: only the submitter is mailed
    assert [row.recipient for row in await OutboxMessage.filter(key__startswith="ceremony-cancelled")] == [
        world.admin.email
    ]


async def test_staff_may_cancel_a_past_ceremony_and_the_partner_may_not(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    ceremony_id = await _scheduled(gql, world)
    clock.move(timedelta(days=20))

    refused = await _cancel(gql, ceremony_id, world.admin)
    accepted = await _cancel(gql, ceremony_id, world.staff)

    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert (accepted["errors"], accepted["ceremony"]["status"]) == ([], "CANCELLED")


@pytest.mark.parametrize("state", ["draft", "cancelled"])
async def test_only_a_scheduled_ceremony_can_be_cancelled(
    gql: GraphQLClient, world: World, state: str
) -> None:
    ceremony_id = await (_draft(gql, world) if state == "draft" else _scheduled(gql, world))
    if state == "cancelled":
        await _cancel(gql, ceremony_id, world.admin)
    before = await _snapshot()

    result = await _cancel(gql, ceremony_id, world.staff)

    assert [(e["field"], e["code"]) for e in result["errors"]] == [(["id"], "NOT_ALLOWED_IN_STATUS")]
    assert await _snapshot() == before


async def test_a_cancelled_ceremony_can_no_longer_be_edited_or_marked(
    gql: GraphQLClient, world: World
) -> None:
    ceremony_id = await _scheduled(gql, world)
    await _cancel(gql, ceremony_id, world.admin)
    before = await _snapshot()

    edit = await call_mutation(
        gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony_id, "name": "x"}, world.staff
    )
    mark = await call_mutation(
        gql, CEREMONY_MARK_PINS_MAILED, "ceremonyMarkPinsMailed", {"id": ceremony_id}, world.staff
    )

    assert [e["code"] for e in edit["errors"] + mark["errors"]] == ["NOT_ALLOWED_IN_STATUS"] * 2
    assert await _snapshot() == before


async def test_another_partners_ceremony_is_not_found(gql: GraphQLClient, world: World) -> None:
    ceremony_id = await _scheduled(gql, world)
    before = await _snapshot()

    result = await _cancel(gql, ceremony_id, world.other_admin)

    assert [(e["field"], e["code"]) for e in result["errors"]] == [(["id"], "NOT_FOUND")]
    assert await _snapshot() == before


def _plain(row: OutboxMessage) -> str:
    message = message_from_string(row.message, policy=policy.default)
    return str(cast(Any, message.get_body(("plain",))).get_content())


async def test_a_requester_who_is_the_contact_hears_in_one_mail_that_the_pins_will_not_come(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony in Los Angeles whose mailing contact is the admin who submitted it
    created = await call_mutation(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.admin)
    ceremony_id = created["ceremony"]["id"]
    step2 = {
        **COMPLETE_STEP_2,
        "start": {"dateTime": "2026-10-04T18:00:00", "timeZone": "America/Los_Angeles"},
        "mailingContact": {
            "name": world.admin.name,
            "email": world.admin.email.upper(),
            "phone": "+1 310 555 0100",
        },
    }
    await call_mutation(gql, CEREMONY_UPDATE, "ceremonyUpdate", {"id": ceremony_id, **step2}, world.admin)
    await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id}, world.admin)

    # when it is cancelled before its pins are mailed
    result = await _cancel(gql, ceremony_id, world.admin, reason="The hall is closed for repairs.")

    # then their one mail says both: the ceremony is off, and its pins will not be mailed
    assert result["errors"] == []
    [row] = await OutboxMessage.filter(key__startswith="ceremony-cancelled")
    assert row.recipient == world.admin.email
    assert _plain(row) == (
        f"Dear {world.admin.name},\n\n"
        f"The pinning ceremony \u201c{created['ceremony']['name']}\u201d of {world.riverside.name} on Sunday "
        "4 October 2026 at 18:00 (America/Los_Angeles, UTC-07:00) has been cancelled, so its pins will not "
        "be mailed. Reason: The hall is closed for repairs.\n\n"
        f"See the ceremony in the Partnership Portal: http://127.0.0.1:8000/recognitions/{ceremony_id}\n\n"
        "The calendar invitation attached removes it from your calendar.\n"
    )


async def test_of_the_admins_staff_scheduled_for_only_the_contact_hears_of_the_pins(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony staff scheduled for a partner with two admins, the second its mailing contact
    second_admin = await make_admin(world.riverside)
    created = await call_mutation(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.staff)
    ceremony_id = created["ceremony"]["id"]
    contact = {"name": second_admin.name, "email": second_admin.email, "phone": "+64 9 123 4000"}
    await call_mutation(
        gql,
        CEREMONY_UPDATE,
        "ceremonyUpdate",
        {"id": ceremony_id, **COMPLETE_STEP_2, "mailingContact": contact},
        world.staff,
    )
    await call_mutation(gql, CEREMONY_SUBMIT, "ceremonySubmit", {"id": ceremony_id}, world.staff)

    # when staff cancel it
    result = await _cancel(gql, ceremony_id, world.staff)

    # then each admin has the cancellation, and only the contact hears that no pins will come
    assert result["errors"] == []
    rows = await OutboxMessage.filter(key__startswith="ceremony-cancelled").order_by("id")
    assert [row.recipient for row in rows] == [world.admin.email, second_admin.email]
    cancelled = (
        f"The pinning ceremony \u201c{created['ceremony']['name']}\u201d of {world.riverside.name} on Sunday "
        "4 October 2026 at 10:00 (Pacific/Auckland, UTC+13:00) has been cancelled"
    )
    assert [_plain(row).split("\n\n")[1] for row in rows] == [
        f"{cancelled}.",
        f"{cancelled}, so its pins will not be mailed.",
    ]
