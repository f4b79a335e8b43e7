"""What operators see of a running server: /metrics after a combined file is made, and the JSON log
lines of a request and of the jobs it caused, all under one request id."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.relay import to_base64

from service.app import create_app
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.graphql.core.context import Context
from service.graphql.schema import schema
from service.graphql.users.types import User
from service.observability.logs import JsonFormatter, RequestIdFilter
from service.observability.metrics import LiveFigures, Metrics
from service.settings import Settings
from service.web.observability import RequestObservability
from service.web.ratelimit import MemoryRateLimiter
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.factories import make_staff
from tests.support.graphql_client import token_for
from tests.support.live_server import serving, subscriber
from tests.support.smtp_server import free_port

pytestmark = pytest.mark.jobs

REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id status } errors { code } }
}
"""
LAST_FILE = """
query Last($id: ID!) { recognition(id: $id) { lastCertificateFile { file { downloadUrl } } } }
"""
ACTIVITY = "subscription Activity { recognitionActivity { recognition { name } } }"
REQUEST_ID = "support-ticket-4711"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
async def server(settings: Settings, clock: MovableClock) -> AsyncIterator[str]:
    async with serving(create_app(settings, clock=clock)) as url:
        yield url


@pytest.fixture
async def world(server: str) -> CertificatesWorld:
    return await make_certificates_world()


@pytest.fixture
def json_log() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The lines the service writes with PORTAL_LOG_FORMAT=json, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def _scrape_until(
    http: httpx.AsyncClient, holds: Callable[[Samples], bool], seconds: float = 30
) -> Samples:
    """/metrics once the condition holds (the job's thread counts it just after the file is READY)."""
    for _ in range(int(seconds / 0.05)):
        samples = _samples((await http.get("/metrics")).text)
        if holds(samples):
            return samples
        await asyncio.sleep(0.05)
    raise AssertionError("the metrics never showed it")


async def _request_file(http: httpx.AsyncClient, world: CertificatesWorld, request_id: str) -> httpx.Response:
    names = ["Ana Completer", "Jo Micro"]  # one chunk: one start message, one part message
    ids = [to_base64("Enrollment", world.enrollments[name].id) for name in names]
    response = await http.post(
        "/graphql",
        headers={"Authorization": f"Bearer {token_for(world.admin)}", "X-Request-ID": request_id},
        json={
            "query": REQUEST,
            "variables": {"input": {"recognitionId": world.recognition_id, "enrollmentIds": ids}},
        },
    )
    assert response.json()["data"]["certificateFileRequest"]["errors"] == []
    return response


async def _until_ready() -> CertificateFileJob:
    for _ in range(1200):
        job = await CertificateFileJob.first()
        if job is not None and job.status is FileJobStatus.READY:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("the file was not made")


