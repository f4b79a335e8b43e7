"""At scale: jobs sent through Redis and made by `portal worker` processes, events back through Redis."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from strawberry.relay import to_base64

from service.app import create_app
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.events import bus, partner_topic
from service.settings import Settings
from tests.certificates_world import CertificatesWorld, make_certificates_world
from tests.clock import MovableClock
from tests.graphql_client import GraphQLClient, token_for
from tests.test_events_redis import REDIS_URL, _redis_answers

pytestmark = pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)")

REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id } errors { code } }
}
"""


@pytest.fixture
def scaled(settings: Settings) -> Settings:
    """This test's own Redis namespace, so runs never see each other's jobs or events."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    return settings.model_copy(
        update={"broker_url": REDIS_URL, "pubsub_url": REDIS_URL, "redis_prefix": prefix}
    )


@pytest.fixture
def worker_process(scaled: Settings) -> Iterator[subprocess.Popen[bytes]]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    environment |= {
        "PORTAL_DATA_DIR": str(scaled.data_dir),
        "PORTAL_DATABASE_URL": scaled.resolved_database_url,
        "PORTAL_SECRET_KEY": scaled.signing_secret(),
        "PORTAL_BROKER_URL": scaled.broker_url,
        "PORTAL_PUBSUB_URL": scaled.pubsub_url,
        "PORTAL_REDIS_PREFIX": scaled.redis_prefix,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker", "--processes", "1", "--threads", "2"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()


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
            assert worker_process.poll() is None, (
                worker_process.stderr.read() if worker_process.stderr else b""
            )
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # the last event's way through Redis

    assert (job.status, job.page_count) == (FileJobStatus.READY, 2)
    assert (scaled.resolved_files_dir / "certificate-files" / (job.file_name or "")).is_file()  # noqa: ASYNC240
    # The API announced the queued job; the rest came from the worker process, through Redis.
    assert heard.qsize() >= 3
