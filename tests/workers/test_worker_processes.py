"""At scale: jobs sent through the broker and made by `portal worker` processes, events back through
Redis, several API processes, and processes killed midway."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import signal
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from strawberry.relay import to_base64
from websockets.exceptions import ConnectionClosed

from service.app import create_app
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificates.models import Certificate
from service.events import bus, partner_topic
from service.mail.models import OutboxMessage
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.engines import BROKER_URL, PUBSUB_URL, REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.live_server import subscriber
from tests.support.processes import start_api, start_worker, stop
from tests.support.smtp_server import free_port

pytestmark = [
    pytest.mark.jobs,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)"),
]

REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id } errors { code } }
}
"""


@pytest.fixture
def scaled(settings: Settings) -> Iterator[Settings]:
    """The test's broker (Redis unless `make test-services` names another) and Redis pub/sub, under
    this test's own namespace; the API only queues jobs: worker processes make them."""
    configured = settings.model_copy(
        update={
            "broker_url": BROKER_URL or REDIS_URL,
            "pubsub_url": PUBSUB_URL or REDIS_URL,
            "worker_threads": 0,
        }
    )
    yield configured
    remove_namespace(configured)


@pytest.fixture
def worker_process(scaled: Settings) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(scaled)
    yield process
    stop(process)


@pytest.fixture
async def scaled_gql(scaled: Settings, clock: MovableClock) -> AsyncIterator[GraphQLClient]:
    application: Starlette = create_app(scaled, clock=clock)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://portal.test"
        ) as http,
    ):
        yield GraphQLClient(http)


async def test_a_worker_process_makes_the_file_the_api_queued(
    scaled_gql: GraphQLClient, worker_process: subprocess.Popen[bytes], scaled: Settings
) -> None:
    # given
    world: CertificatesWorld = await make_certificates_world()
    ids = [to_base64("Enrollment", world.enrollments[name].id) for name in ("Ana Completer", "Jo Micro")]

    async with bus.subscribe(partner_topic(world.partner.id)) as heard:
        # when the API queues a job (with a broker URL it runs no worker of its own)
        body = await scaled_gql.post(
            REQUEST,
            {"input": {"recognitionId": world.recognition_id, "enrollmentIds": ids}},
            token=token_for(world.admin),
        )
        job_id = int(base64.b64decode(body["data"]["certificateFileRequest"]["job"]["id"]).split(b":")[1])

        # then the worker process finishes it
        for _ in range(1200):
            job = await CertificateFileJob.get(id=job_id)
            if job.status is FileJobStatus.READY:
                break
            assert worker_process.poll() is None, (scaled.data_dir / "worker.log").read_text()
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # the last event's way through Redis

    assert (job.status, job.page_count) == (FileJobStatus.READY, 2)
    assert (scaled.resolved_files_dir / "certificate-files" / (job.file_name or "")).is_file()
    # The API announced the queued job; the rest came from the worker process, through Redis.
    assert heard.qsize() >= 3


async def _job_id(gql: GraphQLClient, world: CertificatesWorld, names: list[str]) -> int:
    ids = [to_base64("Enrollment", world.enrollments[name].id) for name in names]
    body = await gql.post(
        REQUEST,
        {"input": {"recognitionId": world.recognition_id, "enrollmentIds": ids}},
        token=token_for(world.admin),
    )
    return int(base64.b64decode(body["data"]["certificateFileRequest"]["job"]["id"]).split(b":")[1])


async def _until(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds} s")


@pytest.mark.skipif(not BROKER_URL, reason="a fault test of the services engines (make test-services)")
async def test_a_worker_killed_midway_leaves_a_file_made_once(
    scaled_gql: GraphQLClient, scaled: Settings
) -> None:
    # given a file of 60 (three chunks) and workers with short leases and heartbeats
    world = await make_certificates_world()
    names = [f"Kit {number:02d}" for number in range(60)]
    for name in names:
        world.enrollments[name] = await enroll(
            world.partner, world.online_cohort, name, completed=True, certified=True
        )
    quick = {"PORTAL_JOB_LEASE_SECONDS": "2", "PORTAL_BROKER_HEARTBEAT_MS": "1000"}
    first = start_worker(scaled, **quick)
    job_id = await _job_id(scaled_gql, world, names)

    # when the worker process is killed outright while it makes a chunk
    async def a_chunk_is_taken() -> bool:
        return await CertificateFileChunk.filter(job_id=job_id, claimed_until__isnull=False).exists()

    try:
        await _until(a_chunk_is_taken, 60, "a worker taking a chunk")
    finally:
        stop(first, signal.SIGKILL)
    assert (await CertificateFileJob.get(id=job_id)).status is not FileJobStatus.READY
    # and another worker comes up
    second = start_worker(scaled, **quick)
    try:

        async def finished() -> bool:
            return (await CertificateFileJob.get(id=job_id)).status in (
                FileJobStatus.READY,
                FileJobStatus.FAILED,
            )

        await _until(finished, 120, "the file being finished")
    finally:
        stop(second)

    # then the file is made once: right counts, one file, one mail, each certificate issued once
    job = await CertificateFileJob.get(id=job_id)
    assert (job.status, job.done, job.total, job.page_count, job.chunks_done) == (
        FileJobStatus.READY,
        60,
        60,
        60,
        3,
    )
    assert sorted(path.name for path in (scaled.resolved_files_dir / "certificate-files").iterdir()) == [
        job.file_name
    ]
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1
    assert await Certificate.filter(enrollment_id__in=[world.enrollments[n].id for n in names]).count() == 60


