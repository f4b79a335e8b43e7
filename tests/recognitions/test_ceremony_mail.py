"""Ceremony mail, driven over HTTP: who gets which mail, the links in it, and the calendar invitation
(its organizer, its location, its updates under one UID)."""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from dateutil.tz import tzical
from icalendar import Calendar
from starlette.applications import Starlette
from strawberry.relay import from_base64

from service.mail.models import OutboxMessage
from service.recognitions.models import Recognition, RecognitionEvent
from service.settings import Settings
from service.users.models import User
from tests.support.app_client import app_client
from tests.support.clock import MovableClock
from tests.support.factories import make_admin
from tests.support.graphql_client import GraphQLClient
from tests.support.mail_reading import subject, text_as_read
from tests.support.recognition_api import (
    CEREMONY_CANCEL,
    CEREMONY_CREATE,
    COMPLETE_STEP_2,
    World,
    call_mutation,
    draft_ceremony,
    make_world,
    mark_pins_mailed,
    save_ceremony,
    step1,
    submit_ceremony,
)
from tests.support.smtp_server import SmtpServer, received

CONTACT = "aroha.ngata@riverside.example"
PINS_OFFICE = {"name": "Pins Office", "email": "pins.office@riverside.example", "phone": "+64 9 123 4000"}
NEW_LINE1: dict[str, Any] = {
    "postalAddress": {**COMPLETE_STEP_2["postalAddress"], "line1": "14 Princes Street"}
}
ONLINE = {"format": "ONLINE", "meetingUrl": "https://meet.example.org/pinning"}
# A ceremony staff schedule sooner than 14 days ahead (an urgent one, through support).
SOON = {"dateTime": "2026-09-25T18:00:00", "timeZone": "Pacific/Auckland"}
A_DAY_LATER = {"dateTime": "2026-10-05T10:00:00", "timeZone": "Pacific/Auckland"}
LOS_ANGELES_AT_TEN = {"dateTime": "2026-10-04T10:00:00", "timeZone": "America/Los_Angeles"}
AUCKLAND_START = "Sunday 4 October 2026 at 10:00 (Pacific/Auckland, UTC+13:00)"
LOS_ANGELES_START = "Sunday 4 October 2026 at 18:00 (America/Los_Angeles, UTC-07:00)"
AUCKLAND_ADDRESS = "12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ"
NEW_AUCKLAND_ADDRESS = "14 Princes Street, Level 3, Auckland, Auckland, 1010, NZ"


@pytest.fixture
async def world(app: Starlette) -> World:
    return await make_world()


async def _scheduled(gql: GraphQLClient, world: World, **step2: Any) -> dict[str, Any]:
    """A ceremony the partner's admin completed (``COMPLETE_STEP_2``, ``step2`` over it) and submitted."""
    submitted = await submit_ceremony(
        gql, await draft_ceremony(gql, world, world.admin, **step2), world.admin
    )
    assert submitted["errors"] == []
    return cast(dict[str, Any], submitted["ceremony"])


async def _mails(key_prefix: str = "") -> list[EmailMessage]:
    return [
        message_from_string(row.message, policy=policy.default)
        for row in await OutboxMessage.filter(key__startswith=key_prefix).order_by("id")
    ]


