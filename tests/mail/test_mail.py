"""Mail: what the ceremony confirmation says, and delivery over real SMTP, outages included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from starlette.applications import Starlette

from service.mail import services as mail
from service.mail.models import MailStatus, OutboxMessage
from service.mail.smtp_url import smtp_url_problem
from service.recognitions import mails
from service.settings import Settings
from tests.support.app_client import app_client
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.mail_reading import subject
from tests.support.mail_samples import CONFIG, NOW, REQUESTER, sample_ceremony
from tests.support.recognition_api import (
    CEREMONY_SUBMIT,
    CEREMONY_UPDATE,
    COMPLETE_STEP_2,
    World,
    make_world,
    step1,
)
from tests.support.smtp_server import SmtpServer

pytestmark = pytest.mark.jobs


def _confirmation() -> EmailMessage:
    return mails.ceremony_confirmation(
        sample_ceremony(), key="test", requester=REQUESTER, partner_name="Riverside", config=CONFIG, now=NOW
    )


def test_the_confirmation_has_text_html_and_a_calendar_invitation() -> None:
    message = _confirmation()

    assert (message["From"], message["To"], message["Subject"]) == (
        "Recognition <recognition@example.org>",
        "Dana Whitfield <dana@riverside.example>",
        "Pinning ceremony scheduled: Spring pinning ceremony",
    )
    assert message["Date"] == "Sat, 19 Sep 2026 22:00:00 +0000"
    text, html = _body(message, "plain"), _body(message, "html")
    assert "scheduled for Sunday 4 October 2026 at 10:00 (Pacific/Auckland, UTC+13:00), in person." in text
    assert "we will mail the pins to Aroha Ngata at 12 Princes Street, Auckland, 1010, NZ" in text
    assert "You can now generate certificates" in text
    assert "https://portal.example.org/recognitions/Q2VyZW1vbnk6NDI=\n" in text
    assert "<p>Dear Dana Whitfield,</p>" in html
    [invitation] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert invitation.get_filename() == "ceremony.ics"
    assert invitation.get_param("method") == "REQUEST"
    [event] = Calendar.from_ical(invitation.get_content()).walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == datetime(2026, 10, 4, 10, 0, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert start.tzinfo.key == "Pacific/Auckland"
    assert str(event["summary"]) == "Pinning ceremony: Spring pinning ceremony"


def test_a_default_name_is_not_prefixed_twice_in_subjects_or_the_invitation() -> None:
    # given a ceremony with the name the wizard gives by default
    ceremony = sample_ceremony()
    ceremony.name = "Pinning ceremony: cohorts ending 1 May 2026 to 31 August 2026"

    # when its mails are written
    confirmation = mails.ceremony_confirmation(
        ceremony, key="test", requester=REQUESTER, partner_name="Riverside", config=CONFIG, now=NOW
    )
    cancelled = mails.ceremony_cancelled(
        ceremony, key="test", requester=REQUESTER, partner_name="Riverside", config=CONFIG, now=NOW
    )
    contact = mails.pins_expected(
        ceremony,
        key="test",
        named_by=REQUESTER,
        ask=[REQUESTER],
        partner_name="Riverside",
        config=CONFIG,
        now=NOW,
    )

    # then each says "Pinning ceremony" once, and the contact hears the pins are still to be mailed
    [invitation] = [p for p in confirmation.iter_attachments() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(invitation.get_content()).walk("VEVENT")
    assert (confirmation["Subject"], cancelled["Subject"], str(event["summary"]), contact["Subject"]) == (
        "Pinning ceremony scheduled: cohorts ending 1 May 2026 to 31 August 2026",
        "Pinning ceremony cancelled: cohorts ending 1 May 2026 to 31 August 2026",
        "Pinning ceremony: cohorts ending 1 May 2026 to 31 August 2026",
        "Pins to be mailed for: Pinning ceremony: cohorts ending 1 May 2026 to 31 August 2026",
    )


def test_the_pins_mailed_message() -> None:
    message = mails.pins_mailed(sample_ceremony(), key="test", config=CONFIG, now=NOW)

    assert message["Subject"] == "Pins mailed for: Spring pinning ceremony"
    assert "have been mailed to 12 Princes Street, Auckland, 1010, NZ." in _body(message, "plain")


async def _queued(app: Starlette) -> OutboxMessage:
    message = _confirmation()
    queued = await mail.add_to_outbox(key="test:1", message=message, now=NOW)
    assert queued is not None
    return queued


async def test_a_message_is_delivered_once(app: Starlette, smtp: SmtpServer) -> None:
    queued = await _queued(app)

    assert await mail.deliver(message_id=queued.id, smtp_url=smtp.url, now=NOW) is True
    assert await mail.deliver(message_id=queued.id, smtp_url=smtp.url, now=NOW) is True

    assert smtp.inbox.envelopes == [("recognition@example.org", ["dana@riverside.example"])]
    assert smtp.inbox.messages[0]["Subject"] == "Pinning ceremony scheduled: Spring pinning ceremony"
    stored = await OutboxMessage.get(id=queued.id)
    assert (stored.status, stored.attempts, stored.sent_at, cast(str | None, stored.last_error)) == (
        MailStatus.SENT,
        1,
        NOW,
        None,
    )


async def test_the_same_reason_mails_once(app: Starlette) -> None:
    await _queued(app)
    message = _confirmation()

    assert await mail.add_to_outbox(key="test:1", message=message, now=NOW) is None
    assert await OutboxMessage.all().count() == 1


async def test_smtp_down_keeps_the_message_pending_until_it_is_back(app: Starlette) -> None:
    server = SmtpServer()
    queued = await _queued(app)

    with pytest.raises(OSError):
        await mail.deliver(message_id=queued.id, smtp_url=server.url, now=NOW)
    pending = await OutboxMessage.get(id=queued.id)
    assert (pending.status, pending.attempts, pending.claimed_until) == (MailStatus.PENDING, 1, None)
    assert pending.last_error

    server.start()
    try:
        assert await mail.deliver(message_id=queued.id, smtp_url=server.url, now=NOW) is True
    finally:
        server.stop()
    sent = await OutboxMessage.get(id=queued.id)
    assert (sent.status, sent.attempts, len(server.inbox.messages)) == (MailStatus.SENT, 2, 1)


async def test_a_failure_that_is_no_smtp_error_is_recorded_released_and_retried(
    app: Starlette, smtp: SmtpServer
) -> None:
    # given a message, and an SMTP URL the client cannot use
    queued = await _queued(app)
    backoff = mail.Backoff(first=timedelta(seconds=10), longest=timedelta(minutes=5))

    # when two deliveries are tried with it
    first = await mail.deliver_or_retry(message_id=queued.id, smtp_url="garbage", now=NOW, backoff=backoff)
    failed = await OutboxMessage.get(id=queued.id)
    second = await mail.deliver_or_retry(
        message_id=queued.id, smtp_url="garbage", now=NOW + timedelta(seconds=10), backoff=backoff
    )
    again = await OutboxMessage.get(id=queued.id)

    # then each is recorded like an SMTP failure, its claim released, and retried with backoff
    assert (first, second) == (timedelta(seconds=10), timedelta(seconds=20))
    assert (failed.status, failed.attempts, failed.claimed_until, failed.queued_until) == (
        MailStatus.PENDING,
        1,
        None,
        NOW + timedelta(seconds=10) + mail.IN_QUEUE,
    )
    assert failed.last_error == (
        "ValueError('PORTAL_SMTP_URL is not an smtp:// or smtps:// URL; give "
        "smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://… (TLS).')"
    )
    assert (again.attempts, again.claimed_until) == (2, None)

    # and once the URL is right, the next attempt delivers it
    assert (
        await mail.deliver_or_retry(message_id=queued.id, smtp_url=smtp.url, now=NOW, backoff=backoff) is None
    )
    sent = await OutboxMessage.get(id=queued.id)
    assert (sent.status, sent.attempts, cast(str | None, sent.last_error), len(smtp.inbox.messages)) == (
        MailStatus.SENT,
        3,
        None,
        1,
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", None),
        ("smtp://mail.example.org", None),
        ("smtps://user:secret@mail.example.org:465", None),
        ("garbage", "PORTAL_SMTP_URL is not an smtp:// or smtps:// URL; give smtp://"),
        ("http://user:secret@mail.example.org", "PORTAL_SMTP_URL is not an smtp:// or smtps:// URL"),
        # the scheme left out: what comes before the first colon was quoted as one
        ("secret:pw@mail.example.org", "PORTAL_SMTP_URL is not an smtp:// or smtps:// URL"),
        ("smtp://", "PORTAL_SMTP_URL names no host"),
        ("smtp://user:secret@mail.example.org:twenty-five", "PORTAL_SMTP_URL is not a URL"),
    ],
)
def test_an_smtp_url_is_checked_without_repeating_its_password(url: str, problem: str | None) -> None:
    found = smtp_url_problem(url)

    assert (found or "").startswith(problem or "") and (found is None) is (problem is None)
    assert "secret" not in (found or "")


async def test_a_message_claimed_by_another_delivery_is_left_alone(app: Starlette, smtp: SmtpServer) -> None:
    queued = await _queued(app)
    await OutboxMessage.filter(id=queued.id).update(claimed_until=datetime(2026, 9, 19, 22, 1, tzinfo=UTC))

    assert await mail.deliver(message_id=queued.id, smtp_url=smtp.url, now=NOW) is False
    assert smtp.inbox.messages == []


# ---------------------------------------------------------------- through the app and its job queue


@pytest.fixture
def smtp_port() -> int:
    from tests.support.smtp_server import free_port

    return free_port()


@pytest.fixture
async def mailing_gql(
    settings: Settings, clock: MovableClock, smtp_port: int
) -> AsyncIterator[GraphQLClient]:
    """The app with SMTP configured and quick retries, so an outage heals within the test."""
    configured = settings.model_copy(
        update={
            "smtp_url": f"smtp://127.0.0.1:{smtp_port}",
            "job_min_backoff_ms": 50,
            "job_max_backoff_ms": 200,
            "sweep_seconds": 3600,
        }
    )
    async with app_client(configured, clock) as http:
        yield GraphQLClient(http)


async def _submit_ceremony(gql: GraphQLClient) -> World:
    world = await make_world()
    token = token_for(world.admin)
    created = await gql.post(
        "mutation($input: CeremonyCreateInput!) { ceremonyCreate(input: $input) { ceremony { id } } }",
        {"input": step1(world)},
        token=token,
    )
    ceremony_id = created["data"]["ceremonyCreate"]["ceremony"]["id"]
    await gql.post(CEREMONY_UPDATE, {"input": {"id": ceremony_id, **COMPLETE_STEP_2}}, token=token)
    submitted = await gql.post(CEREMONY_SUBMIT, {"input": {"id": ceremony_id}}, token=token)
    assert submitted["data"]["ceremonySubmit"]["errors"] == []
    return world


async def _until(condition: Any, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_submitting_mails_the_confirmation_to_the_submitter_and_the_pins_to_the_contact(
    mailing_gql: GraphQLClient, smtp_port: int
) -> None:
    # given a real SMTP server
    server = SmtpServer(smtp_port)
    server.start()
    try:
        # when the partner admin submits a ceremony whose pins go to someone else
        world = await _submit_ceremony(mailing_gql)

        await _until(lambda: _sent_count(2))
    finally:
        server.stop()

    # then the admin who submitted has the confirmation and its invitation, the contact what to expect
    received = {message["To"]: message for message in server.inbox.messages}
    assert sorted(received) == sorted(
        [f"{world.admin.name} <{world.admin.email}>", "Aroha Ngata <aroha.ngata@riverside.example>"]
    )
    confirmation = received[f"{world.admin.name} <{world.admin.email}>"]
    assert subject(confirmation) == "Pinning ceremony scheduled: cohorts ending 1 May 2026 to 31 August 2026"
    assert [part.get_filename() for part in confirmation.iter_attachments()] == ["ceremony.ics"]
    pins = received["Aroha Ngata <aroha.ngata@riverside.example>"]
    assert subject(pins) == f"Pins to be mailed for: {_ceremony_name(world)}"
    assert list(pins.iter_attachments()) == []
    assert (
        "You are the mailing contact for the pins of the pinning ceremony "
        f"\u201c{_ceremony_name(world)}\u201d on Sunday 4 October 2026 at 10:00 (Pacific/Auckland, "
        "UTC+13:00), named by "
        f"{world.admin.name} ({world.admin.email}) of {world.riverside.name}." in _body(pins, "plain")
    )
    assert "ACUE will mail the pins to 12 Princes Street, Level 3, Auckland, Auckland, 1010, NZ" in _body(
        pins, "plain"
    )
    assert all(message.get_body(("html",)) is not None for message in server.inbox.messages)


async def _sent_count(count: int) -> bool:
    return await OutboxMessage.filter(status=MailStatus.SENT).count() == count


def _ceremony_name(world: World) -> str:
    return "Pinning ceremony: cohorts ending 1 May 2026 to 31 August 2026"


async def test_an_smtp_outage_is_retried_and_each_message_goes_out_once(
    mailing_gql: GraphQLClient, smtp_port: int
) -> None:
    # given the SMTP server is down when the ceremony is submitted
    await _submit_ceremony(mailing_gql)
    await _until(lambda: OutboxMessage.filter(attempts__gte=2, status=MailStatus.PENDING).exists())

    # when it comes back
    server = SmtpServer(smtp_port)
    server.start()
    try:
        await _until(lambda: _sent_count(2))
        await asyncio.sleep(0.3)  # room for a wrong second delivery to show up
    finally:
        server.stop()

    # then the confirmation and the contact's mail went out once each
    assert len(server.inbox.messages) == 2
    assert len({message["To"] for message in server.inbox.messages}) == 2
    assert [message.status for message in await OutboxMessage.all()] == [MailStatus.SENT, MailStatus.SENT]


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content())
