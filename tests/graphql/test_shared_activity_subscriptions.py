"""Dashboards (`recognitionActivity`) served by shared executions: one per viewer, never a viewer's
answer sent to another, a joiner hears only what happens after it joined (its results are events,
not states), and each event's answer is read after the event, over real WebSockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, suppress
from typing import Any

import pytest
from strawberry.relay import to_base64

from service.app import create_app
from service.certificate_files.models import CertificateFileJob as JobModel
from service.events import announce
from service.graphql.core import fanout
from service.recognitions.models import Recognition, RecognitionKind
from service.settings import Settings
from service.users.models import User
from service.web.downloads import certificate_file_link
from tests.graphql.test_subscriptions import _key, _request
from tests.support.certificates_world import CertificatesWorld, world_with_online_completers
from tests.support.clock import MovableClock
from tests.support.factories import make_admin, make_staff
from tests.support.graphql_client import token_for
from tests.support.live_server import Subscriber, serving, subscriber

pytestmark = pytest.mark.jobs

# Every viewer sends the very same document: only the viewer differs. The link is signed per user,
# and the recognition's last file is read by a loader (cached per request).
ACTIVITY = """
subscription Activity {
  recognitionActivity {
    recognition { id lastCertificateFile { id } }
    job { id status file { downloadUrl } }
  }
}
"""


@pytest.fixture
async def server(settings: Settings, clock: MovableClock) -> AsyncIterator[str]:
    async with serving(create_app(settings, clock=clock)) as url:
        yield url


@pytest.fixture
async def world(server: str) -> CertificatesWorld:
    return await world_with_online_completers(3)


async def _recognition(user: User, name: str, clock: MovableClock) -> Recognition:
    """A certificate request of the user's partner."""
    assert user.partner_id is not None
    return await Recognition.create(
        partner_id=user.partner_id,
        kind=RecognitionKind.CERTIFICATE_REQUEST,
        name=name,
        range_start=clock.now().date(),
        range_end=clock.now().date(),
        created_by_id=user.id,
        created_at=clock.now(),
        updated_at=clock.now(),
    )


def _global_id(recognition: Recognition) -> str:
    kind = "Ceremony" if recognition.kind is RecognitionKind.CEREMONY else "CertificateRequest"
    return to_base64(kind, recognition.id)


def _activity(message: dict[str, Any]) -> Any:
    assert message["type"] == "next", message
    return message["payload"]["data"]["recognitionActivity"]


async def _until_heard(clients: list[Subscriber], recognition: Recognition) -> list[list[str]]:
    """Announce a change of the recognition, again each second, until each client has heard it (it
    listens from then on): the recognitions each heard until then."""
    heard: list[list[str]] = [[] for _ in clients]
    waiting = set(range(len(clients)))
    while waiting:
        announce(partner_id=recognition.partner_id, recognition_id=recognition.id)
        for index in sorted(waiting):
            with suppress(TimeoutError):
                while not heard[index] or heard[index][-1] != _global_id(recognition):
                    message = await clients[index].receive(seconds=1)
                    heard[index].append(_activity(message)["recognition"]["id"])
                waiting.discard(index)
    return heard


async def _barrier(clients: list[Subscriber], recognition: Recognition) -> None:
    """One change of the recognition, heard by each (listening) client: whatever was announced
    before it has reached them all, so nothing earlier is still on its way."""
    announce(partner_id=recognition.partner_id, recognition_id=recognition.id)
    for client in clients:
        while _activity(await client.receive())["recognition"]["id"] != _global_id(recognition):
            pass


async def test_viewers_share_a_dashboard_execution_only_with_themselves(
    server: str, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    # given partner A's admin on two sockets, a colleague, staff and partner B's admin, each
    # subscribed to the same document and listening
    colleague, staff = await make_admin(world.partner), await make_staff()
    viewers = {
        "admin": world.admin,
        "admin again": world.admin,
        "colleague": colleague,
        "staff": staff,
        "partner B": world.other_admin,
    }
    partner_b_own = await _recognition(world.other_admin, "B's own", clock)
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(subscriber(server, token_for(user)))
            for name, user in viewers.items()
        }
        for client in clients.values():
            await client.subscribe("1", ACTIVITY)
        hearing_a = [clients[name] for name in ("admin", "admin again", "colleague", "staff")]
        await _until_heard(hearing_a, world.recognition)
        await _until_heard([clients["partner B"]], partner_b_own)
        await _barrier(hearing_a, await _recognition(world.admin, "A's barrier", clock))
        running = fanout.running()

        # when partner A's admin asks for a file, and it is made
        job_id = await _request(server, world, ["Zoe 00", "Zoe 01"])
        heard: dict[str, list[Any]] = {}
        for name, client in zip(("admin", "admin again", "colleague", "staff"), hearing_a, strict=True):
            heard[name] = [_activity(await client.receive())]
            while heard[name][-1]["job"]["status"] != "READY":
                heard[name].append(_activity(await client.receive()))
        # and then partner B's own recognition changes
        announce(partner_id=partner_b_own.partner_id, recognition_id=partner_b_own.id)
        partner_b_next = _activity(await clients["partner B"].receive())

    # then one execution per viewer: admin's two sockets shared one, and heard the same
    assert running == 4
    assert heard["admin"] == heard["admin again"]
    # and each heard READY with the link signed for them, and the recognition's last file as it is
    # after the event (not as an earlier event's answer left it)
    job = await JobModel.get(id=_key(job_id))
    for name, events in heard.items():
        link = certificate_file_link(settings=settings, job=job, user_id=viewers[name].id, now=clock.now())
        assert events[-1] == {
            "recognition": {"id": world.recognition_id, "lastCertificateFile": {"id": job_id}},
            "job": {"id": job_id, "status": "READY", "file": {"downloadUrl": link}},
        }
        assert {event["job"]["id"] for event in events} == {job_id}
    # and partner B heard nothing of A's: the next thing it heard was its own
    assert partner_b_next == {
        "recognition": {"id": _global_id(partner_b_own), "lastCertificateFile": None},
        "job": None,
    }
    for _ in range(100):  # the server notices the sockets closed
        if fanout.running() == 0:
            break
        await asyncio.sleep(0.02)
    assert fanout.running() == 0


async def test_a_dashboard_joining_hears_only_what_happens_after(
    server: str, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given a dashboard that has heard a change (the execution's latest result)
    earlier = await _recognition(world.admin, "Earlier", clock)
    later = await _recognition(world.admin, "Later", clock)
    async with subscriber(server, token_for(world.admin)) as first:
        await first.subscribe("1", ACTIVITY)
        await _until_heard([first], world.recognition)
        await _barrier([first], earlier)

        # when the same viewer opens a second dashboard, and then something changes
        async with subscriber(server, token_for(world.admin)) as second:
            await second.subscribe("1", ACTIVITY)
            [heard_by_second] = await _until_heard([second], later)
            running = fanout.running()

    # then it shared the first one's execution, and was not sent the change from before it came
    assert running == 1
    assert set(heard_by_second) == {_global_id(later)}
