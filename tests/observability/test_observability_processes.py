"""Observability at scale: a `portal worker` process's metrics (Dramatiq's and ours) on its own port and
its JSON log lines under the request id of the HTTP request that queued the job; several API
processes adding up their counts in one /metrics."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.settings import Settings
from tests.observability.test_observability import REQUEST, REQUEST_ID, Samples, _samples, _value
from tests.support.app_client import app_client
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.engines import BROKER_URL, PUBSUB_URL, REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import token_for
from tests.support.processes import start_api, start_worker, stop
from tests.support.smtp_server import free_port

pytestmark = [
    pytest.mark.jobs,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)"),
]


@pytest.fixture
def scaled(settings: Settings) -> Iterator[Settings]:
    """The API only queues jobs (the test's broker, Redis unless named); worker processes make them."""
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
async def api(scaled: Settings, clock: MovableClock) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(scaled, clock) as http:
        yield http


def _variables(world: CertificatesWorld) -> dict[str, Any]:
    ids = [to_base64("Enrollment", world.enrollments[name].id) for name in ("Ana Completer", "Jo Micro")]
    return {"input": {"recognitionId": world.recognition_id, "enrollmentIds": ids}}


async def _until(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    for _ in range(int(seconds / 0.05)):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds} s")


async def test_a_worker_process_shows_its_jobs_and_logs_the_request_id(
    api: httpx.AsyncClient, scaled: Settings
) -> None:
    # given a worker process writing JSON lines, its metrics on a port of its own
    world = await make_certificates_world()
    port = free_port()
    worker: subprocess.Popen[bytes] = start_worker(
        scaled, PORTAL_LOG_FORMAT="json", PORTAL_WORKER_METRICS_PORT=str(port)
    )
    try:
        # when the API queues a file for a request with an id
        response = await api.post(
            "/graphql",
            json={"query": REQUEST, "variables": _variables(world)},
            headers={"Authorization": f"Bearer {token_for(world.admin)}", "X-Request-ID": REQUEST_ID},
        )
        assert response.json()["data"]["certificateFileRequest"]["errors"] == []

        async def ready() -> CertificateFileJob | None:
            assert worker.poll() is None, (scaled.data_dir / "worker.log").read_text()
            return await CertificateFileJob.get_or_none(status=FileJobStatus.READY)

        job = await _until(ready, "the file")
        queue = {"queue_name": f"{scaled.namespace}.certificate-files"}
        figures: list[tuple[str, dict[str, str]]] = [
            ("dramatiq_messages_total", {"actor_name": "build_certificate_file", **queue}),
            ("dramatiq_messages_total", {"actor_name": "build_certificate_file_part", **queue}),
            ("portal_job_duration_seconds_count", {"actor": "build_certificate_file"}),
            ("portal_job_duration_seconds_count", {"actor": "build_certificate_file_part"}),
        ]

        async def scraped() -> Samples | None:
            async with httpx.AsyncClient() as http:
                try:
                    samples = _samples((await http.get(f"http://127.0.0.1:{port}/metrics")).text)
                except httpx.TransportError:  # its metrics server is still starting
                    return None
            # each figure is counted on its own, after the message: wait for all of them
            counted = [
                _value(samples, "portal_jobs_total", actor="build_certificate_file_part", status="succeeded"),
                *(_value(samples, name, **labels) for name, labels in figures),
            ]
            return samples if all(counted) else None

        samples = await _until(scraped, "the worker's metrics")
    finally:
        stop(worker)

    # then Dramatiq's metrics and ours count the two messages, once each
    assert [_value(samples, name, **labels) for name, labels in figures] == [1.0, 1.0, 1.0, 1.0]
    # and the worker's lines carry the id of the HTTP request that queued the work
    [chunk] = await CertificateFileChunk.filter(job_id=job.id)
    lines = [
        json.loads(line)
        for line in (scaled.data_dir / "worker.log").read_text().splitlines()
        if line[:1] == "{"
    ]
    assert [
        (line["actor"], line["ids"], line["outcome"], line["request_id"])
        for line in lines
        if line["logger"] == "workers.jobs"
    ] == [
        ("build_certificate_file", [job.id], "succeeded", REQUEST_ID),
        ("build_certificate_file_part", [chunk.id], "succeeded", REQUEST_ID),
    ]


@pytest.mark.skipif(not BROKER_URL, reason="several API processes need the services engines")
async def test_api_processes_add_up_their_counts(scaled: Settings) -> None:
    # given `portal serve --workers 2`
    port = free_port()
    server = start_api(scaled, port, workers=2)
    try:
        # when requests land on either process
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(8):
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}"
                ) as fresh:  # a new connection
                    await fresh.post("/graphql", json={"query": "query Anyone { __typename }"})
            samples = _samples((await http.get("/metrics")).text)
    finally:
        stop(server)

    # then one scrape counts them all, whichever process answers it
    assert [
        _value(samples, "portal_http_requests_total", method="POST", route="/graphql", status="200"),
        _value(samples, "portal_graphql_operations_total", operation="Anyone", type="query", outcome="ok"),
    ] == [8.0, 8.0]
