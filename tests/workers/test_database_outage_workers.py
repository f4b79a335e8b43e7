"""A live `portal worker` through a PostgreSQL outage (the test's own PostgreSQL, stopped and started
again): the next file is as fast as before, with no failed message — no connection the outage
broke is used again, and nothing a failed message left behind carries over to the next."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificates.models import Certificate
from service.database import migrate
from service.mail.models import OutboxMessage
from service.settings import Settings
from tests.support.certificate_files import key_of
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.drills import NAMES, job_lines, request, until
from tests.support.engines import REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import GraphQLClient
from tests.support.private_servers import PrivatePostgres, private_postgres, private_postgres_missing
from tests.support.processes import start_worker, stop

pytestmark = [
    pytest.mark.jobs,
    pytest.mark.drills,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL}"),
    pytest.mark.skipif(bool(private_postgres_missing()), reason=private_postgres_missing() or ""),
]


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture
async def outage_settings(settings: Settings, postgres: PrivatePostgres) -> AsyncIterator[Settings]:
    await migrate(postgres.url)
    configured = settings.model_copy(
        update={
            "database_url": postgres.url,
            "broker_url": REDIS_URL,
            "pubsub_url": REDIS_URL,
            "worker_threads": 0,
        }
    )
    yield configured
    remove_namespace(configured)


@pytest.fixture
async def api(outage_settings: Settings, clock: MovableClock) -> AsyncIterator[GraphQLClient]:
    application = create_app(outage_settings, clock=clock)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://portal.test"
        ) as http,
    ):
        yield GraphQLClient(http)


async def _world() -> CertificatesWorld:
    world = await make_certificates_world()
    for name in NAMES:
        world.enrollments[name] = await enroll(
            world.partner, world.online_cohort, name, completed=True, certified=True
        )
    return world


async def _make(api: GraphQLClient, world: CertificatesWorld, names: list[str]) -> tuple[int, float]:
    started = time.monotonic()
    job_id = key_of((await request(api, world, names))["job"]["id"])

    async def finished() -> bool:
        return (await CertificateFileJob.get(id=job_id)).status in (FileJobStatus.READY, FileJobStatus.FAILED)

    await until(finished, 120, f"file {job_id} being finished")
    return job_id, time.monotonic() - started


def _failed_lines(log: Path, since: int) -> list[dict[str, Any]]:
    return [line for line in job_lines(log, since) if line.get("outcome") == "failed"]


async def test_after_a_database_outage_the_next_file_is_as_fast_with_no_failed_message(
    api: GraphQLClient, outage_settings: Settings, postgres: PrivatePostgres
) -> None:
    # given a live worker process and files it made
    world = await _world()
    worker = start_worker(
        outage_settings,
        PORTAL_LOG_FORMAT="json",
        PORTAL_JOB_MIN_BACKOFF_MS="300",
        PORTAL_JOB_MAX_BACKOFF_MS="2000",
    )
    log = outage_settings.data_dir / "worker.log"
    try:
        first, _ = await _make(api, world, NAMES)  # the worker warms up
        before, before_seconds = await _make(api, world, NAMES[30:] + NAMES[:30])

        # when PostgreSQL stops while the worker idles (its threads keep their pools' connections), and
        # starts again 5 s later
        postgres.stop("fast")
        await asyncio.sleep(5)
        postgres.start()
        # and the next file is asked for
        offset = log.stat().st_size
        after, after_seconds = await _make(api, world, NAMES[::-1])
        failed_after = _failed_lines(log, offset)
    finally:
        stop(worker)

    # then each file is READY with its pages, each certificate issued once, one mail each
    jobs = {job.id: job for job in await CertificateFileJob.all()}
    assert [(jobs[i].status, jobs[i].page_count) for i in (first, before, after)] == [
        (FileJobStatus.READY, 60)
    ] * 3
    assert await Certificate.all().count() == 60
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 3
    assert await CertificateFileJob.filter(status=FileJobStatus.RUNNING).count() == 0
    # and the next file needed no failed message, and took no longer than the first (with slack)
    assert failed_after == []
    assert after_seconds < 2 * before_seconds + 2, (before_seconds, after_seconds)
    print(json.dumps({"before_seconds": before_seconds, "after_seconds": after_seconds}))
