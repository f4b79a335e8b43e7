"""Subscriptions over a real WebSocket to a real uvicorn server: a job's progress, and dashboards."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from service import job_queue
from service.app import create_app
from service.job_queue import Job
from service.settings import Settings
from tests.support.certificates_world import (
    CertificatesWorld,
    world_with_online_completers,
)
from tests.support.clock import MovableClock
from tests.support.graphql_client import token_for
from tests.support.live_server import serving, subscriber

pytestmark = pytest.mark.jobs

JOB_UPDATES = """
subscription Job($id: ID!) { certificateFileJobUpdated(id: $id) { id status done total } }
"""
ACTIVITY = """
subscription { recognitionActivity { recognition { name } job { status done } } }
"""
REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id status } errors { code } }
}
"""


@pytest.fixture
async def server(settings: Settings, clock: MovableClock) -> AsyncIterator[str]:
    async with serving(create_app(settings, clock=clock)) as url:
        yield url


@pytest.fixture
async def world(server: str) -> CertificatesWorld:
    return await world_with_online_completers(30)


async def _request(server: str, world: CertificatesWorld, names: list[str]) -> str:
    ids = [to_base64("Enrollment", world.enrollments[name].id) for name in names]
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token_for(world.admin)}"},
            json={
                "query": REQUEST,
                "variables": {"input": {"recognitionId": world.recognition_id, "enrollmentIds": ids}},
            },
        )
    job_id: str = response.json()["data"]["certificateFileRequest"]["job"]["id"]
    return job_id


def _states(messages: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [
        (
            m["payload"]["data"]["certificateFileJobUpdated"]["status"],
            m["payload"]["data"]["certificateFileJobUpdated"]["done"],
        )
        for m in messages
        if m["type"] == "next"
    ]


async def test_a_subscriber_sees_queued_progress_ready_then_completion(
    server: str, world: CertificatesWorld
) -> None:
    # given a job recorded while the queue is held, so the subscriber can see it waiting
    held = job_queue.current_adapter()  # the app's, restored below
    job_queue.set_adapter(None)
    job_id = await _request(server, world, [f"Zoe {n:02d}" for n in range(30)])

    async with subscriber(server, token_for(world.admin)) as client:
        await client.subscribe("1", JOB_UPDATES, {"id": job_id})
        first = await client.receive()
        # when the job reaches the worker
        job_queue.set_adapter(held)
        job_queue.enqueue(Job.BUILD_CERTIFICATE_FILE, _key(job_id))
        rest = await client.until_complete("1")

    # then
    states = _states([first, *rest])
    assert states[0] == ("QUEUED", 0)
    assert states[-1] == ("READY", 30)
    # Which of the steps between (RUNNING with 0, 5, 25 done) it hears depends on when its reads
    # land against the two worker threads' chunks; what is certain is that progress never goes back
    # and every state it hears is one the job went through.
    assert [done for _, done in states] == sorted(done for _, done in states)
    assert set(states) <= {
        ("QUEUED", 0),
        ("RUNNING", 0),
        ("RUNNING", 5),
        ("RUNNING", 25),
        ("RUNNING", 30),
        ("READY", 30),
    }
    assert rest[-1] == {"id": "1", "type": "complete"}


def _key(global_id: str) -> int:
    import base64

    return int(base64.b64decode(global_id).decode().split(":")[1])


async def test_subscribing_to_a_finished_job_gives_its_state_and_completes(
    server: str, world: CertificatesWorld
) -> None:
    job_id = await _request(server, world, ["Ana Completer"])
    async with subscriber(server, token_for(world.admin)) as client:
        await client.subscribe("done", JOB_UPDATES, {"id": job_id})
        messages = await client.until_complete("done")

    assert _states(messages)[-1] == ("READY", 1)
    assert messages[-1]["type"] == "complete"


async def test_a_socket_without_a_valid_token_gets_nothing(server: str) -> None:
    with pytest.raises(ConnectionClosed) as closed:
        async with subscriber(server, "not-a-token"):
            pass

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_the_token_may_come_as_a_capitalised_header_name(server: str, world: CertificatesWorld) -> None:
    async with connect(
        server.replace("http", "ws", 1) + "/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as socket:
        payload = {"Authorization": f"Bearer {token_for(world.admin)}"}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))

        assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"type": "connection_ack"}


