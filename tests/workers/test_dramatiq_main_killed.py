"""Dramatiq's main process killed outright under `portal worker`: nothing of it lives on (its worker
processes kept consuming beside the next Dramatiq's, and its metrics server kept the port, so the next
one's could not start and nothing answered once they were gone), the next Dramatiq has the queues
and the metrics port to itself, and the file being made is finished once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.settings import Settings
from tests.support.app_client import app_client
from tests.support.certificate_files import key_of
from tests.support.clock import MovableClock
from tests.support.drills import (
    NAMES,
    assert_as_fast,
    assert_made_once,
    children,
    drill_world,
    make_file,
    request,
    until,
)
from tests.support.engines import BROKER_URL, PUBSUB_URL, REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import GraphQLClient
from tests.support.processes import start, stop
from tests.support.smtp_server import free_port
from workers.broker import queue_names
from workers.supervisor import alive_in_group

HEALTH_CHECK = Path(__file__).resolve().parents[2] / "deploy" / "worker-healthcheck.sh"
RABBITMQ_URL = (
    BROKER_URL
    if BROKER_URL.startswith("amqp")
    else os.environ.get("PORTAL_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
)
PROCESSES = 2

pytestmark = [
    pytest.mark.drills,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)"),
]


def rabbitmq_answers() -> bool:
    import pika
    import pika.exceptions

    parameters = pika.URLParameters(RABBITMQ_URL)
    parameters.socket_timeout = 1
    try:
        pika.BlockingConnection(parameters).close()
    except pika.exceptions.AMQPError:
        return False
    return True


@pytest.fixture(
    params=[
        pytest.param(
            "rabbitmq",
            marks=pytest.mark.skipif(not rabbitmq_answers(), reason=f"no RabbitMQ at {RABBITMQ_URL}"),
        ),
        "redis",
    ]
)
def scaled(settings: Settings, request: pytest.FixtureRequest) -> Iterator[Settings]:
    broker_url = RABBITMQ_URL if request.param == "rabbitmq" else REDIS_URL
    configured = settings.model_copy(
        update={"broker_url": broker_url, "pubsub_url": PUBSUB_URL or REDIS_URL, "worker_threads": 0}
    )
    yield configured
    remove_namespace(configured)


@pytest.fixture
async def api(scaled: Settings, clock: MovableClock) -> AsyncIterator[GraphQLClient]:
    async with app_client(scaled, clock) as http:
        yield GraphQLClient(http)


async def test_a_killed_dramatiq_main_process_leaves_nothing_running_and_its_file_is_made_once(
    api: GraphQLClient, scaled: Settings
) -> None:
    # given a `portal worker` with two processes (short lease and heartbeats), warmed up by a file
    world = await drill_world()
    metrics_port = str(free_port())
    log = scaled.data_dir / "worker.log"
    worker = start(
        scaled,
        *("worker", "--processes", str(PROCESSES), "--threads", "2"),
        log=log.name,
        PORTAL_JOB_LEASE_SECONDS="2",
        PORTAL_BROKER_HEARTBEAT_MS="1000",
        PORTAL_WORKER_METRICS_PORT=metrics_port,
    )
    consumers_at_start = consumers_after = None
    try:
        first, first_seconds = await make_file(api, world, NAMES)  # by a Dramatiq just started
        await until(partial(_metrics_answer, metrics_port), 30, "the metrics answering", logs=[log])
        if scaled.broker_url.startswith("amqp"):
            consumers_at_start = await asyncio.to_thread(_consumers, scaled)
        # and a file of 60 being made: caught with a chunk in the making (a warm worker can make a
        # whole file between two looks, so another order of the same people is asked for then)
        for turn in range(1, 11):
            caught_names = NAMES[-turn:] + NAMES[:-turn]
            job_id = key_of((await request(api, world, caught_names))["job"]["id"])
            await until(partial(_in_the_making_or_ready, job_id), 60, "a worker making a chunk", logs=[log])
            if (await CertificateFileJob.get(id=job_id)).status is not FileJobStatus.READY:
                break
        else:
            raise AssertionError("ten files were each made before a look saw a chunk in the making")
        [dramatiq] = children(worker.pid)
        old_group = [dramatiq, *children(dramatiq)]  # its worker processes and its metrics server

        # when Dramatiq's main process is killed outright
        os.kill(dramatiq, signal.SIGKILL)

        # then Dramatiq is started again, with as many processes as before and its metrics server
        async def started_again() -> bool:
            again = children(worker.pid)
            return len(again) == 1 and again != [dramatiq] and len(children(again[0])) == PROCESSES + 1

        await until(started_again, 60, "Dramatiq being started again", logs=[log])
        left_of_the_old = [pid for pid in old_group if _running(pid)]
        # and its metrics answer again (the container's health check passes)
        await until(partial(_metrics_answer, metrics_port), 30, "the metrics answering again", logs=[log])
        health_check = await asyncio.to_thread(_health_check, metrics_port)

        # and the file the killed processes were making is made
        async def ready() -> bool:
            return (await CertificateFileJob.get(id=job_id)).status is FileJobStatus.READY

        await until(ready, 60, "the file being made after the kill", logs=[log])
        if consumers_at_start is not None:
            # (consumers are counted by RabbitMQ as their connections open and close)
            wanted = dict.fromkeys(consumers_at_start, PROCESSES)

            async def consumers_as_configured() -> bool:
                return await asyncio.to_thread(_consumers, scaled) == wanted

            await until(consumers_as_configured, 30, "each queue having its consumers", logs=[log])
            consumers_after = await asyncio.to_thread(_consumers, scaled)
        [new_dramatiq] = children(worker.pid)
        # and the next file (by the Dramatiq started again) as fast as the first one
        after, after_seconds = await make_file(api, world, NAMES[15:] + NAMES[:15])
    finally:
        stop(worker)

    # nothing of the killed Dramatiq was running once the next one was up (checked by pid)
    assert len(old_group) == PROCESSES + 2
    assert left_of_the_old == []
    assert health_check == 0
    if consumers_at_start is not None:
        assert consumers_at_start == dict.fromkeys(consumers_at_start, PROCESSES)
        assert consumers_after == consumers_at_start
    # and `portal worker`, stopped, left nothing of the next one either
    assert worker.returncode == 0
    assert alive_in_group(new_dramatiq) == []
    # and each file made once, with a page for everyone
    await assert_made_once(first, world, NAMES, scaled.resolved_files_dir)
    await assert_made_once(job_id, world, caught_names, scaled.resolved_files_dir)
    await assert_made_once(after, world, NAMES[15:] + NAMES[:15], scaled.resolved_files_dir)
    assert_as_fast(first_seconds, after_seconds)


async def _in_the_making_or_ready(job_id: int) -> bool:
    """A chunk of the job being made, or the job made already (between two looks)."""
    in_the_making = CertificateFileChunk.filter(
        job_id=job_id, claimed_until__isnull=False, done_at__isnull=True
    )
    return (
        await in_the_making.exists()
        or await CertificateFileJob.filter(id=job_id, status=FileJobStatus.READY).exists()
    )


async def _metrics_answer(port: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            response = await client.get(f"http://127.0.0.1:{port}/")
    except httpx.TransportError:
        return False
    return response.status_code == 200


def _consumers(settings: Settings) -> dict[str, int]:
    """Consumers of each of the namespace's queues (and delay queues), as RabbitMQ counts them."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(settings.broker_url))
    try:
        channel = connection.channel()
        counts = {}
        for name in queue_names(settings.namespace).values():
            for queue in (name, f"{name}.DQ"):
                counts[queue] = channel.queue_declare(queue, passive=True).method.consumer_count
        return counts
    finally:
        connection.close()


def _running(pid: int) -> bool:
    """The process exists and has not ended (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def _health_check(port: str) -> int:
    environment = os.environ | {"PORTAL_WORKER_METRICS_PORT": port}
    return subprocess.run([str(HEALTH_CHECK)], env=environment, timeout=30, check=False).returncode