JOB_UPDATES = "subscription Job($id: ID!) { certificateFileJobUpdated(id: $id) { status done total } }"


def _updates(messages: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [
        tuple(message["payload"]["data"]["certificateFileJobUpdated"].values())
        for message in messages
        if message["type"] == "next"
    ]


@pytest.mark.skipif(not BROKER_URL, reason="a fault test of the services engines (make test-services)")
async def test_a_subscriber_of_an_api_that_restarted_gets_the_true_state(
    scaled_gql: GraphQLClient, scaled: Settings
) -> None:
    # given a subscriber waiting on a queued job, through an API process
    world = await make_certificates_world()
    job_id = await _job_id(scaled_gql, world, ["Ana Completer", "Jo Micro"])
    global_id = to_base64("CertificateFileJob", job_id)
    port = free_port()
    url, token = f"http://127.0.0.1:{port}", token_for(world.admin)
    api = start_api(scaled, port)
    try:
        async with subscriber(url, token) as client:
            await client.subscribe("1", JOB_UPDATES, {"id": global_id})
            waiting = await client.receive()
            # when the API process dies, and the job is finished while no API runs
            stop(api, signal.SIGKILL)
            with pytest.raises(ConnectionClosed):
                await client.receive()
    finally:
        stop(api, signal.SIGKILL)
    worker = start_worker(scaled)
    try:

        async def ready() -> bool:
            return (await CertificateFileJob.get(id=job_id)).status is FileJobStatus.READY

        await _until(ready, 120, "the file being made")
    finally:
        stop(worker)
    # and the client reconnects to the API started again
    api = start_api(scaled, port)
    try:
        async with subscriber(url, token) as client:
            await client.subscribe("1", JOB_UPDATES, {"id": global_id})
            after = await client.until_complete("1")
    finally:
        stop(api)

    # then it hears the job's true state at once, and the subscription completes
    assert _updates([waiting]) == [("QUEUED", 0, 2)]
    assert _updates(after) == [("READY", 2, 2)]
    assert after[-1] == {"id": "1", "type": "complete"}


@pytest.mark.skipif(not BROKER_URL, reason="several API processes need the services engines")
async def test_two_api_processes_and_a_worker_process_serve_together(
    scaled_gql: GraphQLClient, scaled: Settings
) -> None:
    # given `portal serve --workers 2` and `portal worker`, on the same database, broker and Redis
    world = await make_certificates_world()
    port = free_port()
    url, token = f"http://127.0.0.1:{port}", token_for(world.admin)
    api, worker = start_api(scaled, port, workers=2), start_worker(scaled)
    try:
        # when a dashboard subscribes through one connection and requests a file through others
        async with subscriber(url, token) as client:
            await client.subscribe("1", "subscription { recognitionActivity { job { status done } } }")
            await asyncio.sleep(0.5)  # the subscription is in place
            ids = [
                to_base64("Enrollment", world.enrollments[name].id) for name in ("Ana Completer", "Jo Micro")
            ]
            variables = {"input": {"recognitionId": world.recognition_id, "enrollmentIds": ids}}
            async with httpx.AsyncClient(base_url=url) as http:
                answers = [
                    (
                        await http.post(
                            "/graphql",
                            json={"query": "{ viewer { email } }"},
                            headers={"Authorization": f"Bearer {token}"},
                        )
                    ).json()
                    for _ in range(4)
                ]
                requested = await http.post(
                    "/graphql",
                    json={"query": REQUEST, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
            heard: list[dict[str, Any]] = []
            while not heard or heard[-1] != {"status": "READY", "done": 2}:
                message = await client.receive(seconds=120)
                heard.append(message["payload"]["data"]["recognitionActivity"]["job"])
    finally:
        stop(worker)
        stop(api)

    # then two API processes served, and the dashboard heard the worker's progress through Redis
    log = (scaled.data_dir / "api.log").read_text()
    assert len(set(re.findall(r"Started server process \[(\d+)\]", log))) == 2
    assert answers == [{"data": {"viewer": {"email": world.admin.email}}}] * 4
    assert requested.json()["data"]["certificateFileRequest"]["errors"] == []
    assert heard[0] == {"status": "QUEUED", "done": 0}
    assert heard[-1] == {"status": "READY", "done": 2}


async def test_a_worker_logging_json_writes_nothing_but_json_lines(
    scaled_gql: GraphQLClient, scaled: Settings
) -> None:
    # given a `portal worker` asked for JSON logs, making a file and then stopped
    worker = start_worker(scaled, PORTAL_LOG_FORMAT="json")
    try:
        world = await make_certificates_world()
        job_id = await _job_id(scaled_gql, world, ["Ana Completer", "Jo Micro"])
        for _ in range(1200):
            if (await CertificateFileJob.get(id=job_id)).status is FileJobStatus.READY:
                break
            assert worker.poll() is None, (scaled.data_dir / "worker.log").read_text()
            await asyncio.sleep(0.05)
    finally:
        stop(worker)

    # then every line it and its Dramatiq processes wrote is one JSON object, Dramatiq's own included
    lines = (scaled.data_dir / "worker.log").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    assert all(isinstance(record, dict) for record in records)
    loggers = {record.get("logger") for record in records}
    assert {"dramatiq.MainProcess", "service.certificate_files"} <= loggers, loggers