async def test_metrics_after_a_combined_file(server: str, world: CertificatesWorld) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        # given: a combined file made, downloaded, and a document that is not valid
        await _request_file(http, world, REQUEST_ID)
        await _until_ready()
        last = await http.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token_for(world.admin)}"},
            json={"query": LAST_FILE, "variables": {"id": world.recognition_id}},
        )
        url = last.json()["data"]["recognition"]["lastCertificateFile"]["file"]["downloadUrl"]
        download = await http.get(url.removeprefix("http://127.0.0.1:8000"))
        refused = await http.post("/graphql", json={"query": "{ nope }"})

        # when
        samples = await _scrape_until(
            http,
            lambda s: bool(
                _value(s, "portal_job_duration_seconds_count", actor="build_certificate_file_part")
            ),
        )

    # then: each job's duration, counted once; requests by route template, operations by name
    assert (download.status_code, refused.status_code) == (200, 200)
    assert [
        _value(samples, "portal_job_duration_seconds_count", actor="build_certificate_file"),
        _value(samples, "portal_job_duration_seconds_count", actor="build_certificate_file_part"),
        _value(samples, "portal_jobs_total", actor="build_certificate_file", status="succeeded"),
        _value(samples, "portal_jobs_total", actor="build_certificate_file_part", status="succeeded"),
    ] == [1.0, 1.0, 1.0, 1.0]
    assert [
        _value(samples, "portal_http_requests_total", method="POST", route="/graphql", status="200"),
        _value(
            samples,
            "portal_http_requests_total",
            method="GET",
            route="/files/certificate-files/{job_id:int}.pdf",
            status="200",
        ),
        _value(
            samples, "portal_graphql_operations_total", operation="Request", type="mutation", outcome="ok"
        ),
        _value(samples, "portal_graphql_operations_total", operation="Last", type="query", outcome="ok"),
        _value(
            samples,
            "portal_graphql_operations_total",
            operation="anonymous",
            type="unknown",
            outcome="refused",
        ),
        _value(
            samples, "portal_graphql_operation_duration_seconds_count", operation="Request", type="mutation"
        ),
    ] == [3.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert [
        _value(samples, "portal_queue_depth", queue=queue) for queue in ("mail", "certificate-files", "lms")
    ] == [0.0, 0.0, 0.0]
    assert _value(samples, "portal_mail_outbox_pending") == 1.0  # the "ready" mail (no SMTP server)
    assert _value(samples, "portal_graphql_subscriptions_active") == 0.0


async def test_a_request_id_follows_the_request_into_its_jobs(
    server: str, world: CertificatesWorld, json_log: Callable[[], list[dict[str, Any]]]
) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        # when
        response = await _request_file(http, world, REQUEST_ID)
        job = await _until_ready()
        for _ in range(600):  # the part's line is written just after the file is READY
            if any(line.get("actor") == "build_certificate_file_part" for line in json_log()):
                break
            await asyncio.sleep(0.05)

    # then: the id comes back, and is on the request's line and on each job's line
    [chunk] = await CertificateFileChunk.filter(job_id=job.id)
    assert response.headers["x-request-id"] == REQUEST_ID
    lines = json_log()
    [request_line] = [line for line in lines if line["logger"] == "service.requests"]
    assert {key: request_line[key] for key in ("request_id", "method", "route", "status", "operation")} == {
        "request_id": REQUEST_ID,
        "method": "POST",
        "route": "/graphql",
        "status": 200,
        "operation": "Request",
    }
    assert isinstance(request_line["duration_ms"], float)
    job_lines = [line for line in lines if line["logger"] == "workers.jobs"]
    assert [(line["actor"], line["ids"], line["outcome"], line["request_id"]) for line in job_lines] == [
        ("build_certificate_file", [job.id], "succeeded", REQUEST_ID),
        ("build_certificate_file_part", [chunk.id], "succeeded", REQUEST_ID),
    ]


@pytest.mark.parametrize("sent", ["has spaces", "x" * 65, ""])
async def test_an_unusable_request_id_is_replaced(
    server: str, world: CertificatesWorld, sent: str, json_log: Callable[[], list[dict[str, Any]]]
) -> None:
    # when
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.get("/healthz", headers={"X-Request-ID": sent})

    # then: a fresh id, the same in the answer and in the log
    given = response.headers["x-request-id"]
    assert (len(given), given == sent) == (32, False)
    assert [line["request_id"] for line in json_log() if line["logger"] == "service.requests"] == [given]


async def test_the_masked_error_carries_the_request_id(
    server: str, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a fault nobody expected
    def broken(*_: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(User, "from_model", broken)

    # when
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token_for(world.admin)}", "X-Request-ID": REQUEST_ID},
            json={"query": "{ viewer { email } }"},
        )

    # then
    [error] = response.json()["errors"]
    assert (error["message"], error["extensions"]) == (
        "Unexpected error.",
        {"code": "INTERNAL", "requestId": REQUEST_ID},
    )


async def test_active_subscriptions_are_counted(server: str, world: CertificatesWorld) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        # when: a dashboard subscribes
        async with subscriber(server, token_for(world.admin)) as dashboard:
            await dashboard.subscribe("1", ACTIVITY)
            during = await _scrape_until(
                http, lambda s: _value(s, "portal_graphql_subscriptions_active") == 1.0
            )
        # then: it counts while it runs, and no longer once the socket is closed
        after = await _scrape_until(http, lambda s: _value(s, "portal_graphql_subscriptions_active") == 0.0)
    assert _value(during, "portal_graphql_subscriptions_active") == 1.0
    assert (
        _value(
            after, "portal_graphql_operations_total", operation="Activity", type="subscription", outcome="ok"
        )
        == 1.0
    )


async def test_metrics_behind_a_token(settings: Settings, clock: MovableClock) -> None:
    # given
    configured = settings.model_copy(update={"metrics_token": "scraper-token"})
    async with serving(create_app(configured, clock=clock)) as url, httpx.AsyncClient(base_url=url) as http:
        # when
        anonymous = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer another"})
        scraper = await http.get("/metrics", headers={"Authorization": "Bearer scraper-token"})

    # then
    assert [anonymous.status_code, wrong.status_code, scraper.status_code] == [401, 401, 200]
    assert "portal_http_requests_total" in scraper.text


async def test_queue_depth_counts_the_messages_waiting(settings: Settings, clock: MovableClock) -> None:
    # given: nothing works the queue (no worker threads, no worker process)
    configured = settings.model_copy(update={"worker_threads": 0})
    async with serving(create_app(configured, clock=clock)) as url, httpx.AsyncClient(base_url=url) as http:
        world = await make_certificates_world()

        # when a file is requested
        await _request_file(http, world, REQUEST_ID)
        samples = _samples((await http.get("/metrics")).text)

    # then its start message waits in its queue
    assert [
        _value(samples, "portal_queue_depth", queue=queue) for queue in ("mail", "certificate-files", "lms")
    ] == [0.0, 1.0, 0.0]


async def test_the_schema_runs_outside_the_app_too(app: Any, settings: Settings, clock: MovableClock) -> None:
    # given a request the app never saw, as a script or a benchmark makes one
    staff = await make_staff()
    context = Context(
        request=Request({"type": "http", "method": "POST", "headers": [], "client": ("127.0.0.1", 1)}),
        settings=settings,
        authorization=f"Bearer {token_for(staff)}",
        request_id="script",
        clock=clock,
        verify_limiter=MemoryRateLimiter(limit=1),
    )

    # when
    result = await schema.execute("{ viewer { email } }", context_value=context)

    # then: answered, with no app to count it in
    assert (result.errors, result.data) == (None, {"viewer": {"email": staff.email}})


async def test_an_unreachable_broker_costs_the_scrape_only_its_queue_depths(
    settings: Settings, clock: MovableClock
) -> None:
    # given an app whose Redis broker does not answer (nothing listens on the port)
    closed = settings.model_copy(
        update={"broker_url": f"redis://127.0.0.1:{free_port()}/0", "worker_threads": 0}
    )
    application = create_app(closed, clock=clock)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://portal.test"
        ) as http,
    ):
        # when
        response = await http.get("/metrics")

    # then
    samples = _samples(response.text)
    assert response.status_code == 200
    assert [key for key in samples if key[0] == "portal_queue_depth"] == []
    assert _value(samples, "portal_mail_outbox_pending") == 0.0


async def test_an_unexpected_error_answers_500_with_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    # given an app whose route fails unexpectedly
    async def broken(_: Request) -> Response:
        raise RuntimeError("the disk is gone")

    metrics = Metrics()
    application = Starlette(
        routes=[Route("/broken", broken)], middleware=[Middleware(RequestObservability, metrics=metrics)]
    )
    transport = httpx.ASGITransport(app=application)

    # when
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        response = await http.get("/broken", headers={"X-Request-ID": "trace-42"})

    # then
    assert (response.status_code, response.headers["x-request-id"], response.text) == (
        500,
        "trace-42",
        "Unexpected error (request trace-42).",
    )
    assert "RuntimeError: the disk is gone" in caplog.text
    samples = _samples(metrics.exposition(LiveFigures()).decode())
    assert _value(samples, "portal_http_requests_total", method="GET", route="/broken", status="500") == 1.0
