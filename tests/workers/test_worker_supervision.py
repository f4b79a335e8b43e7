"""One killed Dramatiq worker process does not stop `portal worker` for good: Dramatiq shuts its other
processes down, `portal worker` starts it again, and the file the killed process was making is
finished without anyone stepping in."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path

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
    dramatiq_worker_process,
    drill_world,
    make_file,
    request,
    until,
)
from tests.support.engines import BROKER_URL, PUBSUB_URL, REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import GraphQLClient
from tests.support.processes import start_worker, stop
from tests.support.smtp_server import free_port

HEALTH_CHECK = Path(__file__).resolve().parents[2] / "deploy" / "worker-healthcheck.sh"

pytestmark = [
    pytest.mark.drills,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)"),
]


@pytest.fixture
def scaled(settings: Settings) -> Iterator[Settings]:
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
async def api(scaled: Settings, clock: MovableClock) -> AsyncIterator[GraphQLClient]:
    async with app_client(scaled, clock) as http:
        yield GraphQLClient(http)


async def test_a_killed_worker_process_is_replaced_and_its_file_finished(
    api: GraphQLClient, scaled: Settings
) -> None:
    # given a `portal worker` (short lease and heartbeats), warmed up, and the time a file of 60 takes
    world = await drill_world()
    metrics_port = str(free_port())
    worker = start_worker(
        scaled,
        PORTAL_JOB_LEASE_SECONDS="2",
        PORTAL_BROKER_HEARTBEAT_MS="1000",
        PORTAL_WORKER_METRICS_PORT=metrics_port,
    )
    try:
        first, first_seconds = await make_file(api, world, NAMES)  # by a Dramatiq just started
        before, before_seconds = await make_file(api, world, NAMES[30:] + NAMES[:30])
        # and a file of 60 being made: caught with a chunk in the making (a warm worker can make a
        # whole file between two looks, so another order of the same people is asked for then)
        for turn in range(1, 11):
            caught_names = NAMES[-turn:] + NAMES[:-turn]
            job_id = key_of((await request(api, world, caught_names))["job"]["id"])
            await until(partial(_in_the_making_or_ready, job_id), 60, "a worker making a chunk")
            if (await CertificateFileJob.get(id=job_id)).status is not FileJobStatus.READY:
                break
        else:
            raise AssertionError("ten files were each made before a look saw a chunk in the making")
        healthy = _health_check(metrics_port)
        # when its Dramatiq worker process is killed outright
        dramatiq, killed = dramatiq_worker_process(worker.pid)
        os.kill(killed, signal.SIGKILL)

        async def ready() -> bool:
            return (await CertificateFileJob.get(id=job_id)).status is FileJobStatus.READY

        # then, with nobody stepping in, the file is made
        await until(ready, 90, "the file being made after the kill")

        # (the file may be ready before `portal worker` has seen its Dramatiq end: the pages are quick)
        async def dramatiq_started_again() -> bool:
            return children(worker.pid) not in ([], [dramatiq])

        await until(dramatiq_started_again, 30, "Dramatiq being started again")
        still_running = worker.poll() is None
        restarted = children(worker.pid)
        # and the next file (by the Dramatiq just started again) as fast as the first one
        after, after_seconds = await make_file(api, world, NAMES[15:] + NAMES[:15])
    finally:
        stop(worker)

    # by a Dramatiq started again under the same `portal worker` (which the container check saw healthy)
    assert healthy == 0
    assert still_running
    assert restarted != [dramatiq] and len(restarted) == 1
    # and each file made once
    for made, names in ((first, NAMES), (before, NAMES[30:] + NAMES[:30]), (job_id, caught_names)):
        await assert_made_once(made, world, names, scaled.resolved_files_dir)
    await assert_made_once(after, world, NAMES[15:] + NAMES[:15], scaled.resolved_files_dir)
    # (a Dramatiq just started loads its fonts and shaping first: the first file is the fair comparison)
    assert_as_fast(max(first_seconds, before_seconds), after_seconds)


async def _in_the_making_or_ready(job_id: int) -> bool:
    """A chunk of the job being made, or the job made already (between two looks)."""
    in_the_making = CertificateFileChunk.filter(
        job_id=job_id, claimed_until__isnull=False, done_at__isnull=True
    )
    return (
        await in_the_making.exists()
        or await CertificateFileJob.filter(id=job_id, status=FileJobStatus.READY).exists()
    )


def _health_check(port: str) -> int:
    environment = os.environ | {"PORTAL_WORKER_METRICS_PORT": port}
    return subprocess.run([str(HEALTH_CHECK)], env=environment, timeout=30, check=False).returncode
