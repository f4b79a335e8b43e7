"""The broker restarts empty under a file in flight (the test's own Redis, killed, away for longer
than redis-py's retries last, and started again): the messages it held are lost, and the sweep
hands the file over again within 2 × lease + sweep of the broker's return, not after a fixed ten
minutes; the worker waits the outage out, so the next file is as fast as before it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from service.app import create_app
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.settings import Settings
from tests.support.certificate_files import key_of
from tests.support.certificates_world import enroll
from tests.support.drills import (
    NAMES,
    assert_as_fast,
    assert_made_once,
    drill_world,
    make_file,
    request,
    until,
)
from tests.support.engines import REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import GraphQLClient
from tests.support.private_servers import PrivateRedis, private_redis
from tests.support.processes import start_worker, stop

pytestmark = [
    pytest.mark.drills,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (for the events)"),
]

LEASE_SECONDS, SWEEP_SECONDS = 2.0, 1.0
OUTAGE_SECONDS = 6.0  # redis-py's ten retries, each after up to 1 s, have given up by then
LARGE = [*NAMES, *(f"Lot {number:03d}" for number in range(190))]


@pytest.fixture
def broker() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@pytest.fixture
def lossy(settings: Settings, broker: PrivateRedis) -> Iterator[Settings]:
    configured = settings.model_copy(
        update={
            "broker_url": broker.url,
            "pubsub_url": REDIS_URL,
            "worker_threads": 0,
            "job_lease_seconds": LEASE_SECONDS,
            "sweep_seconds": SWEEP_SECONDS,
        }
    )
    yield configured
    remove_namespace(configured.model_copy(update={"broker_url": ""}))


@pytest.fixture
async def api(lossy: Settings) -> AsyncIterator[GraphQLClient]:
    # The sweep compares the jobs' times with the clock: a real one here.
    application = create_app(lossy)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://portal.test"
        ) as http,
    ):
        yield GraphQLClient(http)


async def test_a_file_whose_messages_the_broker_lost_is_ready_within_two_leases_and_a_sweep(
    api: GraphQLClient, lossy: Settings, broker: PrivateRedis
) -> None:
    # given a worker process, warmed up, and the time a 60-certificate file takes
    world = await drill_world()
    for number in range(190):
        world.enrollments[f"Lot {number:03d}"] = await enroll(
            world.partner, world.online_cohort, f"Lot {number:03d}", completed=True, certified=True
        )
    # (one chunk a message: a message lost is work left undone, not done by a run already going)
    worker = start_worker(
        lossy,
        PORTAL_JOB_LEASE_SECONDS=str(LEASE_SECONDS),
        PORTAL_BROKER_HEARTBEAT_MS="1000",
        PORTAL_JOB_RUN_SECONDS="0",
    )
    try:
        first, _ = await make_file(api, world, NAMES)
        before, before_seconds = await make_file(api, world, NAMES[30:] + NAMES[:30])
        # and a file of 250 being made (ten chunks: more than the worker takes from the broker at once)
        job_id = key_of((await request(api, world, LARGE))["job"]["id"])

        async def a_chunk_is_taken() -> bool:
            return await CertificateFileChunk.filter(job_id=job_id, claimed_until__isnull=False).exists()

        await until(a_chunk_is_taken, 60, "a worker taking a chunk")
        # when the broker dies with the other chunks' messages, stays away, and comes back empty
        broker.stop()
        await asyncio.sleep(OUTAGE_SECONDS)
        broker.start()
        back = time.monotonic()

        async def ready() -> bool:
            return (await CertificateFileJob.get(id=job_id)).status is FileJobStatus.READY

        await until(ready, 60, "the file being made after the broker's return")
        recovered = time.monotonic() - back
        # and another file is asked for
        after, after_seconds = await make_file(api, world, NAMES[15:] + NAMES[:15])
    finally:
        stop(worker)

    # then each file is made once, the lost one within 2 × lease + sweep (and the time to make it,
    # 8 s on a loaded machine) of the broker's return, and the next one as fast as before
    for made, names in ((first, NAMES), (before, NAMES[30:] + NAMES[:30]), (job_id, LARGE)):
        await assert_made_once(made, world, names, lossy.resolved_files_dir)
    await assert_made_once(after, world, NAMES[15:] + NAMES[:15], lossy.resolved_files_dir)
    assert recovered < 2 * LEASE_SECONDS + SWEEP_SECONDS + 8, recovered
    assert_as_fast(before_seconds, after_seconds)
    print(f"recovered {recovered:.1f} s; files: {before_seconds:.1f} s before, {after_seconds:.1f} s after")
