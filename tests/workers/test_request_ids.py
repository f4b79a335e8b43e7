"""A request's whole story under its id: every message a `portal worker` handles for a file (the
start, each chunk) is logged under the id of the request that asked for that file, job after job."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.settings import Settings
from tests.support.app_client import app_client
from tests.support.certificate_files import key_of, make_files_world
from tests.support.clock import MovableClock
from tests.support.drills import job_lines, request, until
from tests.support.engines import BROKER_URL, PUBSUB_URL, REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import GraphQLClient
from tests.support.processes import start_worker, stop

pytestmark = [
    pytest.mark.jobs,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)"),
]

SELECTIONS = [[f"Zoe {number:02d}" for number in range(shift, shift + 26)] for shift in range(4)]


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


async def test_each_jobs_messages_carry_the_id_of_the_request_that_asked_for_it(
    api: GraphQLClient, scaled: Settings
) -> None:
    # given a worker process writing JSON logs
    world = await make_files_world()
    worker = start_worker(scaled, PORTAL_LOG_FORMAT="json")
    expected: dict[tuple[str, int], str] = {}
    try:
        # when four files are asked for, one after another, each by a request with its own id
        for number, names in enumerate(SELECTIONS, start=1):
            request_id = f"drill-request-{number}"
            job_id = key_of((await request(api, world, names, request_id=request_id))["job"]["id"])

            async def ready(job_id: int = job_id) -> bool:
                return (await CertificateFileJob.get(id=job_id)).status is FileJobStatus.READY

            await until(ready, 60, f"file {job_id}")
            expected[("build_certificate_file", job_id)] = request_id
            for chunk in await CertificateFileChunk.filter(job_id=job_id):
                expected[("build_certificate_file_part", chunk.id)] = request_id
    finally:
        stop(worker)

    # then each message's line names its own request, never an earlier one's
    seen = {
        (line["actor"], line["ids"][0]): line["request_id"]
        for line in job_lines(scaled.data_dir / "worker.log")
        if line["actor"] in ("build_certificate_file", "build_certificate_file_part")
    }
    assert seen == expected
    assert len(expected) == 12  # four starts, eight chunks