async def test_partner_b_hears_nothing_of_partner_a(server: str, world: CertificatesWorld) -> None:
    async with (
        subscriber(server, token_for(world.admin)) as partner_a,
        subscriber(server, token_for(world.other_admin)) as partner_b,
    ):
        await partner_a.subscribe("a", ACTIVITY)
        await partner_b.subscribe("b", ACTIVITY)
        await asyncio.sleep(0.1)  # both subscriptions registered before anything happens
        job_id = await _request(server, world, ["Ana Completer"])
        await partner_b.subscribe("peek", JOB_UPDATES, {"id": job_id})

        heard_by_a: list[dict[str, Any]] = []
        while (
            not heard_by_a
            or heard_by_a[-1]["payload"]["data"]["recognitionActivity"]["job"]["status"] != "READY"
        ):
            heard_by_a.append(await partner_a.receive())
        peek = await partner_b.until_complete("peek")
        heard_by_b = []
        with pytest.raises(TimeoutError):
            heard_by_b.append(await partner_b.receive(seconds=0.5))

    assert {m["payload"]["data"]["recognitionActivity"]["recognition"]["name"] for m in heard_by_a} == {
        "Autumn ceremony"
    }
    assert peek == [
        {
            "id": "peek",
            "type": "next",
            "payload": {
                "data": None,
                "errors": [{"message": "Certificates file not found.", "extensions": {"code": "NOT_FOUND"}}],
            },
        },
        {"id": "peek", "type": "complete"},
    ]
    assert heard_by_b == []


async def test_the_legacy_graphql_ws_protocol_works_too(server: str, world: CertificatesWorld) -> None:
    import json

    from websockets.asyncio.client import connect

    job_id = await _request(server, world, ["Ana Completer"])
    async with connect(server.replace("http", "ws", 1) + "/graphql", subprotocols=["graphql-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {token_for(world.admin)}"}}
            )
        )
        assert json.loads(await socket.recv()) == {"type": "connection_ack"}
        await socket.send(
            json.dumps(
                {"type": "start", "id": "1", "payload": {"query": JOB_UPDATES, "variables": {"id": job_id}}}
            )
        )
        received: list[dict[str, Any]] = []
        while not received or received[-1]["type"] != "complete":
            message = json.loads(await asyncio.wait_for(socket.recv(), 30))
            if message["type"] != "ka":
                received.append(message)

    assert received[-2]["payload"]["data"]["certificateFileJobUpdated"]["status"] == "READY"
    assert {message["type"] for message in received} == {"data", "complete"}


async def test_each_activity_result_is_read_afresh_on_the_legacy_protocol_too(
    server: str, world: CertificatesWorld
) -> None:
    # given a dashboard on the legacy protocol (its executions are not shared), listening
    activity = """subscription { recognitionActivity {
      job { status } recognition { lastCertificateFile { id status } } } }"""
    async with connect(
        server.replace("http", "ws", 1) + "/graphql", subprotocols=[Subprotocol("graphql-ws")]
    ) as socket:
        await socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {token_for(world.admin)}"}}
            )
        )
        assert json.loads(await socket.recv()) == {"type": "connection_ack"}
        await socket.send(json.dumps({"type": "start", "id": "1", "payload": {"query": activity}}))
        await asyncio.sleep(0.2)  # subscribed before the file is asked for (the ack has no reply to wait on)

        # when a file is asked for and made
        job_id = await _request(server, world, ["Ana Completer"])
        heard: list[dict[str, Any]] = []
        while not heard or (heard[-1]["job"] or {}).get("status") != "READY":
            message = json.loads(await asyncio.wait_for(socket.recv(), 30))
            if message["type"] == "data":
                heard.append(message["payload"]["data"]["recognitionActivity"])

    # then every result shows the recognition's last file as it is then, not as the first result read it
    assert heard[-1]["recognition"] == {"lastCertificateFile": {"id": job_id, "status": "READY"}}
