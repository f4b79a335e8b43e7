"""Combined certificate files: the job's life in the embedded mode, repeats, failures and restarts."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_string, policy
from typing import Any

import httpx
import pypdf
import pytest
from starlette.applications import Starlette
from strawberry.relay import to_base64

from service import job_queue
from service.app import create_app
from service.certificate_files import services as files
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificates.models import Certificate
from service.job_queue import Job
from service.mail.compose import MailConfig
from service.mail.models import OutboxMessage
from service.settings import Settings
from service.users.actor import Actor
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.engines import BROKER_URL
from tests.support.graphql_client import GraphQLClient, token_for
from workers.embedded import hand_over_waiting_work

pytestmark = pytest.mark.jobs

REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id status total } errors { field code message } }
}
"""
REGENERATE = """
mutation Regenerate($input: CertificateFileRegenerateInput!) {
  certificateFileRegenerate(input: $input) {
    job { id status total enrollmentIds } errors { field code message }
  }
}
"""
LAST_FILE = """
query Last($id: ID!) {
  recognition(id: $id) {
    lastCertificateFile { id status done total file { pageCount size sha256 downloadUrl } }
    certificateFiles { id status }
  }
}
"""
LEASE = timedelta(minutes=1)
CONFIG = MailConfig(sender="recognition@example.org", public_url="http://127.0.0.1:8000")


@pytest.fixture
async def world() -> CertificatesWorld:
    world = await make_certificates_world()
    for number in range(30):  # enough for two chunks
        name = f"Zoe {number:02d}"
        world.enrollments[name] = await enroll(
            world.partner, world.online_cohort, name, completed=True, certified=True
        )
    return world


def _ids(world: CertificatesWorld, names: list[str]) -> list[str]:
    return [to_base64("Enrollment", world.enrollments[name].id) for name in names]


