"""Subscriptions served by shared executions (issue 19): one execution per distinct (document,
variables, viewer), and never a viewer's answer sent to another, over real WebSockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from service import job_queue
from service.app import create_app
from service.certificate_files.models import CertificateFileJob as JobModel
from service.graphql.core import fanout
from service.job_queue import Job
from service.settings import Settings
from service.web.downloads import certificate_file_link
from tests.graphql.test_subscriptions import _key, _request
from tests.observability.test_observability import _scrape_until, _value
from tests.support.certificates_world import (
    CertificatesWorld,
    world_with_online_completers,
)
from tests.support.clock import MovableClock
from tests.support.factories import make_admin, make_staff
from tests.support.graphql_client import token_for
from tests.support.live_server import serving, subscriber

pytestmark = pytest.mark.jobs

# Every viewer sends the very same document and variables: only the viewer differs.
WITH_LINK = """
subscription Job($id: ID!) {
  certificateFileJobUpdated(id: $id) { status done file { downloadUrl } }
}
"""


@pytest.fixture
async def server(settings: Settings, clock: MovableClock) -> AsyncIterator[str]:
    async with serving(create_app(settings, clock=clock)) as url:
        yield url


@pytest.fixture
async def world(server: str) -> CertificatesWorld:
    return await world_with_online_completers(6)


def _data(message: dict[str, Any]) -> Any:
    return message["payload"]["data"]["certificateFileJobUpdated"]


async def test_viewers_share_an_execution_only_with_themselves(
    server: str, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    # given a job of partner A, held in the queue while everyone subscribes to it
    held = job_queue.current_adapter()
    job_queue.set_adapter(None)
    job_id = await _request(server, world, [f"Zoe {n:02d}" for n in range(6)])
    colleague, staff = await make_admin(world.partner), await make_staff()
    viewers = {
        "admin": world.admin,
        "admin again": world.admin,
        "colleague": colleague,
        "staff": staff,
        "partner B": world.other_admin,
    }
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(subscriber(server, token_for(user)))
            for name, user in viewers.items()
        }
        firsts = {}
        for name, client in clients.items():  # one at a time: each later one may join an earlier's
            await client.subscribe("1", WITH_LINK, {"id": job_id})
            firsts[name] = await client.receive()

        # then partner B is refused, though A's execution of the same document was running
        assert firsts["partner B"]["payload"] == {
            "data": None,
            "errors": [{"message": "Certificates file not found.", "extensions": {"code": "NOT_FOUND"}}],
        }
        assert await clients["partner B"].receive() == {"id": "1", "type": "complete"}
        # and the others run one execution per viewer: admin's two sockets share one
        assert fanout.running() == 3
        queued = {"status": "QUEUED", "done": 0, "file": None}
        assert {name: _data(firsts[name]) for name in viewers if name != "partner B"} == {
            "admin": queued,
            "admin again": queued,
            "colleague": queued,
            "staff": queued,
        }

        # when the job is made
        job_queue.set_adapter(held)
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, _key(job_id))
        rest = {
            name: await clients[name].until_complete("1")
            for name in ("admin", "admin again", "colleague", "staff")
        }
        with pytest.raises(TimeoutError):
            await clients["partner B"].receive(seconds=0.5)

    # then each hears READY with the link signed for them, admin's two sockets the same sequence
    job = await JobModel.get(id=_key(job_id))
    for name in rest:
        link = certificate_file_link(settings=settings, job=job, user_id=viewers[name].id, now=clock.now())
        assert _data(rest[name][-2]) == {"status": "READY", "done": 6, "file": {"downloadUrl": link}}
        assert rest[name][-1] == {"id": "1", "type": "complete"}
    assert rest["admin"] == rest["admin again"]
    assert len({_data(rest[name][-2])["file"]["downloadUrl"] for name in rest}) == 3
    assert fanout.running() == 0


async def test_a_subscriber_leaving_does_not_stop_the_others(server: str, world: CertificatesWorld) -> None:
    held = job_queue.current_adapter()
    job_queue.set_adapter(None)
    job_id = await _request(server, world, ["Zoe 00", "Zoe 01"])
    async with (
        subscriber(server, token_for(world.admin)) as staying,
        subscriber(server, token_for(world.admin)) as leaving,
    ):
        await staying.subscribe("stay", WITH_LINK, {"id": job_id})
        await leaving.subscribe("leave", WITH_LINK, {"id": job_id})
        assert _data(await staying.receive())["status"] == "QUEUED"
        assert _data(await leaving.receive())["status"] == "QUEUED"
        assert fanout.running() == 1
        await leaving.socket.send('{"id": "leave", "type": "complete"}')
        # its id is free again at once (the protocol's rule), on an execution still shared
        await leaving.subscribe("leave", WITH_LINK, {"id": job_id})
        assert _data(await leaving.receive())["status"] == "QUEUED"
        await leaving.socket.send('{"id": "leave", "type": "complete"}')
        await asyncio.sleep(0.1)
        assert fanout.running() == 1

        job_queue.set_adapter(held)
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, _key(job_id))
        stayed = await staying.until_complete("stay")
        with pytest.raises(TimeoutError):
            await leaving.receive(seconds=0.5)

    states = [(_data(m)["status"], _data(m)["done"]) for m in stayed if m["type"] == "next"]
    assert states[-1] == ("READY", 2)
    assert [done for _, done in states] == sorted(done for _, done in states)
    assert stayed[-1] == {"id": "stay", "type": "complete"}
    assert fanout.running() == 0


async def test_the_last_subscriber_leaving_stops_the_execution(server: str, world: CertificatesWorld) -> None:
    job_queue.set_adapter(None)
    job_id = await _request(server, world, ["Zoe 00"])
    async with subscriber(server, token_for(world.admin)) as client:
        await client.subscribe("1", WITH_LINK, {"id": job_id})
        assert _data(await client.receive())["status"] == "QUEUED"
        assert fanout.running() == 1
    for _ in range(100):  # the server notices the socket closed
        if fanout.running() == 0:
            break
        await asyncio.sleep(0.02)
    assert fanout.running() == 0


async def test_each_subscriber_of_a_shared_execution_is_counted(
    server: str, world: CertificatesWorld
) -> None:
    job_queue.set_adapter(None)
    job_id = await _request(server, world, ["Zoe 00"])
    async with httpx.AsyncClient(base_url=server) as http:
        async with (
            subscriber(server, token_for(world.admin)) as first,
            subscriber(server, token_for(world.admin)) as second,
        ):
            for client in (first, second):
                await client.subscribe("1", WITH_LINK, {"id": job_id})
                assert _data(await client.receive())["status"] == "QUEUED"
            assert fanout.running() == 1
            during = await _scrape_until(
                http, lambda s: _value(s, "portal_graphql_subscriptions_active") == 2.0
            )
        after = await _scrape_until(http, lambda s: _value(s, "portal_graphql_subscriptions_active") == 0.0)

    assert _value(during, "portal_graphql_subscriptions_active") == 2.0
    assert (
        _value(after, "portal_graphql_operations_total", operation="Job", type="subscription", outcome="ok")
        == 2.0
    )