def _text(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body((subtype,))
    assert part is not None
    return str(part.get_content())


def _event(message: EmailMessage) -> tuple[str, Any]:
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    return str(calendar["method"]), event


def _key(global_id: str) -> int:
    return int(from_base64(global_id)[1])


# ---------------- point 1: the right mail to the right people


async def test_the_submitter_gets_the_confirmation_and_the_contact_what_to_expect(
    gql: GraphQLClient, world: World
) -> None:
    # when the partner admin submits a ceremony whose pins go to a pins office
    ceremony = await _scheduled(gql, world, mailingContact={**COMPLETE_STEP_2["mailingContact"]})

    # then
    confirmation, contact = await _mails()
    assert (confirmation["To"], subject(confirmation)) == (
        f"{world.admin.name} <{world.admin.email}>",
        f"Pinning ceremony scheduled: {ceremony['name'].removeprefix('Pinning ceremony: ')}",
    )
    method, event = _event(confirmation)
    assert (method, str(event["attendee"])) == ("REQUEST", f"mailto:{world.admin.email}")
    assert (contact["To"], subject(contact)) == (
        f"Aroha Ngata <{CONTACT}>",
        f"Pins to be mailed for: {ceremony['name']}",
    )
    assert list(contact.iter_attachments()) == []


@pytest.mark.parametrize(
    ("step2", "where"),
    [
        ({}, "Where: 12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ."),
        (
            {"format": "ONLINE", "meetingUrl": "https://meet.example.org/pinning"},
            "Join the ceremony online: https://meet.example.org/pinning",
        ),
    ],
    ids=["in person", "online"],
)
async def test_the_confirmation_says_where_the_ceremony_is(
    gql: GraphQLClient, world: World, step2: dict[str, Any], where: str
) -> None:
    ceremony = await _scheduled(gql, world, **step2)

    [confirmation] = await _mails("ceremony-confirmation")

    # an in-person ceremony is at its address, and an online one at its link (its address is the pins')
    assert _text(confirmation).split("\n\n")[1:3] == [
        f"The pinning ceremony \u201c{ceremony['name']}\u201d of {world.riverside.name} is scheduled for "
        f"Sunday 4 October 2026 at 10:00 (Pacific/Auckland, UTC+13:00), "
        f"{'online' if step2 else 'in person'}. An ACUE representative has been requested to attend.",
        where,
    ]


async def test_a_submitter_who_is_also_the_contact_gets_one_mail(gql: GraphQLClient, world: World) -> None:
    # when the admin names themself the mailing contact
    contact = {"name": world.admin.name, "email": world.admin.email.upper(), "phone": "+64 9 123 4567"}
    await _scheduled(gql, world, mailingContact=contact)

    # then one mail tells them both
    [confirmation] = await _mails()
    assert confirmation["To"] == f"{world.admin.name} <{world.admin.email}>"
    assert "we will mail the pins to you at 12 Princes Street, Level 3, Auckland" in _text(confirmation)


# ---------------- point 2: links that open, from settings


async def test_links_carry_global_ids_and_open_the_example_portal_by_default(
    gql: GraphQLClient, world: World, http: httpx.AsyncClient
) -> None:
    ceremony = await _scheduled(gql, world)

    [confirmation, _] = await _mails()

    links = _links(confirmation)
    assert links == [
        f"http://127.0.0.1:8000/recognitions/{ceremony['id']}/certificates",
        f"http://127.0.0.1:8000/recognitions/{ceremony['id']}",
    ]
    for link in links:
        page = await http.get(urlsplit(link).path)
        assert (page.status_code, "<title>Recognition · example partner portal</title>" in page.text) == (
            200,
            True,
        )


@pytest.fixture
async def portal_gql(settings: Settings, clock: MovableClock) -> AsyncIterator[GraphQLClient]:
    """The app configured for a front end of its own, with its own routes."""
    configured = settings.model_copy(
        update={
            "app_url": "https://portal.example.edu/partners/",
            "app_recognition_route": "/recognition/{id}",
            "app_certificates_route": "/recognition/{id}?step=certificates",
        }
    )
    async with app_client(configured, clock) as http:
        yield GraphQLClient(http)


async def test_links_follow_the_portal_settings(portal_gql: GraphQLClient) -> None:
    world = await make_world()
    ceremony = await _scheduled(portal_gql, world)

    [confirmation, _] = await _mails()

    assert _links(confirmation) == [
        f"https://portal.example.edu/partners/recognition/{ceremony['id']}?step=certificates",
        f"https://portal.example.edu/partners/recognition/{ceremony['id']}",
    ]


async def test_the_html_part_has_clickable_links_and_escapes_every_stored_value(
    gql: GraphQLClient, world: World
) -> None:
    # given names that look like markup
    hostile = '<img src=x onerror="alert(1)"> & co'
    ceremony = await _scheduled(
        gql,
        world,
        name=hostile,
        mailingContact={**COMPLETE_STEP_2["mailingContact"], "name": f"Aroha {hostile}"},
        postalAddress={**COMPLETE_STEP_2["postalAddress"], "line2": hostile},
    )

    for message in await _mails():
        rich = _text(message, "html")
        assert "<img" not in rich
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co" in rich
    [confirmation, _] = await _mails()
    assert (
        f'<p><a href="http://127.0.0.1:8000/recognitions/{ceremony["id"]}">'
        "See the ceremony in the Partnership Portal</a></p>" in _text(confirmation, "html")
    )


def _links(message: EmailMessage) -> list[str]:
    """The href of every link in the HTML part, in order."""
    return [unquote(link) for link in re.findall(r'<a href="([^"]+)"', _text(message, "html"))]


# ---------------- point 6: a change mails an updated invitation


async def test_moving_a_scheduled_ceremony_mails_an_updated_invitation(
    gql: GraphQLClient, world: World
) -> None:
    # given a scheduled ceremony and its invitation
    ceremony = await _scheduled(gql, world)

    # when its start moves by a day
    moved = await save_ceremony(gql, ceremony["id"], world.admin, start=A_DAY_LATER)

    # then the submitter has an updated invitation under the same UID with a higher SEQUENCE
    assert moved["errors"] == []
    [first] = await _mails("ceremony-confirmation")
    [update] = await _mails("ceremony-updated")
    assert (update["To"], subject(update)) == (
        f"{world.admin.name} <{world.admin.email}>",
        f"Pinning ceremony changed: {ceremony['name'].removeprefix('Pinning ceremony: ')}",
    )
    assert "has changed (date and time). It is now scheduled for Monday 5 October 2026 at 10:00" in _text(
        update
    )
    (_, before), (method, after) = _event(first), _event(update)
    assert (method, str(after["uid"]), before["sequence"], after["sequence"]) == (
        "REQUEST",
        str(before["uid"]),
        0,
        1,
    )
    assert after.decoded("dtstart").isoformat() == "2026-10-05T10:00:00+13:00"
    # and the mailing contact, whose pins are for that day, hears of it too
    [contact_update] = await OutboxMessage.filter(
        key__startswith=f"ceremony-pins-contact:{_key(ceremony['id'])}:"
    )
    assert (contact_update.recipient, contact_update.subject) == (
        CONTACT,
        f"Updated: pins to be mailed for: {ceremony['name']}",
    )


async def test_each_change_counts_the_sequence_on(gql: GraphQLClient, world: World) -> None:
    ceremony = await _scheduled(gql, world)
    changes: list[dict[str, Any]] = [
        {"format": "ONLINE", "meetingUrl": "https://meet.example.org/pinning"},
        {"name": "Renamed ceremony"},
        {"postalAddress": {**COMPLETE_STEP_2["postalAddress"], "line1": "14 Princes Street"}},
    ]

    for change in changes:
        result = await save_ceremony(gql, ceremony["id"], world.admin, **change)
        assert result["errors"] == []

    updates = await _mails("ceremony-updated")
    assert [(_event(mail)[1]["sequence"], subject(mail)) for mail in updates] == [
        (1, f"Pinning ceremony changed: {ceremony['name'].removeprefix('Pinning ceremony: ')}"),
        (2, "Pinning ceremony changed: Renamed ceremony"),
        (3, "Pinning ceremony changed: Renamed ceremony"),
    ]
    assert "(format, meeting link)" in _text(updates[0])
    assert "(name)" in _text(updates[1])
    # the third change moves the pins of what is an online ceremony by then: its mailing address
    assert "(mailing address)" in _text(updates[2])
    stored = await Recognition.get(id=_key(ceremony["id"]))
    assert stored.calendar_sequence == 3


async def test_renaming_a_scheduled_ceremony_mails_an_updated_invitation(
    gql: GraphQLClient, world: World
) -> None:
    # given a scheduled ceremony, in its requester's calendar under its name
    ceremony = await _scheduled(gql, world)
    [first] = await _mails("ceremony-confirmation")

    # when it is renamed
    renamed = await save_ceremony(gql, ceremony["id"], world.admin, name="Autumn pinning")

    # then the requester has an updated invitation: the same UID, the next SEQUENCE, the new SUMMARY
    assert renamed["errors"] == []
    [update] = await _mails("ceremony-updated")
    (_, before), (method, after) = _event(first), _event(update)
    assert (method, str(after["uid"]), after["sequence"], str(after["summary"])) == (
        "REQUEST",
        str(before["uid"]),
        1,
        "Pinning ceremony: Autumn pinning",
    )
    assert (update["To"], subject(update)) == (
        f"{world.admin.name} <{world.admin.email}>",
        "Pinning ceremony changed: Autumn pinning",
    )
    assert (
        _text(update)
        .split("\n\n")[1]
        .startswith(
            f"The pinning ceremony \u201cAutumn pinning\u201d (formerly \u201c{ceremony['name']}\u201d) of "
            f"{world.riverside.name} has changed (name). It is now scheduled for "
        )
    )
    # and the mailing contact, whose details did not change, is told the new name, and only that
    [to_contact] = await _mails(f"ceremony-pins-contact:{_key(ceremony['id'])}:")
    assert (to_contact["To"], subject(to_contact)) == (
        f"Aroha Ngata <{CONTACT}>",
        "Updated: pins to be mailed for: Autumn pinning",
    )


async def test_a_refused_change_mails_nothing(gql: GraphQLClient, world: World) -> None:
    ceremony = await _scheduled(gql, world)
    before = (await OutboxMessage.all().count(), await RecognitionEvent.all().count())

    too_soon = {"dateTime": "2026-09-25T10:00:00", "timeZone": "Pacific/Auckland"}
    refused = await save_ceremony(gql, ceremony["id"], world.admin, start=too_soon)

    assert [e["code"] for e in refused["errors"]] == ["TOO_SOON"]
    assert (await OutboxMessage.all().count(), await RecognitionEvent.all().count()) == before
    assert (await Recognition.get(id=_key(ceremony["id"]))).calendar_sequence == 0


async def test_saving_a_scheduled_ceremony_unchanged_records_and_mails_nothing(
    gql: GraphQLClient, world: World
) -> None:
    # given a scheduled ceremony (its confirmation mailed, its history written)
    ceremony = await _scheduled(gql, world)
    stored = await Recognition.get(id=_key(ceremony["id"]))
    before = (await OutboxMessage.all().count(), await RecognitionEvent.all().count(), stored.updated_at)

    # when the wizard saves both steps again as they are (the cohorts in another order)
    again = await save_ceremony(
        gql, ceremony["id"], world.admin, **step1(world, world.summer, world.spring), **COMPLETE_STEP_2
    )

    # then the answer is the ceremony as it was, and no event, mail or new sequence follows
    assert again["errors"] == []
    assert again["ceremony"]["status"] == ceremony["status"]
    stored = await Recognition.get(id=_key(ceremony["id"]))
    after = (await OutboxMessage.all().count(), await RecognitionEvent.all().count(), stored.updated_at)
    assert after == before
    assert stored.calendar_sequence == 0


async def test_pins_mailed_tells_the_contact_and_the_submitter(gql: GraphQLClient, world: World) -> None:
    ceremony = await _scheduled(gql, world)

    await mark_pins_mailed(gql, ceremony["id"], world.staff)

    to_contact, to_submitter = await _mails("ceremony-pins-mailed")
    assert to_contact["To"] == f"Aroha Ngata <{CONTACT}>"
    assert "have been mailed to 12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ." in _text(
        to_contact
    )
    assert to_submitter["To"] == f"{world.admin.name} <{world.admin.email}>"
    assert "have been mailed to Aroha Ngata at 12 Princes Street" in _text(to_submitter)


# ---------------- point 8: the invitation itself


async def test_the_invitation_has_an_organizer_and_the_real_address(gql: GraphQLClient, world: World) -> None:
    await _scheduled(gql, world)

    [confirmation] = await _mails("ceremony-confirmation")

    _, event = _event(confirmation)
    assert str(event["organizer"]) == "mailto:recognition@localhost"
    assert event["organizer"].params["CN"] == "Recognition"
    assert str(event["location"]) == "12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ"
    assert str(event["status"]) == "CONFIRMED"


async def test_the_invitation_is_right_in_calendars_that_read_its_zone_any_year_and_in_any_script(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony in Los Angeles in July 2040 (summer time, past icalendar's default 2038),
    # named in Arabic
    start = {"dateTime": "2040-07-15T18:00:00", "timeZone": "America/Los_Angeles"}
    await _scheduled(gql, world, start=start, name="حفل التكريم")

    [expect] = await _mails("ceremony-confirmation")
    [attachment] = [part for part in expect.iter_attachments() if part.get_content_type() == "text/calendar"]
    text = attachment.get_content()
    zone_definition = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE") + len("END:VTIMEZONE")]
    zone = tzical(io.StringIO(zone_definition)).get("America/Los_Angeles")
    _, event = _event(expect)

    # then the zone the invitation defines puts it at 01:00 UTC, as the real zone does; the text
    # says it is UTF-8, and the name reads as written
    assert (attachment.get_content_charset(), attachment.get_param("method")) == ("utf-8", "REQUEST")
    assert datetime(2040, 7, 15, 18, tzinfo=zone).astimezone(UTC) == datetime(2040, 7, 16, 1, tzinfo=UTC)
    assert str(event["summary"]) == "Pinning ceremony: حفل التكريم"


async def test_an_online_ceremony_sends_its_meeting_link(gql: GraphQLClient, world: World) -> None:
    ceremony = await _scheduled(
        gql, world, format="ONLINE", meetingUrl="https://meet.example.org/pinning?id=7"
    )

    [confirmation] = await _mails("ceremony-confirmation")

    _, event = _event(confirmation)
    assert (str(event["location"]), str(event["url"])) == (
        "https://meet.example.org/pinning?id=7",
        "https://meet.example.org/pinning?id=7",
    )
    assert "Join the ceremony online: https://meet.example.org/pinning?id=7" in _text(confirmation)
    assert ceremony["__typename"] == "Ceremony"


async def _new_draft(gql: GraphQLClient, world: World) -> str:
    """The id of a new draft ceremony (step 1 alone) of the partner's admin."""
    created = await call_mutation(gql, CEREMONY_CREATE, "ceremonyCreate", step1(world), world.admin)
    ceremony_id: str = created["ceremony"]["id"]
    return ceremony_id


@pytest.mark.parametrize(
    "url",
    ["http://meet.example.org/pinning", "meet.example.org/pinning", "https://", "https://meet example.org/x"],
)
async def test_a_meeting_link_must_be_an_https_url(gql: GraphQLClient, world: World, url: str) -> None:
    ceremony_id = await _new_draft(gql, world)
    before = await Recognition.all().values()

    result = await save_ceremony(gql, ceremony_id, world.admin, meetingUrl=url)

    assert [(e["field"], e["code"]) for e in result["errors"]] == [(["meetingUrl"], "INVALID_URL")]
    assert await Recognition.all().values() == before


HTTPS_ONLY = "Give the meeting link as an https address, e.g. https://zoom.us/j/123456789."
NO_USER = (
    "Remove the user name and password (the part before @) from the meeting link: it is mailed to everyone "
    "invited. Give the address the meeting service shows, e.g. https://zoom.us/j/123456789."
)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://user:secret@meet.example.org/pinning", NO_USER),
        ("https://zoom.us@evil.example/j/123456789", NO_USER),
        ("https://@meet.example.org/pinning", NO_USER),
        (
            "https://meet.example.org:99999/pinning",
            "The port in the meeting link (99999) is not a port: give a number from 1 to 65535, or none.",
        ),
        (
            "https://meet.example.org:0/pinning",
            "The port in the meeting link (0) is not a port: give a number from 1 to 65535, or none.",
        ),
        (
            "https://meet.example.org:https/pinning",
            "The port in the meeting link (https) is not a port: give a number from 1 to 65535, or none.",
        ),
        ("https://[meet.example.org/pinning", HTTPS_ONLY),
    ],
    ids=[
        "user-and-password",
        "user-before-another-host",
        "empty-user",
        "port-99999",
        "port-0",
        "port-text",
        "broken-ipv6-host",
    ],
)
async def test_a_meeting_link_with_a_user_or_a_bad_port_is_refused_saying_which(
    gql: GraphQLClient, world: World, url: str, message: str
) -> None:
    ceremony_id = await _new_draft(gql, world)
    before = await Recognition.all().values()

    result = await save_ceremony(gql, ceremony_id, world.admin, meetingUrl=url)

    assert [(e["field"], e["code"], e["message"]) for e in result["errors"]] == [
        (["meetingUrl"], "INVALID_URL", message)
    ]
    assert await Recognition.all().values() == before


@pytest.mark.parametrize(
    "url",
    [
        "https://meet.example.org:8443/pinning",
        "https://meet.example.org:/pinning",
        "https://[2001:db8::1]:443/pinning",
        "https://teams.example.org/l/meetup-join/19%3ameeting@thread.v2/0?context=%7b%7d",
    ],
)
async def test_a_meeting_link_with_a_port_or_an_at_sign_in_its_path_is_accepted(
    gql: GraphQLClient, world: World, url: str
) -> None:
    ceremony_id = await _new_draft(gql, world)

    result = await save_ceremony(gql, ceremony_id, world.admin, meetingUrl=url)

    assert result["errors"] == []
    assert (await Recognition.get(id=_key(ceremony_id))).meeting_url == url


async def test_when_staff_submit_for_a_partner_the_partner_gets_the_confirmation(
    gql: GraphQLClient, world: World
) -> None:
    # given a partner's draft ceremony too soon for the partner to submit
    ceremony_id = await draft_ceremony(gql, world, world.admin, start=SOON)

    # when staff submit it for them (an urgent request through support)
    submitted = await submit_ceremony(gql, ceremony_id, world.staff, override_reason="Ticket 4711")

    # then the partner's admin who asked has the confirmation, saying staff scheduled it
    assert submitted["errors"] == []
    assert [row.recipient for row in await OutboxMessage.all().order_by("id")] == [world.admin.email, CONTACT]
    [confirmation] = await _mails("ceremony-confirmation")
    assert (
        f"ACUE staff scheduled the pinning ceremony \u201c{submitted['ceremony']['name']}\u201d"
        in " ".join(_text(confirmation).split())
    )
    # and the contact hears that the partner's admin, who named them in the draft, did
    [to_contact] = await _mails("ceremony-pins-contact")
    assert _text(to_contact).split("\n\n")[1] == (
        "You are the mailing contact for the pins of the pinning ceremony "
        f"\u201c{submitted['ceremony']['name']}\u201d on Friday 25 September 2026 at 18:00 "
        "(Pacific/Auckland, UTC+12:00), named by "
        f"{world.admin.name} ({world.admin.email}) of {world.riverside.name}."
    )


async def test_a_contact_staff_named_in_a_partners_draft_hears_it_from_staff(
    gql: GraphQLClient, world: World
) -> None:
    # given a partner's draft whose mailing contact staff then set (an urgent request through support)
    ceremony_id = await draft_ceremony(gql, world, world.admin, start=SOON)
    contact = {"name": "Pins Office", "email": "pins.office@riverside.example", "phone": "+64 9 123 4000"}
    assert (await save_ceremony(gql, ceremony_id, world.staff, mailingContact=contact))["errors"] == []

    # when staff submit it
    submitted = await submit_ceremony(gql, ceremony_id, world.staff, override_reason="Ticket 4711")

    # then the contact reads that staff named them, and whom at the partner to ask
    assert submitted["errors"] == []
    [to_contact] = await _mails("ceremony-pins-contact")
    assert to_contact["To"] == "Pins Office <pins.office@riverside.example>"
    assert _text(to_contact).split("\n\n")[1] == (
        "ACUE staff named you the mailing contact for the pins of the pinning ceremony "
        f"\u201c{submitted['ceremony']['name']}\u201d of {world.riverside.name} on Friday 25 September 2026 "
        "at 18:00 (Pacific/Auckland, UTC+12:00)."
    )


async def test_a_new_mailing_contact_is_told_what_to_expect(gql: GraphQLClient, world: World) -> None:
    ceremony = await _scheduled(gql, world)

    changed = await save_ceremony(gql, ceremony["id"], world.admin, mailingContact=PINS_OFFICE)

    # then the new contact, told nothing before, has a first mail, not an update of one
    assert changed["errors"] == []
    assert await _mails("ceremony-updated") == []
    [to_new_contact] = await _mails(f"ceremony-pins-contact:{_key(ceremony['id'])}:")
    assert (to_new_contact["To"], subject(to_new_contact)) == (
        "Pins Office <pins.office@riverside.example>",
        f"Pins to be mailed for: {ceremony['name']}",
    )
    assert _text(to_new_contact).split("\n\n")[:2] == [
        "Dear Pins Office,",
        f"You are the mailing contact for the pins of the pinning ceremony \u201c{ceremony['name']}\u201d on "
        f"{AUCKLAND_START}, named by {world.admin.name} ({world.admin.email}) of {world.riverside.name}.",
    ]


async def test_the_same_mailing_contact_with_new_details_is_told_of_an_update(
    gql: GraphQLClient, world: World
) -> None:
    ceremony = await _scheduled(gql, world)

    new_details = {**COMPLETE_STEP_2["mailingContact"], "email": CONTACT.upper(), "phone": "+64 9 555 0101"}
    changed = await save_ceremony(gql, ceremony["id"], world.admin, mailingContact=new_details)

    assert changed["errors"] == []
    [to_contact] = await _mails(f"ceremony-pins-contact:{_key(ceremony['id'])}:")
    assert subject(to_contact) == f"Updated: pins to be mailed for: {ceremony['name']}"
    assert _text(to_contact).split("\n\n")[1].startswith("The details have changed. ")
    assert _text(to_contact).split("\n\n")[2] == (
        f"Before this change: your email address was {CONTACT}; your phone number was +64 9 123 4567."
    )
    assert "If the address or your details (+64 9 555 0101) are wrong" in _text(to_contact)


async def _scheduled_by_staff(gql: GraphQLClient, world: World) -> str:
    """A ceremony staff created, completed and submitted for Riverside (an urgent one, through support)."""
    ceremony_id = await draft_ceremony(gql, world, world.staff, start=SOON)
    submitted = await submit_ceremony(gql, ceremony_id, world.staff, override_reason="Ticket 4711")
    assert submitted["errors"] == []
    return ceremony_id


def _ceremony_words(world: World) -> str:
    return (
        "the pinning ceremony \u201cPinning ceremony: cohorts ending 1 May 2026 to 31 August 2026\u201d of "
        f"{world.riverside.name}"
    )


async def test_when_staff_schedule_a_ceremony_for_a_partner_its_admins_are_told_and_staff_stay_unnamed(
    gql: GraphQLClient, world: World
) -> None:
    # given a partner with two admins
    second_admin = await make_admin(world.riverside)

    # when staff create, complete and submit a ceremony for it
    ceremony_id = await _scheduled_by_staff(gql, world)

    # then each admin has the confirmation, saying staff scheduled it, and the contact what to expect
    key = _key(ceremony_id)
    rows = await OutboxMessage.all().order_by("id")
    assert [(row.key, row.recipient) for row in rows] == [
        (f"ceremony-confirmation:{key}:to:{world.admin.id}", world.admin.email),
        (f"ceremony-confirmation:{key}:to:{second_admin.id}", second_admin.email),
        (f"ceremony-pins-contact:{key}", CONTACT),
    ]
    first, second, contact = [message_from_string(row.message, policy=policy.default) for row in rows]
    for confirmation, admin in ((first, world.admin), (second, second_admin)):
        assert confirmation["To"] == f"{admin.name} <{admin.email}>"
        assert _text(confirmation).split("\n\n")[:2] == [
            f"Dear {admin.name},",
            f"ACUE staff scheduled {_ceremony_words(world)} for Friday 25 September 2026 at 18:00 "
            "(Pacific/Auckland, UTC+12:00), in person. An ACUE representative has been requested to attend.",
        ]
        method, event = _event(confirmation)
        assert (method, str(event["attendee"])) == ("REQUEST", f"mailto:{admin.email}")
    assert _text(contact) == (
        "Dear Aroha Ngata,\n\n"
        f"ACUE staff named you the mailing contact for the pins of {_ceremony_words(world)} on Friday "
        "25 September 2026 at 18:00 (Pacific/Auckland, UTC+12:00).\n\n"
        "ACUE will mail the pins to 12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ, and you will "
        "hear from us when they are on their way.\n\n"
        "If the address or your details (+64 9 123 4567) are wrong, ask "
        f"{world.admin.name} ({world.admin.email}) or {second_admin.name} ({second_admin.email}) to correct "
        "them in the Partnership Portal.\n"
    )
    # partners know staff only as "ACUE staff": no mail names the staff user
    assert [
        row.key for row in rows if world.staff.name in row.message or world.staff.email in row.message
    ] == []


async def test_a_staff_scheduled_ceremony_keeps_telling_the_partners_admins(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony staff scheduled for a partner with two admins
    second_admin = await make_admin(world.riverside)
    ceremony_id = await _scheduled_by_staff(gql, world)
    told = await OutboxMessage.all().count()

    # when staff change its address, then mark its pins mailed
    moved = await save_ceremony(gql, ceremony_id, world.staff, **NEW_LINE1)
    mailed = await mark_pins_mailed(gql, ceremony_id, world.staff)

    # then each admin hears of both, and the contact of both
    assert (moved["errors"], mailed["errors"]) == ([], [])
    key = _key(ceremony_id)
    last_update = await RecognitionEvent.filter(recognition_id=key, kind="UPDATED").order_by("-id").first()
    assert last_update is not None
    event_id = last_update.id
    rows = await OutboxMessage.all().order_by("id").offset(told)
    assert [(row.key, row.recipient) for row in rows] == [
        (f"ceremony-updated:{key}:{event_id}:to:{world.admin.id}", world.admin.email),
        (f"ceremony-updated:{key}:{event_id}:to:{second_admin.id}", second_admin.email),
        (f"ceremony-pins-contact:{key}:{event_id}", CONTACT),
        (f"ceremony-pins-mailed:{key}", CONTACT),
        (f"ceremony-pins-mailed:{key}:requester:to:{world.admin.id}", world.admin.email),
        (f"ceremony-pins-mailed:{key}:requester:to:{second_admin.id}", second_admin.email),
    ]
    update_to_contact = message_from_string(rows[2].message, policy=policy.default)
    assert _text(update_to_contact).split("\n\n")[1:4] == [
        f"The details have changed. ACUE staff named you the mailing contact for the pins of "
        f"{_ceremony_words(world)} on Friday 25 September 2026 at 18:00 (Pacific/Auckland, UTC+12:00).",
        "Before this change: the pins were to be mailed to 12 Princes Street, Level 3, Auckland, Auckland, "
        "1010, NZ.",
        "ACUE will mail the pins to 14 Princes Street, Level 3, Auckland, Auckland, 1010, NZ, and you will "
        "hear from us when they are on their way.",
    ]


async def test_a_ceremony_staff_schedule_for_a_partner_without_admins_stays_with_staff(
    gql: GraphQLClient, world: World
) -> None:
    # given a partner with no admin (none signed up yet)
    await world.admin.delete()

    # when staff schedule a ceremony for it
    ceremony_id = await _scheduled_by_staff(gql, world)

    # then staff hold the confirmation, and the contact is sent to support, staff still unnamed
    key = _key(ceremony_id)
    rows = await OutboxMessage.all().order_by("id")
    assert [(row.key, row.recipient) for row in rows] == [
        (f"ceremony-confirmation:{key}", world.staff.email),
        (f"ceremony-pins-contact:{key}", CONTACT),
    ]
    contact = message_from_string(rows[1].message, policy=policy.default)
    assert _text(contact).split("\n\n")[1:] == [
        f"ACUE staff named you the mailing contact for the pins of {_ceremony_words(world)} on Friday "
        "25 September 2026 at 18:00 (Pacific/Auckland, UTC+12:00).",
        "ACUE will mail the pins to 12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ, and you will "
        "hear from us when they are on their way.",
        "If the address or your details (+64 9 123 4567) are wrong, contact Partnership Portal Support to "
        "correct them.\n",
    ]
    assert world.staff.name not in rows[1].message


# ---------------- the requester who is the mailing contact: one mail says what each would be told

LOS_ANGELES: dict[str, Any] = {
    "start": {"dateTime": "2026-10-04T18:00:00", "timeZone": "America/Los_Angeles"},
    "postalAddress": {
        "line1": "1 University Ave",
        "city": "Los Angeles",
        "region": "CA",
        "postalCode": "90095",
        "country": "us",
    },
}
LA_ADDRESS = "1 University Ave, Los Angeles, CA, 90095, US"


def _own_contact(world: World) -> dict[str, str]:
    """The admin names themself the mailing contact (their address in another case, as typed)."""
    return {"name": world.admin.name, "email": world.admin.email.upper(), "phone": "+1 310 555 0100"}


async def _mails_after(told: int) -> list[tuple[str, str, EmailMessage]]:
    rows = await OutboxMessage.all().order_by("id").offset(told)
    return [(row.key, row.recipient, message_from_string(row.message, policy=policy.default)) for row in rows]


async def test_a_requester_who_is_the_contact_hears_where_the_pins_go_when_the_day_moves(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony in Los Angeles (its evening is the next day in UTC), the admin its contact
    ceremony = await _scheduled(gql, world, **LOS_ANGELES, mailingContact=_own_contact(world))
    told = await OutboxMessage.all().count()

    # when it moves to the next evening
    next_evening = {"dateTime": "2026-10-05T17:30:00", "timeZone": "America/Los_Angeles"}
    moved = await save_ceremony(gql, ceremony["id"], world.admin, start=next_evening)

    # then one mail, the updated invitation, says the new day and where the pins go, as the contact's would
    assert moved["errors"] == []
    [(key, recipient, update)] = await _mails_after(told)
    assert (key.startswith(f"ceremony-updated:{_key(ceremony['id'])}:"), recipient) == (
        True,
        world.admin.email,
    )
    assert _text(update) == (
        f"Dear {world.admin.name},\n\n"
        f"The pinning ceremony \u201c{ceremony['name']}\u201d of {world.riverside.name} has changed (date "
        "and time). It is now scheduled for Monday 5 October 2026 at 17:30 (America/Los_Angeles, UTC-07:00), "
        "in person. It was scheduled for Sunday 4 October 2026 at 18:00 (America/Los_Angeles, UTC-07:00)."
        "\n\n"
        f"Where: {LA_ADDRESS}.\n\n"
        f"What comes next: we will mail the pins to you at {LA_ADDRESS}, and you will hear from us when they "
        "are on their way.\n\n"
        f"See the ceremony in the Partnership Portal: http://127.0.0.1:8000/recognitions/{ceremony['id']}\n\n"
        "The updated calendar invitation attached replaces the one you had.\n"
    )


async def test_a_requester_who_becomes_the_contact_is_told_what_the_contact_would_be(
    gql: GraphQLClient, world: World
) -> None:
    # given a scheduled ceremony whose pins go to a pins office
    ceremony = await _scheduled(gql, world)
    told = await OutboxMessage.all().count()

    # when the admin names themself the mailing contact (nothing the invitation shows changes)
    changed = await save_ceremony(gql, ceremony["id"], world.admin, mailingContact=_own_contact(world))

    # then they have the contact's news, with the link their account opens, in one mail (and the pins
    # office, no longer the contact, is told so)
    assert changed["errors"] == []
    [(key, recipient, mail), (_, former, _)] = await _mails_after(told)
    assert (key.startswith(f"ceremony-pins-contact:{_key(ceremony['id'])}:"), recipient, former) == (
        True,
        world.admin.email,
        CONTACT,
    )
    assert (mail["To"], subject(mail)) == (
        f"{world.admin.name} <{world.admin.email}>",
        f"Updated: pins to be mailed for: {ceremony['name']}",
    )
    assert _text(mail) == (
        f"Dear {world.admin.name},\n\n"
        "The details have changed. You are the mailing contact for the pins of the pinning ceremony "
        f"\u201c{ceremony['name']}\u201d of {world.riverside.name} on Sunday 4 October 2026 at 10:00 "
        "(Pacific/Auckland, UTC+13:00).\n\n"
        f"Before this change: the mailing contact was Aroha Ngata, {CONTACT}, +64 9 123 4567.\n\n"
        "What comes next: we will mail the pins to you at 12 Princes Street, Level 3, Auckland, Auckland, "
        "1010, NZ, and you will hear from us when they are on their way.\n\n"
        "If the address or your details (+1 310 555 0100) are wrong, correct them in the Partnership "
        "Portal.\n\n"
        f"See the ceremony in the Partnership Portal: http://127.0.0.1:8000/recognitions/{ceremony['id']}\n"
    )


async def test_a_requester_who_is_the_contact_hears_the_pins_were_mailed_to_them_with_the_portal_link(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony in Los Angeles whose contact is the admin who submitted it
    ceremony = await _scheduled(gql, world, **LOS_ANGELES, mailingContact=_own_contact(world))
    told = await OutboxMessage.all().count()

    # when staff mark its pins mailed
    mailed = await mark_pins_mailed(gql, ceremony["id"], world.staff)

    # then one mail tells them, as the requester's does: with the link
    assert mailed["errors"] == []
    [(key, recipient, mail)] = await _mails_after(told)
    assert (key, recipient, subject(mail)) == (
        f"ceremony-pins-mailed:{_key(ceremony['id'])}:requester",
        world.admin.email,
        f"Pins mailed for your ceremony: {ceremony['name']}",
    )
    assert _text(mail) == (
        f"Dear {world.admin.name},\n\n"
        f"The pins for the pinning ceremony \u201c{ceremony['name']}\u201d on Sunday 4 October 2026 at 18:00 "
        f"(America/Los_Angeles, UTC-07:00) have been mailed to you at {LA_ADDRESS}.\n\n"
        f"See the ceremony in the Partnership Portal: http://127.0.0.1:8000/recognitions/{ceremony['id']}\n"
    )


async def test_a_new_address_for_the_pins_of_an_online_ceremony_is_in_the_requesters_mail(
    gql: GraphQLClient, world: World
) -> None:
    # given an online ceremony (its invitation's location is the meeting link, not the address)
    ceremony = await _scheduled(gql, world, format="ONLINE", meetingUrl="https://meet.example.org/pinning")
    told = await OutboxMessage.all().count()

    # when the pins' address changes
    moved = await save_ceremony(gql, ceremony["id"], world.admin, **NEW_LINE1)

    # then the requester's "changed (mailing address)" says the new address and the old, and the
    # contact hears of it too
    assert moved["errors"] == []
    (_, to_requester, update), (_, to_contact, _) = await _mails_after(told)
    assert (to_requester, to_contact) == (world.admin.email, CONTACT)
    assert _text(update) == (
        f"Dear {world.admin.name},\n\n"
        f"The pinning ceremony \u201c{ceremony['name']}\u201d of {world.riverside.name} has changed "
        "(mailing address). It is now scheduled for Sunday 4 October 2026 at 10:00 (Pacific/Auckland, "
        "UTC+13:00), online.\n\n"
        "Join the ceremony online: https://meet.example.org/pinning\n\n"
        "Mailing address for the pins: 14 Princes Street, Level 3, Auckland, Auckland, 1010, NZ (previously "
        "12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ).\n\n"
        "What comes next: we will mail the pins to Aroha Ngata at 14 Princes Street, Level 3, Auckland, "
        f"Auckland, 1010, NZ; we have told Aroha Ngata ({CONTACT}) what to expect, and both of you will hear "
        "from us when they are on their way.\n\n"
        f"See the ceremony in the Partnership Portal: http://127.0.0.1:8000/recognitions/{ceremony['id']}\n\n"
        "The updated calendar invitation attached replaces the one you had.\n"
    )


# ---------------- a mailing contact replaced, a ceremony renamed: whoever was told is told again


async def _change(
    gql: GraphQLClient, world: World, ceremony: dict[str, Any], *, by: User | None = None, **change: Any
) -> int:
    """Save a change as the partner's admin (or ``by``); the id of the event it recorded (which names
    its mails)."""
    result = await save_ceremony(gql, ceremony["id"], by or world.admin, **change)
    assert result["errors"] == []
    event = await RecognitionEvent.filter(recognition_id=_key(ceremony["id"])).order_by("-id").first()
    assert event is not None
    return event.id


async def _mailed_for(
    gql: GraphQLClient, world: World, ceremony: dict[str, Any], **change: Any
) -> tuple[int, list[tuple[str, str, EmailMessage]]]:
    """Save a change as the partner's admin: the id of its event, and the mails it queued (key,
    recipient, message), in order."""
    told = await OutboxMessage.all().count()
    event_id = await _change(gql, world, ceremony, **change)
    return event_id, await _mails_after(told)


@pytest.mark.parametrize(
    ("step2", "start"),
    [({}, AUCKLAND_START), (LOS_ANGELES, LOS_ANGELES_START)],
    ids=["Auckland", "Los Angeles"],
)
async def test_a_replaced_mailing_contact_is_told_they_no_longer_are_and_whom_to_ask(
    gql: GraphQLClient, world: World, step2: dict[str, Any], start: str
) -> None:
    # given a scheduled ceremony whose contact was told they will hear when the pins are on their way
    ceremony = await _scheduled(gql, world, **step2)

    # when the admin names a pins office the contact instead
    event_id, mailed = await _mailed_for(gql, world, ceremony, mailingContact=PINS_OFFICE)

    # then the pins office has its first mail, and the former contact one short mail saying they no longer are
    key = _key(ceremony["id"])
    [(_, to_office, _), (former_key, to_former, former)] = mailed
    assert (to_office, former_key, to_former) == (
        PINS_OFFICE["email"],
        f"ceremony-former-contact:{key}:{event_id}",
        CONTACT,
    )
    assert (former["To"], subject(former)) == (
        f"Aroha Ngata <{CONTACT}>",
        f"No longer the mailing contact for: {ceremony['name']}",
    )
    assert _text(former) == (
        "Dear Aroha Ngata,\n\n"
        "You are no longer the mailing contact for the pins of the pinning ceremony "
        f"\u201c{ceremony['name']}\u201d of {world.riverside.name} on {start}: ACUE will mail them to "
        "another contact, and you will not hear from us about them again.\n\n"
        f"If you should still be the mailing contact, ask {world.admin.name} ({world.admin.email}) to "
        "correct it in the Partnership Portal.\n"
    )
    # and an HTML part saying the same, with no link (a contact need not have an account)
    assert f"<p>If you should still be the mailing contact, ask {world.admin.name}" in _text(former, "html")
    assert (_links(former), list(former.iter_attachments())) == ([], [])


async def test_a_replaced_contact_of_a_staff_scheduled_ceremony_is_sent_to_its_admins_or_support(
    gql: GraphQLClient, world: World
) -> None:
    async def replace_contact(ceremony_id: str) -> None:
        changed = await save_ceremony(gql, ceremony_id, world.staff, mailingContact=PINS_OFFICE)
        assert changed["errors"] == []

    # given a ceremony staff scheduled for a partner with two admins, whose contact staff replace
    second_admin = await make_admin(world.riverside)
    await replace_contact(await _scheduled_by_staff(gql, world))
    # and one for the partner once it has no admins
    await world.admin.delete()
    await second_admin.delete()
    await replace_contact(await _scheduled_by_staff(gql, world))

    # then each former contact is told whom to ask: the partner's admins, else support; staff stay unnamed
    asked = [_text(mail).split("\n\n")[-1] for mail in await _mails("ceremony-former-contact:")]
    assert asked == [
        f"If you should still be the mailing contact, ask {world.admin.name} ({world.admin.email}) or "
        f"{second_admin.name} ({second_admin.email}) to correct it in the Partnership Portal.\n",
        "If you should still be the mailing contact, tell Partnership Portal Support.\n",
    ]
    former = await OutboxMessage.filter(key__startswith="ceremony-former-contact:")
    assert [
        row.key for row in former if world.staff.name in row.message or world.staff.email in row.message
    ] == []


async def test_a_requester_replaced_as_the_contact_hears_it_in_a_requesters_mail(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony whose contact is the admin who submitted it
    ceremony = await _scheduled(gql, world, mailingContact=_own_contact(world))

    # when they name a pins office instead (nothing the invitation shows changes)
    event_id, mailed = await _mailed_for(gql, world, ceremony, mailingContact=PINS_OFFICE)

    # then the office has its first mail, and the admin a requester's mail (with the link) saying who is now
    key = _key(ceremony["id"])
    [(_, to_office, _), (former_key, to_admin, mail)] = mailed
    assert (to_office, former_key, to_admin) == (
        PINS_OFFICE["email"],
        f"ceremony-former-contact:{key}:{event_id}",
        world.admin.email,
    )
    assert subject(mail) == f"Updated: pins to be mailed for: {ceremony['name']}"
    assert _text(mail) == (
        f"Dear {world.admin.name},\n\n"
        "The mailing contact has changed. You are no longer the mailing contact for the pins of the pinning "
        f"ceremony \u201c{ceremony['name']}\u201d of {world.riverside.name} on {AUCKLAND_START}.\n\n"
        "What comes next: we will mail the pins to Pins Office at 12 Princes Street, Level 3, Auckland, "
        "Auckland, 1010, NZ; we have told Pins Office (pins.office@riverside.example) what to expect, and "
        "both of you will hear from us when they are on their way.\n\n"
        f"See the ceremony in the Partnership Portal: http://127.0.0.1:8000/recognitions/{ceremony['id']}\n"
    )


async def test_a_requester_replaced_as_the_contact_with_a_new_address_hears_both_in_the_update(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony in Los Angeles whose contact is the admin who submitted it
    ceremony = await _scheduled(gql, world, **LOS_ANGELES, mailingContact=_own_contact(world))

    # when they name a pins office at another address
    new_address = {**LOS_ANGELES["postalAddress"], "line1": "405 Hilgard Ave"}
    _, mailed = await _mailed_for(gql, world, ceremony, mailingContact=PINS_OFFICE, postalAddress=new_address)

    # then their updated invitation says the contact changed, and no "no longer" mail comes besides
    [(updated_key, to_admin, update), (_, to_office, _)] = mailed
    assert (updated_key.startswith("ceremony-updated:"), to_admin, to_office) == (
        True,
        world.admin.email,
        PINS_OFFICE["email"],
    )
    address = "405 Hilgard Ave, Los Angeles, CA, 90095, US"
    assert _text(update).split("\n\n")[1:4] == [
        f"The pinning ceremony \u201c{ceremony['name']}\u201d of {world.riverside.name} has changed "
        f"(address, mailing contact). It is now scheduled for {LOS_ANGELES_START}, in person.",
        f"Where: {address} (previously {LA_ADDRESS}).",
        f"You are no longer the mailing contact for its pins. What comes next: we will mail the pins to Pins "
        f"Office at {address}; we have told Pins Office (pins.office@riverside.example) what to expect, and "
        "both of you will hear from us when they are on their way.",
    ]


@pytest.mark.parametrize(
    ("step2", "start", "address"),
    [
        ({}, AUCKLAND_START, "12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ"),
        (LOS_ANGELES, LOS_ANGELES_START, LA_ADDRESS),
    ],
    ids=["Auckland", "Los Angeles"],
)
async def test_a_renamed_ceremony_tells_its_mailing_contact_both_names(
    gql: GraphQLClient, world: World, step2: dict[str, Any], start: str, address: str
) -> None:
    # given a scheduled ceremony whose pins are still to be mailed
    ceremony = await _scheduled(gql, world, **step2)

    # when it is renamed
    event_id, mailed = await _mailed_for(gql, world, ceremony, name="Autumn pinning")

    # then the contact has one short mail with the old name and the new, so "Pins mailed for:
    # Autumn pinning" will name a ceremony they know
    [(_, to_requester, _), (key, to_contact, mail)] = mailed
    assert (to_requester, key, to_contact) == (
        world.admin.email,
        f"ceremony-pins-contact:{_key(ceremony['id'])}:{event_id}",
        CONTACT,
    )
    assert subject(mail) == "Updated: pins to be mailed for: Autumn pinning"
    assert _text(mail) == (
        "Dear Aroha Ngata,\n\n"
        f"The pinning ceremony \u201c{ceremony['name']}\u201d of {world.riverside.name} on {start}, whose "
        "pins you are the mailing contact for, is now called \u201cAutumn pinning\u201d.\n\n"
        f"Nothing changes for the pins: ACUE will mail them to {address}, and you will hear from us when "
        "they are on their way.\n"
    )


async def test_a_contact_told_of_new_details_and_a_new_name_reads_both_names(
    gql: GraphQLClient, world: World
) -> None:
    ceremony = await _scheduled(gql, world)

    await _change(gql, world, ceremony, name="Autumn pinning", **NEW_LINE1)

    [to_contact] = await _mails(f"ceremony-pins-contact:{_key(ceremony['id'])}:")
    assert subject(to_contact) == "Updated: pins to be mailed for: Autumn pinning"
    assert _text(to_contact).split("\n\n")[1] == (
        "The details have changed. You are the mailing contact for the pins of the pinning ceremony "
        f"\u201cAutumn pinning\u201d (formerly \u201c{ceremony['name']}\u201d) on {AUCKLAND_START}, named by "
        f"{world.admin.name} ({world.admin.email}) of {world.riverside.name}."
    )


async def test_a_requester_who_is_the_contact_reads_a_rename_in_the_updated_invitation_alone(
    gql: GraphQLClient, world: World
) -> None:
    ceremony = await _scheduled(gql, world, mailingContact=_own_contact(world))

    _, mailed = await _mailed_for(gql, world, ceremony, name="Autumn pinning")

    [(key, recipient, update)] = mailed
    assert (key.startswith("ceremony-updated:"), recipient, subject(update)) == (
        True,
        world.admin.email,
        "Pinning ceremony changed: Autumn pinning",
    )
    assert f"\u201cAutumn pinning\u201d (formerly \u201c{ceremony['name']}\u201d)" in _text(update)


async def test_a_contact_replaced_as_the_ceremony_is_renamed_is_told_by_the_name_they_know(
    gql: GraphQLClient, world: World
) -> None:
    ceremony = await _scheduled(gql, world)

    _, mailed = await _mailed_for(gql, world, ceremony, name="Autumn pinning", mailingContact=PINS_OFFICE)

    # then the requester reads that the contact changed; the new contact knows only the new name
    mails = {recipient: mail for _, recipient, mail in mailed}
    assert list(mails) == [world.admin.email, PINS_OFFICE["email"], CONTACT]
    assert "has changed (name, mailing contact)." in _text(mails[world.admin.email])
    assert "formerly" not in _text(mails[PINS_OFFICE["email"]])
    assert subject(mails[CONTACT]) == f"No longer the mailing contact for: {ceremony['name']}"
    assert _text(mails[CONTACT]).split("\n\n")[1] == (
        "You are no longer the mailing contact for the pins of the pinning ceremony "
        f"\u201c{ceremony['name']}\u201d (now called \u201cAutumn pinning\u201d) of {world.riverside.name} "
        f"on {AUCKLAND_START}: ACUE will mail them to another contact, and you will not hear from us about "
        "them again."
    )


async def test_once_the_pins_are_mailed_a_new_contact_or_name_mails_no_contact(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony whose pins staff marked mailed
    ceremony = await _scheduled(gql, world)
    mailed = await mark_pins_mailed(gql, ceremony["id"], world.staff)
    assert mailed["errors"] == []
    told = await OutboxMessage.all().count()

    # when staff rename it and record another contact
    changed = await save_ceremony(
        gql, ceremony["id"], world.staff, name="Autumn pinning", mailingContact=PINS_OFFICE
    )

    # then only the requester's updated invitation goes: the pins are on their way already
    assert changed["errors"] == []
    [(key, recipient, update)] = await _mails_after(told)
    assert (key.startswith("ceremony-updated:"), recipient) == (True, world.admin.email)
    assert "has changed (name)." in _text(update)


# ---------------- every change says what it replaced, as the reader receives it over SMTP


def _has_changed(ceremony: dict[str, Any], world: World) -> str:
    """How the requester's "changed" mail begins."""
    return f"The pinning ceremony \u201c{ceremony['name']}\u201d of {world.riverside.name} has changed"


async def test_a_new_address_for_an_online_ceremonys_mailed_pins_is_in_the_mail_with_the_old(
    smtp_gql: GraphQLClient, smtp: SmtpServer, smtp_world: World
) -> None:
    # given an online ceremony whose pins staff marked mailed
    ceremony = await _scheduled(smtp_gql, smtp_world, **ONLINE)
    mailed = await mark_pins_mailed(smtp_gql, ceremony["id"], smtp_world.staff)
    assert mailed["errors"] == []
    told = await OutboxMessage.all().count()

    # when staff change the address the pins go to
    event_id = await _change(smtp_gql, smtp_world, ceremony, by=smtp_world.staff, **NEW_LINE1)

    # then the requester alone is mailed, and their "changed (mailing address)" says the new address and
    # the old, and that the pins went before
    key = f"ceremony-updated:{_key(ceremony['id'])}:{event_id}"
    assert [(row.key, row.recipient) for row in await OutboxMessage.all().order_by("id").offset(told)] == [
        (key, smtp_world.admin.email)
    ]
    update = await received(smtp, key)
    assert (update["To"], subject(update)) == (
        f"{smtp_world.admin.name} <{smtp_world.admin.email}>",
        f"Pinning ceremony changed: {ceremony['name'].removeprefix('Pinning ceremony: ')}",
    )
    assert text_as_read(update) == (
        f"Dear {smtp_world.admin.name},\n\n"
        f"{_has_changed(ceremony, smtp_world)} (mailing address). It is now scheduled for {AUCKLAND_START}, "
        "online.\n\n"
        "Join the ceremony online: https://meet.example.org/pinning\n\n"
        f"Mailing address for the pins: {NEW_AUCKLAND_ADDRESS} (previously {AUCKLAND_ADDRESS}). The pins "
        "were mailed on 20 September 2026, before this change.\n\n"
        f"See the ceremony in the Partnership Portal: http://127.0.0.1:8000/recognitions/{ceremony['id']}\n\n"
        "The updated calendar invitation attached replaces the one you had.\n"
    )


async def test_a_new_time_zone_is_read_with_the_start_it_replaced(
    smtp_gql: GraphQLClient, smtp: SmtpServer, smtp_world: World
) -> None:
    # given a ceremony in Auckland
    ceremony = await _scheduled(smtp_gql, smtp_world)

    # when it is moved to the same wall-clock time in Los Angeles
    event_id = await _change(smtp_gql, smtp_world, ceremony, start=LOS_ANGELES_AT_TEN)

    # then the requester and the mailing contact each read the new start and the one it replaced
    key = _key(ceremony["id"])
    update = await received(smtp, f"ceremony-updated:{key}:{event_id}")
    to_contact = await received(smtp, f"ceremony-pins-contact:{key}:{event_id}")
    assert text_as_read(update).split("\n\n")[1:3] == [
        f"{_has_changed(ceremony, smtp_world)} (date and time). It is now scheduled for Sunday 4 October "
        f"2026 at 10:00 (America/Los_Angeles, UTC-07:00), in person. It was scheduled for {AUCKLAND_START}.",
        f"Where: {AUCKLAND_ADDRESS}.",
    ]
    assert text_as_read(to_contact).split("\n\n")[1:3] == [
        "The details have changed. You are the mailing contact for the pins of the pinning ceremony "
        f"\u201c{ceremony['name']}\u201d on Sunday 4 October 2026 at 10:00 (America/Los_Angeles, UTC-07:00), "
        f"named by {smtp_world.admin.name} ({smtp_world.admin.email}) of {smtp_world.riverside.name}.",
        f"Before this change: the ceremony was scheduled for {AUCKLAND_START}.",
    ]


async def test_the_same_start_in_another_zone_is_a_new_time_zone_not_a_new_date(
    smtp_gql: GraphQLClient, smtp: SmtpServer, smtp_world: World
) -> None:
    # given a ceremony at 10:00 in Auckland (UTC+13:00 in October)
    ceremony = await _scheduled(smtp_gql, smtp_world)

    # when its zone becomes Tonga's, UTC+13:00 too: the same instant, the same wall clock
    tonga = {"dateTime": "2026-10-04T10:00:00", "timeZone": "Pacific/Tongatapu"}
    event_id = await _change(smtp_gql, smtp_world, ceremony, start=tonga)

    # then the mail says the time zone changed, not the date and time
    update = await received(smtp, f"ceremony-updated:{_key(ceremony['id'])}:{event_id}")
    assert text_as_read(update).split("\n\n")[1] == (
        f"{_has_changed(ceremony, smtp_world)} (time zone). It is now scheduled for Sunday 4 October 2026 at "
        f"10:00 (Pacific/Tongatapu, UTC+13:00), in person. It was scheduled for {AUCKLAND_START}."
    )


async def test_a_new_format_or_meeting_link_is_read_with_what_it_replaced(
    smtp_gql: GraphQLClient, smtp: SmtpServer, smtp_world: World
) -> None:
    # given a ceremony in person
    ceremony = await _scheduled(smtp_gql, smtp_world)

    # when it goes online, gets another meeting link, and comes back in person
    changes: list[dict[str, Any]] = [
        ONLINE,
        {"meetingUrl": "https://meet.example.org/pinning-2"},
        {"format": "IN_PERSON"},
    ]
    event_ids = [await _change(smtp_gql, smtp_world, ceremony, **change) for change in changes]

    # then each update says what the ceremony was before it
    updates = [
        text_as_read(await received(smtp, f"ceremony-updated:{_key(ceremony['id'])}:{event_id}"))
        for event_id in event_ids
    ]
    lead = _has_changed(ceremony, smtp_world)
    assert [update.split("\n\n")[1:3] for update in updates] == [
        [
            f"{lead} (format, meeting link). It is now scheduled for {AUCKLAND_START}, online. It was to be "
            "held in person.",
            "Join the ceremony online: https://meet.example.org/pinning",
        ],
        [
            f"{lead} (meeting link). It is now scheduled for {AUCKLAND_START}, online.",
            "The meeting link has changed (previously https://meet.example.org/pinning).",
        ],
        [
            f"{lead} (format). It is now scheduled for {AUCKLAND_START}, in person. It was to be held "
            "online.",
            f"Where: {AUCKLAND_ADDRESS}.",
        ],
    ]
    assert updates[1].split("\n\n")[3] == "Join the ceremony online: https://meet.example.org/pinning-2"


async def test_a_new_mailing_contact_is_read_with_the_one_it_replaced(
    smtp_gql: GraphQLClient, smtp: SmtpServer, smtp_world: World
) -> None:
    # given a scheduled ceremony whose pins are still to be mailed
    ceremony = await _scheduled(smtp_gql, smtp_world)

    # when it moves a day and a pins office becomes its mailing contact
    event_id = await _change(smtp_gql, smtp_world, ceremony, start=A_DAY_LATER, mailingContact=PINS_OFFICE)

    # then the requester reads who the contact is now, and who it was
    update = await received(smtp, f"ceremony-updated:{_key(ceremony['id'])}:{event_id}")
    assert text_as_read(update).split("\n\n")[1:4] == [
        f"{_has_changed(ceremony, smtp_world)} (date and time, mailing contact). It is now scheduled for "
        f"Monday 5 October 2026 at 10:00 (Pacific/Auckland, UTC+13:00), in person. It was scheduled for "
        f"{AUCKLAND_START}.",
        f"Where: {AUCKLAND_ADDRESS}.",
        "Mailing contact: Pins Office, pins.office@riverside.example, +64 9 123 4000 (previously Aroha "
        f"Ngata, {CONTACT}, +64 9 123 4567).",
    ]


async def test_a_meeting_link_an_in_person_ceremony_does_not_show_mails_no_one(
    gql: GraphQLClient, world: World
) -> None:
    # given a ceremony in person (its invitation shows its address, never a link)
    ceremony = await _scheduled(gql, world)
    told = await OutboxMessage.all().count()

    # when a meeting link is saved for it
    await _change(gql, world, ceremony, meetingUrl="https://meet.example.org/pinning")

    # then the change is recorded, and no mail says "changed (meeting link)" without a link to show
    assert (
        await OutboxMessage.all().count(),
        (await Recognition.get(id=_key(ceremony["id"]))).calendar_sequence,
    ) == (
        told,
        0,
    )


# ---------------- every mail of a ceremony as its reader reads it: any script, any zone

PORTAL_ROUTE = re.compile(r"^/recognitions/([^/]+)(?:/(certificates|edit))?/?$")  # as the portal's router.js
RECOGNITION = "query($id: ID!) { recognition(id: $id) { id name } }"


@pytest.mark.parametrize(
    ("admin_name", "ceremony_name", "contact_name", "start", "when"),
    [
        (
            "أحمد المنصوري",
            "حفل التكريم",
            "דנה לוי",
            {"dateTime": "2026-10-04T18:00:00", "timeZone": "America/Los_Angeles"},
            "Sunday 4 October 2026 at 18:00 (America/Los_Angeles, UTC-07:00)",
        ),
        (
            "प्रिया शर्मा",
            "授徽仪式 春季",
            "欧阳娜娜",
            {"dateTime": "2026-10-04T10:00:00", "timeZone": "Pacific/Auckland"},
            AUCKLAND_START,
        ),
    ],
    ids=["Arabic and Hebrew, Los Angeles", "Devanagari and CJK, Auckland"],
)
async def test_every_mail_greets_its_reader_names_the_ceremony_and_links_to_the_page_it_says(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: World,
    admin_name: str,
    ceremony_name: str,
    contact_name: str,
    start: dict[str, str],
    when: str,
) -> None:
    # given an admin and a mailing contact named in other scripts
    world.admin.name = admin_name
    await world.admin.save()
    contact = {**COMPLETE_STEP_2["mailingContact"], "name": contact_name}

    # when their ceremony is scheduled, its contact's phone corrected, the admin named the contact and
    # replaced by another, its start moved an hour, its pins mailed, and it is cancelled
    ceremony = await _scheduled(gql, world, name=ceremony_name, start=start, mailingContact=contact)
    await _change(gql, world, ceremony, mailingContact={**contact, "phone": "+64 9 555 0101"})
    await _change(gql, world, ceremony, mailingContact=_own_contact(world))
    await _change(gql, world, ceremony, mailingContact=contact)
    await _change(
        gql, world, ceremony, start={**start, "dateTime": start["dateTime"].replace(":00:00", ":30:00")}
    )
    mailed = await mark_pins_mailed(gql, ceremony["id"], world.staff)
    cancelled = await call_mutation(
        gql, CEREMONY_CANCEL, "ceremonyCancel", {"id": ceremony["id"]}, world.staff
    )
    assert (mailed["errors"], cancelled["errors"]) == ([], [])

    # then each mail greets its reader by name, and its subject names the ceremony as it is
    rows = await OutboxMessage.all().order_by("id")
    moved = when.replace(":00 (", ":30 (")
    assert [
        (row.recipient, subject(mail), _text(mail).split("\n\n")[0])
        for row, mail in zip(rows, await _mails(), strict=True)
    ] == [
        (world.admin.email, f"Pinning ceremony scheduled: {ceremony_name}", f"Dear {admin_name},"),
        (CONTACT, f"Pins to be mailed for: {ceremony_name}", f"Dear {contact_name},"),
        (CONTACT, f"Updated: pins to be mailed for: {ceremony_name}", f"Dear {contact_name},"),
        # the admin becomes the contact (their mail, with its link), and the contact hears they no longer are
        (world.admin.email, f"Updated: pins to be mailed for: {ceremony_name}", f"Dear {admin_name},"),
        (CONTACT, f"No longer the mailing contact for: {ceremony_name}", f"Dear {contact_name},"),
        # the contact is named again (a first mail), and the admin hears they no longer are
        (CONTACT, f"Pins to be mailed for: {ceremony_name}", f"Dear {contact_name},"),
        (world.admin.email, f"Updated: pins to be mailed for: {ceremony_name}", f"Dear {admin_name},"),
        (world.admin.email, f"Pinning ceremony changed: {ceremony_name}", f"Dear {admin_name},"),
        (CONTACT, f"Updated: pins to be mailed for: {ceremony_name}", f"Dear {contact_name},"),
        (CONTACT, f"Pins mailed for: {ceremony_name}", f"Dear {contact_name},"),
        (world.admin.email, f"Pins mailed for your ceremony: {ceremony_name}", f"Dear {admin_name},"),
        (world.admin.email, f"Pinning ceremony cancelled: {ceremony_name}", f"Dear {admin_name},"),
    ]
    # and no paragraph begins with a name someone typed: a mail program that takes a paragraph's
    # direction from its first letter (the plain text has no other) shows each left to right
    assert [
        paragraph
        for mail in await _mails()
        for paragraph in _text(mail).split("\n\n")
        if _first_strong_direction(paragraph) not in ("L", None)
    ] == []
    # and each writes the start as every mail does, the one it had when it was sent
    assert [when in _text(mail) or moved in _text(mail) for mail in await _mails()] == [True] * len(rows)
    # and every link, the same in the text as in the HTML, opens the portal on that ceremony for its reader
    for row, mail in zip(rows, await _mails(), strict=True):
        links = [html.unescape(link) for link in re.findall(r'<a href="([^"]+)"', _text(mail, "html"))]
        assert [line.rsplit(": ", 1)[1] for line in _text(mail).splitlines() if ": http" in line] == links
        for link in links:
            await _opens(
                http, gql, link, ceremony, world.admin if row.recipient == world.admin.email else None
            )
    assert sum(len(_links(mail)) for mail in await _mails()) == 7


async def _opens(
    http: httpx.AsyncClient, gql: GraphQLClient, link: str, ceremony: dict[str, Any], reader: User | None
) -> None:
    """The link opens the portal's page, and the page, reading its address as the portal's router
    does, shows ``ceremony`` to ``reader`` (the contact's mails have no link: a contact need not have
    an account)."""
    assert reader is not None, f"a link in a mail to someone without an account: {link}"
    address = urlsplit(link)
    page = await http.get(address.path)
    assert (page.status_code, "<title>Recognition · example partner portal</title>" in page.text) == (
        200,
        True,
    )
    route = PORTAL_ROUTE.match(address.path)
    assert route is not None, link
    shown = await gql.data(RECOGNITION, {"id": unquote(route[1])}, as_user=reader)
    assert shown["recognition"] == {"id": ceremony["id"], "name": ceremony["name"]}


def _first_strong_direction(text: str) -> str | None:
    """The direction of the first letter with one (L, or R for Hebrew and Arabic), as the Unicode
    bidi algorithm finds a paragraph's."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("L", "R", "AL"):
            return "L" if kind == "L" else "R"
    return None