async def _request(
    gql: GraphQLClient, world: CertificatesWorld, names: list[str], user: Any = None
) -> dict[str, Any]:
    body = await gql.post(
        REQUEST,
        {"input": {"recognitionId": world.recognition_id, "enrollmentIds": _ids(world, names)}},
        token=token_for(user or world.admin),
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["certificateFileRequest"]
    return result


async def _until_finished(job_id: int, seconds: float = 60) -> CertificateFileJob:
    for _ in range(int(seconds / 0.05)):
        job = await CertificateFileJob.get(id=job_id)
        if job.status in (FileJobStatus.READY, FileJobStatus.FAILED):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("the job did not finish in time")


def _key(global_id: str) -> int:
    import base64

    return int(base64.b64decode(global_id).decode().split(":")[1])


SELECTION = ["Jo Micro", *[f"Zoe {n:02d}" for n in range(29, -1, -1)], "Ana Completer"]


async def test_a_file_of_the_selection_in_its_order(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # when
    result = await _request(gql, world, SELECTION)
    assert (result["errors"], result["job"]["total"]) == ([], 32)
    job = await _until_finished(_key(result["job"]["id"]))

    # then: one page per course-taker, in the page's order, each with its own issued code
    assert (job.status, job.done, job.total, job.page_count) == (FileJobStatus.READY, 32, 32, 32)
    data = await gql.data(LAST_FILE, {"id": world.recognition_id}, as_user=world.admin)
    last = data["recognition"]["lastCertificateFile"]
    assert (last["status"], last["done"], last["file"]["pageCount"]) == ("READY", 32, 32)
    pdf = await http.get(last["file"]["downloadUrl"].removeprefix("http://127.0.0.1:8000"))
    assert (pdf.status_code, pdf.headers["content-type"], len(pdf.content)) == (
        200,
        "application/pdf",
        job.file_size,
    )
    pages = [page.extract_text().splitlines() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages]
    certificates = {c.enrollment_id: c.code for c in await Certificate.all()}
    assert [
        (name in lines, f"Verification code: {certificates[world.enrollments[name].id]}" in lines)
        for name, lines in zip(SELECTION, pages, strict=True)
    ] == [(True, True)] * 32
    # and one "ready" mail with a link back to the recognition, not to the file
    [ready] = await OutboxMessage.filter(key=f"certificate-file-ready:{job.id}")
    assert ready.subject == "Your certificates file is ready: Autumn ceremony"
    text = message_from_string(ready.message, policy=policy.default).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"http://127.0.0.1:8000/recognitions/{world.recognition.id}/certificates" in text
    assert "/files/" not in text


async def test_codes_in_the_file_match_the_single_downloads(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings
) -> None:
    issue = """mutation($input: CertificateIssueInput!) {
        certificateIssue(input: $input) { certificate { code } } }"""
    single = await gql.post(
        issue,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": _ids(world, ["Ana Completer"])[0]}},
        token=token_for(world.admin),
    )
    code = single["data"]["certificateIssue"]["certificate"]["code"]

    result = await _request(gql, world, ["Ana Completer", "Dov Closed-Completer"])
    job = await _until_finished(_key(result["job"]["id"]))

    first_page = pypdf.PdfReader(files.file_path(settings.resolved_files_dir, job)).pages[0]
    assert f"Verification code: {code}" in first_page.extract_text().splitlines()
    assert await Certificate.filter(enrollment_id=world.enrollments["Ana Completer"].id).count() == 1


@pytest.mark.parametrize(
    ("names", "errors"),
    [
        ([], [(["enrollmentIds"], "EMPTY_SELECTION")]),
        (["Ana Completer", "Bea Uncertified"], [(["enrollmentIds", "1"], "NOT_A_CANDIDATE")]),
    ],
)
async def test_a_bad_selection_is_refused_and_nothing_queued(
    gql: GraphQLClient, world: CertificatesWorld, names: list[str], errors: list[tuple[list[str], str]]
) -> None:
    result = await _request(gql, world, names)

    assert result["job"] is None
    assert [(error["field"], error["code"]) for error in result["errors"]] == errors
    assert await CertificateFileJob.all().count() == 0


def _actor(world: CertificatesWorld) -> Actor:
    return Actor(user_id=world.admin.id, role=world.admin.role, partner_id=world.partner.id)


@pytest.fixture
def no_queue() -> AsyncIterator[None]:
    """Jobs are recorded but not handed to the worker, so the test runs them itself."""
    job_queue.set_adapter(None)
    yield None


async def test_the_same_selection_queued_or_running_is_one_job(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock
) -> None:
    ids = [world.enrollments[name].id for name in ["Ana Completer", "Gus Online-Completer"]]

    first = await files.request_file(
        actor=_actor(world), recognition_id=world.recognition.id, enrollment_ids=ids, now=clock.now()
    )
    again = await files.request_file(
        actor=_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=[*ids, ids[0]],
        now=clock.now(),
    )
    other_order = await files.request_file(
        actor=_actor(world), recognition_id=world.recognition.id, enrollment_ids=ids[::-1], now=clock.now()
    )

    assert again.id == first.id
    assert other_order.id != first.id
    assert await CertificateFileJob.all().count() == 2


async def _part(chunk_id: int, settings: Settings, clock: MovableClock) -> CertificateFileJob | None:
    """What a worker does with one `build_certificate_file_part` message."""
    return await files.build_part(chunk_id=chunk_id, clock=clock.now, work=_work(settings))


async def _start(job_id: int, settings: Settings, clock: MovableClock) -> CertificateFileJob | None:
    """What a worker does with one `build_certificate_file` message (also the sweep's)."""
    return await files.start_file(job_id=job_id, clock=clock.now, work=_work(settings))


def _work(settings: Settings) -> files.FileWork:
    return files.FileWork(
        files_dir=settings.resolved_files_dir,
        public_url="http://127.0.0.1:8000",
        mail_config=CONFIG,
        lease=LEASE,
    )


async def _chunk_ids(job_id: int) -> list[int]:
    return await CertificateFileChunk.filter(job_id=job_id).order_by("position").values_list("id", flat=True)


async def _queued_thirty(world: CertificatesWorld, clock: MovableClock) -> CertificateFileJob:
    """A job of 30 certificates: two chunks, of 25 and 5."""
    return await files.request_file(
        actor=_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=[world.enrollments[f"Zoe {n:02d}"].id for n in range(30)],
        now=clock.now(),
    )


def _file_names(settings: Settings) -> list[str]:
    return sorted(path.name for path in (settings.resolved_files_dir / "certificate-files").iterdir())


async def test_the_start_message_hands_each_chunk_to_the_queue(
    app: Starlette, world: CertificatesWorld, clock: MovableClock, settings: Settings
) -> None:
    handed: list[tuple[Job, int]] = []
    job_queue.set_adapter(lambda job, record_id, delay: handed.append((job, record_id)))
    job = await _queued_thirty(world, clock)
    chunks = await CertificateFileChunk.filter(job_id=job.id).order_by("position")

    await _start(job.id, settings, clock)

    assert [(c.position, c.start, c.size) for c in chunks] == [(0, 0, 25), (1, 25, 5)]
    assert handed == [
        (Job.BUILD_CERTIFICATE_FILE, job.id),
        *[(Job.BUILD_CERTIFICATE_FILE_PART, chunk.id) for chunk in chunks],
    ]


async def test_parts_made_in_any_order_are_joined_in_the_selections_order(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock, settings: Settings
) -> None:
    job = await _queued_thirty(world, clock)
    first, second = await _chunk_ids(job.id)

    after_second = await _part(second, settings, clock)
    halfway = await CertificateFileJob.get(id=job.id)
    finished = await _part(first, settings, clock)

    assert after_second is None
    assert (halfway.status, halfway.chunks_done, halfway.done) == (FileJobStatus.RUNNING, 1, 5)
    assert finished is not None
    assert (finished.status, finished.done, finished.page_count) == (FileJobStatus.READY, 30, 30)
    pages = pypdf.PdfReader(files.file_path(settings.resolved_files_dir, finished)).pages
    assert [page.extract_text().splitlines()[3] for page in pages] == [f"Zoe {n:02d}" for n in range(30)]


async def test_two_workers_finishing_at_once_join_once(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock, settings: Settings
) -> None:
    job = await _queued_thirty(world, clock)

    results = await asyncio.gather(
        *[_part(chunk_id, settings, clock) for chunk_id in await _chunk_ids(job.id)]
    )

    finished = await CertificateFileJob.get(id=job.id)
    assert [result.status if result else None for result in results].count(FileJobStatus.READY) == 1
    assert (finished.status, finished.chunks_done, finished.done, finished.page_count) == (
        FileJobStatus.READY,
        2,
        30,
        30,
    )
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1
    assert _file_names(settings) == [finished.file_name]


async def test_redelivered_messages_make_one_file_and_one_mail(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock, settings: Settings
) -> None:
    job = await _queued_thirty(world, clock)
    chunk_ids = await _chunk_ids(job.id)
    for chunk_id in chunk_ids:
        await _part(chunk_id, settings, clock)

    again = [await _part(chunk_id, settings, clock) for chunk_id in chunk_ids]
    restarted = await _start(job.id, settings, clock)

    finished = await CertificateFileJob.get(id=job.id)
    assert (again, restarted) == ([None, None], None)
    assert (finished.status, finished.done, finished.page_count, finished.attempts) == (
        FileJobStatus.READY,
        30,
        30,
        1,
    )
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1
    assert _file_names(settings) == [finished.file_name]


async def test_a_chunk_whose_worker_died_is_made_again_after_its_lease(
    app: Starlette, world: CertificatesWorld, clock: MovableClock, settings: Settings
) -> None:
    handed: list[tuple[Job, int, timedelta | None]] = []
    job_queue.set_adapter(lambda job, record_id, delay: handed.append((job, record_id, delay)))
    job = await _queued_thirty(world, clock)
    first, second = await _chunk_ids(job.id)
    await _part(first, settings, clock)
    # given a worker that took the second chunk and was killed (its lease still runs)
    await CertificateFileChunk.filter(id=second).update(claimed_until=clock.now() + LEASE)
    handed.clear()

    # when its message is delivered again, to another worker
    redelivered = await _part(second, settings, clock)

    # then that worker leaves the chunk alone, but looks again when the lease has run out
    stopped = await CertificateFileJob.get(id=job.id)
    assert redelivered is None
    assert (stopped.status, stopped.chunks_done, stopped.done) == (FileJobStatus.RUNNING, 1, 25)
    assert handed == [(Job.BUILD_CERTIFICATE_FILE_PART, second, LEASE + timedelta(seconds=1))]
    clock.move(LEASE + timedelta(seconds=1))
    await _part(second, settings, clock)
    finished = await CertificateFileJob.get(id=job.id)
    assert (finished.status, finished.done, finished.page_count, finished.attempts) == (
        FileJobStatus.READY,
        30,
        30,
        1,
    )
    assert await Certificate.all().count() == 30
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1


async def _until(holds: Callable[[datetime | None], bool], chunk_id: int) -> None:
    """Wait (10 s at most) until the chunk's lease is as ``holds`` wants."""
    for _ in range(1000):
        if holds((await CertificateFileChunk.get(id=chunk_id)).claimed_until):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the lease never got there")


async def test_a_worker_keeps_its_lease_while_a_long_chunk_runs(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock, settings: Settings
) -> None:
    job = await _queued_thirty(world, clock)
    first, _ = await _chunk_ids(job.id)
    short = replace(_work(settings), lease=timedelta(seconds=0.3))
    original, going_on = files.render_certificates, threading.Event()

    def long_drawing(texts: Any) -> bytes:
        going_on.wait(timeout=30)
        return original(texts)

    files.render_certificates = long_drawing  # type: ignore[assignment]
    try:
        working = asyncio.create_task(files.build_part(chunk_id=first, clock=clock.now, work=short))
        # given the chunk's work outlasting its first lease
        await _until(lambda lease: lease is not None, first)
        clock.move(timedelta(minutes=1))
        # when the worker renews its lease (every third of it) and another worker looks at the chunk
        await _until(lambda lease: lease is not None and lease > clock.now(), first)
        other = await files.build_part(chunk_id=first, clock=clock.now, work=short)
    finally:
        going_on.set()
        files.render_certificates = original  # type: ignore[assignment]
    await working

    # then the other worker left it alone, and the chunk was made once
    chunk = await CertificateFileChunk.get(id=first)
    assert other is None
    assert (chunk.attempts, chunk.done_at is not None, chunk.claimed_until) == (1, True, None)


async def test_a_chunk_that_failed_is_retried_and_counted_once(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock, settings: Settings
) -> None:
    job = await _queued_thirty(world, clock)
    first, second = await _chunk_ids(job.id)
    original = files.render_certificates

    def fails(texts: Any) -> bytes:
        raise MemoryError("killed")

    files.render_certificates = fails  # type: ignore[assignment]
    try:
        with pytest.raises(MemoryError):
            await _part(second, settings, clock)
    finally:
        files.render_certificates = original  # type: ignore[assignment]
    await _part(second, settings, clock)  # the retry: the lease was let go
    await _part(first, settings, clock)

    finished = await CertificateFileJob.get(id=job.id)
    assert (finished.status, finished.done, finished.page_count, finished.attempts) == (
        FileJobStatus.READY,
        30,
        30,
        2,
    )


async def test_a_join_whose_worker_died_is_finished_by_the_sweep(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock, settings: Settings
) -> None:
    job = await _queued_thirty(world, clock)
    first, second = await _chunk_ids(job.id)
    await _part(first, settings, clock)
    # given the worker of the last chunk killed while joining (its join lease still runs)
    await CertificateFileJob.filter(id=job.id).update(claimed_until=clock.now() + LEASE)
    assert await _part(second, settings, clock) is None
    assert await files.stalled_job_ids(now=clock.now()) == []

    # when nothing has moved for a while, the sweep hands the job over again
    clock.move(files.STALL + timedelta(seconds=1))
    stalled = await files.stalled_job_ids(now=clock.now())
    finished = await _start(job.id, settings, clock)

    # then
    assert stalled == [job.id]
    assert finished is not None
    assert (finished.status, finished.done, finished.page_count) == (FileJobStatus.READY, 30, 30)
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1


async def test_regenerate_makes_a_fresh_file_of_the_last_selection(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    none_yet = await gql.post(
        REGENERATE, {"input": {"recognitionId": world.recognition_id}}, token=token_for(world.admin)
    )
    first = await _request(gql, world, ["Gus Online-Completer", "Ana Completer"])
    await _until_finished(_key(first["job"]["id"]))

    again = await gql.post(
        REGENERATE, {"input": {"recognitionId": world.recognition_id}}, token=token_for(world.admin)
    )
    job = again["data"]["certificateFileRegenerate"]["job"]
    await _until_finished(_key(job["id"]))

    assert none_yet["data"]["certificateFileRegenerate"]["errors"] == [
        {
            "field": ["recognitionId"],
            "code": "NO_PREVIOUS_FILE",
            "message": "This recognition has no certificates file yet.",
        }
    ]
    assert job["id"] != first["job"]["id"]
    assert job["enrollmentIds"] == _ids(world, ["Gus Online-Completer", "Ana Completer"])
    data = await gql.data(LAST_FILE, {"id": world.recognition_id}, as_user=world.admin)
    assert data["recognition"]["lastCertificateFile"]["id"] == job["id"]
    assert [entry["status"] for entry in data["recognition"]["certificateFiles"]] == ["READY", "READY"]


async def test_another_partner_sees_no_job(gql: GraphQLClient, world: CertificatesWorld) -> None:
    result = await _request(gql, world, ["Ana Completer"])
    other = await _request(gql, world, ["Ana Completer"], user=world.other_admin)

    node = await gql.post(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": result["job"]["id"]},
        token=token_for(world.other_admin),
    )

    assert node == {"data": {"node": None}}
    assert [(e["field"], e["code"]) for e in other["errors"]] == [(["id"], "NOT_FOUND")]


@pytest.fixture(params=["render_certificates", "merge_pdfs"])
async def failing_gql(
    settings: Settings, clock: MovableClock, request: pytest.FixtureRequest
) -> AsyncIterator[GraphQLClient]:
    """The app with quick retries, and a step that always fails (a broken disk, say): drawing a
    chunk's part, or joining the parts."""
    configured = settings.model_copy(
        update={"job_max_retries": 2, "job_min_backoff_ms": 20, "job_max_backoff_ms": 50}
    )
    original = getattr(files, request.param)

    def broken(*_: Any) -> Any:
        raise OSError("disk full")

    setattr(files, request.param, broken)
    application = create_app(configured, clock=clock)
    try:
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
                yield GraphQLClient(http)
    finally:
        setattr(files, request.param, original)


async def test_a_job_that_keeps_failing_ends_failed_with_a_mail(
    failing_gql: GraphQLClient, world: CertificatesWorld
) -> None:
    result = await _request(failing_gql, world, ["Ana Completer"])

    job = await _until_finished(_key(result["job"]["id"]))

    assert (job.status, job.attempts) == (FileJobStatus.FAILED, 3)
    assert job.error_message is not None and job.error_message.startswith("Something went wrong on our side")
    [letter] = await OutboxMessage.filter(key=f"certificate-file-failed:{job.id}")
    assert letter.subject == "Your certificates file could not be made: Autumn ceremony"


@pytest.mark.skipif(
    bool(BROKER_URL),
    reason="the embedded mode's start-up; a real broker keeps its messages (test_worker_processes)",
)
async def test_jobs_left_unfinished_are_finished_when_the_app_starts_again(
    settings: Settings, clock: MovableClock
) -> None:
    # given a job a killed process left RUNNING (lease long gone), recorded with no app running
    first = create_app(settings, clock=clock)
    async with first.router.lifespan_context(first):
        world = await make_certificates_world()
        job_queue.set_adapter(None)
        job = await files.request_file(
            actor=_actor(world),
            recognition_id=world.recognition.id,
            now=clock.now(),
            enrollment_ids=[
                world.enrollments["Ana Completer"].id,
                world.enrollments["Dov Closed-Completer"].id,
            ],
        )
        # its first chunk taken by a worker that was killed with the process (the lease still runs)
        await CertificateFileJob.filter(id=job.id).update(status=FileJobStatus.RUNNING)
        await CertificateFileChunk.filter(job_id=job.id).update(claimed_until=clock.now() + LEASE)

    # when the app starts again
    second = create_app(settings, clock=clock)
    async with second.router.lifespan_context(second):
        finished = await _until_finished(job.id)

    # then
    assert (finished.status, finished.page_count) == (FileJobStatus.READY, 2)


async def test_a_file_requested_while_the_broker_is_unreachable_is_queued_later(
    settings: Settings, clock: MovableClock
) -> None:
    # given the API with a Redis broker that does not answer (nothing listens on port 1)
    unreachable = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    application = create_app(unreachable, clock=clock)
    async with application.router.lifespan_context(application):
        world = await make_certificates_world()
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
            # when a file is requested
            result = await _request(GraphQLClient(http), world, ["Ana Completer"])
        # then the request is answered, and the job is recorded for the sweep to hand over
        job = await CertificateFileJob.get(id=_key(result["job"]["id"]))
        # and once the queue answers, the next sweep hands the job over
        handed: list[tuple[Job, int]] = []
        job_queue.set_adapter(lambda job, record_id, delay: handed.append((job, record_id)))
        clock.move(timedelta(seconds=1))
        await hand_over_waiting_work(unreachable, now=clock.now())

    assert (result["errors"], result["job"]["status"]) == ([], "QUEUED")
    assert (job.status, job.handover_after) == (FileJobStatus.QUEUED, job.created_at)
    assert handed == [(Job.BUILD_CERTIFICATE_FILE, job.id)]


async def test_a_certificate_issued_for_a_file_gets_its_own_pdf_on_first_download(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings
) -> None:
    result = await _request(gql, world, ["Ana Completer", "Gus Online-Completer"])
    job = await _until_finished(_key(result["job"]["id"]))
    query = """query($id: ID!) { node(id: $id) { ... on Certificate { code fileSize downloadUrl } } }"""
    certificate = await Certificate.get(enrollment_id=world.enrollments["Ana Completer"].id)
    node_id = to_base64("Certificate", certificate.id)

    before = (await gql.data(query, {"id": node_id}, as_user=world.admin))["node"]
    pdf = await http.get(before["downloadUrl"].removeprefix("http://127.0.0.1:8000"))
    after = (await gql.data(query, {"id": node_id}, as_user=world.admin))["node"]

    # The combined file drew its pages; the certificate's own PDF is made when first asked for.
    assert (job.status, certificate.file_sha256, before["fileSize"]) == (FileJobStatus.READY, None, None)
    assert (pdf.status_code, after["fileSize"]) == (200, len(pdf.content))
    [page] = pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    combined = pypdf.PdfReader(files.file_path(settings.resolved_files_dir, job)).pages[0]
    assert page.extract_text() == combined.extract_text()
    assert f"Verification code: {certificate.code}" in page.extract_text().splitlines()
