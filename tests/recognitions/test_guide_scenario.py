"""The guide, walked for one ceremony as a front end would, against the running app (uvicorn), its
mail delivered to a real SMTP server: from the dashboard through submit, a change, pins mailed and a
cancellation. Every mail is read, and every link in it is followed: each opens the example portal
and names the ceremony by its global id."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from icalendar import Calendar

from service.app import create_app
from service.mail import services as outbox
from service.mail.models import MailStatus, OutboxMessage
from service.settings import Settings
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.live_server import serving
from tests.support.recognition_api import COMPLETE_STEP_2, World, make_world
from tests.support.smtp_server import SmtpServer, free_port

ROUTE = re.compile(r"^/recognitions/([^/]+)(/certificates)?$")
DASHBOARD = """
query Dashboard($filter: RecognitionFilter) {
  recognitions(first: 20, filter: $filter) { edges { node { id name status statusLabel availableActions } } }
}
"""
PROGRAMS = """
query($range: DateRangeInput!) { programs(cohortsEndingBetween: $range) { name cohorts { id name } } }
"""
EARLIEST = "query($timeZone: String!) { earliestCeremonyDate(timeZone: $timeZone) }"
CEREMONY = "ceremony { id name status statusLabel startsAt } errors { field code message }"


def _mutation(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {CEREMONY} }} }}"


@pytest.fixture
async def portal(settings: Settings, clock: MovableClock, smtp: SmtpServer) -> AsyncIterator[str]:
    """The app on a loopback port that is also its public address, so mailed links come back to it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    configured = settings.model_copy(
        update={"public_url": url, "smtp_url": smtp.url, "worker_threads": 0, "sweep_seconds": 3600}
    )
    async with serving(create_app(configured, clock=clock), port=port) as served:
        yield served


async def test_a_ceremony_walked_through_the_guide_mails_links_that_open(
    portal: str, smtp: SmtpServer
) -> None:
    world = await make_world()
    async with httpx.AsyncClient(base_url=portal) as http:
        gql = GraphQLClient(http)
        ceremony_id = await _walk_the_guide(gql, world)
        await _deliver_the_outbox(smtp)

        # then every reader got what the guide promises, in order
        mails = smtp.inbox.messages
        admin, contact = (
            f"{world.admin.name} <{world.admin.email}>",
            "Aroha Ngata <aroha.ngata@riverside.example>",
        )
        name = "Spring pinning ceremony"
        assert sorted((str(mail["To"]), str(mail["Subject"])) for mail in mails) == sorted(
            [
                (admin, f"Pinning ceremony scheduled: {name}"),
                (contact, f"Pins to be mailed for: {name}"),
                (admin, f"Pinning ceremony changed: {name}"),
                (contact, f"Updated: pins to be mailed for: {name}"),
                (contact, f"Pins mailed for: {name}"),
                (admin, f"Pins mailed for your ceremony: {name}"),
                (admin, f"Pinning ceremony cancelled: {name}"),
            ]
        )
        # the invitations are one event: same UID, SEQUENCE counting the change and the cancellation
        invitations = sorted(_invitations(mails), key=lambda invitation: invitation[2])
        assert [(method, sequence) for method, _, sequence in invitations] == [
            ("REQUEST", 0),
            ("REQUEST", 1),
            ("CANCEL", 2),
        ]
        assert len({uid for _, uid, _ in invitations}) == 1

        # and every link in every mail opens the example portal on this ceremony
        followed = 0
        for mail in mails:
            links = _links(mail)
            assert links == _text_links(mail), mail["Subject"]
            for link in links + _calendar_links(mail):
                parts = urlsplit(link)
                assert f"{parts.scheme}://{parts.netloc}" == portal
                page = await http.get(parts.path)
                assert page.status_code == 200
                assert "<title>Recognition · example partner portal</title>" in page.text
                route = ROUTE.match(parts.path)
                assert route is not None, link
                assert unquote(route.group(1)) == ceremony_id
                followed += 1
        # the admin's 4 mails link to the ceremony (the confirmation to its certificates too), and so do
        # the 3 invitations; the mailing contact, who may have no account, gets no portal link
        assert followed == 5 + 3

        # and the dashboard shows it cancelled, in the guide's style of words
        listed = await gql.data(DASHBOARD, as_user=world.admin)
        assert [
            (edge["node"]["id"], edge["node"]["statusLabel"]) for edge in listed["recognitions"]["edges"]
        ] == [(ceremony_id, "Cancelled")]


