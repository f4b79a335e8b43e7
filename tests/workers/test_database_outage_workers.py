"""A live `portal worker` through a PostgreSQL outage (the test's own PostgreSQL, stopped and started
again): the next file is as fast as before, with no failed message — no connection the outage
broke is used again, and nothing a failed message left behind carries over to the next."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

import pytest

from service.database import migrate
from service.settings import Settings
from tests.support.app_client import app_client
from tests.support.clock import MovableClock
from tests.support.databases import POSTGRES_URL
from tests.support.drills import NAMES, assert_as_fast, assert_made_once, drill_world, job_lines, make_file
from tests.support.engines import REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import GraphQLClient
from tests.support.private_servers import PrivatePostgres, private_postgres, private_postgres_missing
from tests.support.processes import start_worker, stop

pytestmark = [
    pytest.mark.drills,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL}"),
    pytest.mark.skipif(bool(private_postgres_missing()), reason=private_postgres_missing() or ""),
    # Tortoise keeps each model's SQL for the engine it first ran on: a run on SQLite cannot switch.
    pytest.mark.skipif(not POSTGRES_URL, reason="the suite on PostgreSQL (make test-drills sets it)"),
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
    async with app_client(outage_settings, clock) as http:
        yield GraphQLClient(http)


async def test_after_a_database_outage_the_next_file_is_as_fast_with_no_failed_message(
    api: GraphQLClient, outage_settings: Settings, postgres: PrivatePostgres
) -> None:
    # given a live worker process and files it made
    world = await drill_world()
    worker = start_worker(
        outage_settings,
        PORTAL_LOG_FORMAT="json",
        PORTAL_JOB_MIN_BACKOFF_MS="300",
        PORTAL_JOB_MAX_BACKOFF_MS="2000",
    )
    log = outage_settings.data_dir / "worker.log"
    try:
        first, _ = await make_file(api, world, NAMES)  # the worker warms up
        before, before_seconds = await make_file(api, world, NAMES[30:] + NAMES[:30])

        # when PostgreSQL stops while the worker idles (its threads keep their pools' connections), and
        # starts again 5 s later
        postgres.stop("fast")
        await asyncio.sleep(5)
        postgres.start()
        # and the next file is asked for
        offset = log.stat().st_size
        after, after_seconds = await make_file(api, world, NAMES[::-1])
        failed_after = [line for line in job_lines(log, offset) if line.get("outcome") == "failed"]
    finally:
        stop(worker)

    # then every file is made once, and the next one needed no failed message and was as fast
    for job_id, names in ((first, NAMES), (before, NAMES[30:] + NAMES[:30]), (after, NAMES[::-1])):
        await assert_made_once(job_id, world, names, outage_settings.resolved_files_dir)
    assert failed_after == []
    assert_as_fast(before_seconds, after_seconds)
    print(json.dumps({"before_seconds": before_seconds, "after_seconds": after_seconds}))