async def _walk_the_guide(gql: GraphQLClient, world: World) -> str:
    # the dashboard, empty; "Schedule a Ceremony": step 1 finds the cohorts ending in a range
    assert (await gql.data(DASHBOARD, as_user=world.admin))["recognitions"]["edges"] == []
    date_range = {"start": "2026-05-01", "end": "2026-08-31"}
    programs = (await gql.data(PROGRAMS, {"range": date_range}, as_user=world.admin))["programs"]
    cohort_ids = [cohort["id"] for program in programs for cohort in program["cohorts"]]
    created = await _call(
        gql,
        world.admin,
        "ceremonyCreate",
        "CeremonyCreateInput",
        {"dateRange": date_range, "cohortIds": cohort_ids, "name": "Spring pinning ceremony"},
    )
    ceremony_id: str = created["ceremony"]["id"]

    # step 2 on the earliest day the date picker offers, then submit
    earliest = (await gql.data(EARLIEST, {"timeZone": "Pacific/Auckland"}, as_user=world.admin))[
        "earliestCeremonyDate"
    ]
    start = {"dateTime": f"{earliest}T10:00:00", "timeZone": "Pacific/Auckland"}
    await _call(
        gql,
        world.admin,
        "ceremonyUpdate",
        "CeremonyUpdateInput",
        {"id": ceremony_id, **COMPLETE_STEP_2, "start": start},
    )
    submitted = await _call(gql, world.admin, "ceremonySubmit", "CeremonySubmitInput", {"id": ceremony_id})
    assert submitted["ceremony"]["statusLabel"] == "Scheduled / Pending"

    # the partner moves it by a day; staff mark the pins mailed, then call it off
    moved = {"dateTime": "2026-10-05T10:00:00", "timeZone": "Pacific/Auckland"}
    await _call(
        gql, world.admin, "ceremonyUpdate", "CeremonyUpdateInput", {"id": ceremony_id, "start": moved}
    )
    await _call(
        gql, world.staff, "ceremonyMarkPinsMailed", "CeremonyMarkPinsMailedInput", {"id": ceremony_id}
    )
    cancelled = await _call(
        gql,
        world.staff,
        "ceremonyCancel",
        "CeremonyCancelInput",
        {"id": ceremony_id, "reason": "Venue closed."},
    )
    assert (cancelled["ceremony"]["status"], cancelled["ceremony"]["statusLabel"]) == (
        "CANCELLED",
        "Cancelled",
    )
    return ceremony_id


async def _call(
    gql: GraphQLClient, user: Any, name: str, input_type: str, payload: dict[str, Any]
) -> dict[str, Any]:
    body = await gql.post(_mutation(name, input_type), {"input": payload}, token=token_for(user))
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][name]
    assert result["errors"] == [], result
    return result


async def _deliver_the_outbox(smtp: SmtpServer) -> None:
    """Send every mail of the outbox over SMTP, as the delivery job does (that job and its retries are
    tested in tests/mail/; here no worker thread writes to the embedded SQLite while a step saves)."""
    for message_id in await outbox.pending_message_ids():
        assert await outbox.deliver(message_id=message_id, smtp_url=smtp.url, now=datetime.now(UTC))
    assert await OutboxMessage.filter(status=MailStatus.PENDING).count() == 0


def _body(mail: EmailMessage, subtype: str) -> str:
    part = mail.get_body((subtype,))
    assert part is not None
    return str(part.get_content())


def _links(mail: EmailMessage) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', _body(mail, "html"))


def _text_links(mail: EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", _body(mail, "plain"))


def _calendar_links(mail: EmailMessage) -> list[str]:
    """The links in the descriptions of the mail's calendar invitations."""
    links: list[str] = []
    for part in mail.iter_attachments():
        if part.get_content_type() == "text/calendar":
            [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
            links += re.findall(r"https?://\S+", str(event["description"]))
    return links


def _invitations(mails: list[EmailMessage]) -> list[tuple[str, str, int]]:
    found = []
    for mail in mails:
        for part in mail.iter_attachments():
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(part.get_content())
                [event] = calendar.walk("VEVENT")
                found.append((str(calendar["method"]), str(event["uid"]), int(event.decoded("sequence"))))
    return found
