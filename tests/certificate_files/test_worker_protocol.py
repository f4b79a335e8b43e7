"""The workers' side of combined files: chunks handed out, parts made in any order and joined once,
leases that outlast long work and run out after a dead worker, retries, failures, and restarts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any, cast

import httpx
import pypdf
import pytest
from starlette.applications import Starlette

from service import job_queue
from service.app import create_app
from service.certificate_files import build, joining, parts, requests
from service.certificate_files.leases import STALL, stalled_job_ids
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.paths import file_path
from service.certificate_files.requests import request_file as request_file_service
from service.certificates.models import Certificate
from service.job_queue import Job
from service.mail.compose import MailConfig
from service.mail.models import OutboxMessage
from service.pdf import render_certificates
from service.settings import Settings
from tests.certificate_files.support import until_lease
from tests.support.app_client import app_client
from tests.support.certificate_files import admin_actor, key_of, request_file, until_finished
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.engines import BROKER_URL
from tests.support.graphql_client import GraphQLClient
from workers.embedded import hand_over_waiting_work

pytestmark = pytest.mark.jobs

LEASE = timedelta(minutes=1)
CONFIG = MailConfig(sender="recognition@example.org", public_url="http://127.0.0.1:8000")


async def _part(chunk_id: int, settings: Settings, clock: MovableClock) -> CertificateFileJob | None:
    """What a worker does with one `build_certificate_file_part` message."""
    return await build.build_part(chunk_id=chunk_id, clock=clock.now, work=_work(settings))


async def _start(job_id: int, settings: Settings, clock: MovableClock) -> CertificateFileJob | None:
    """What a worker does with one `build_certificate_file` message (also the sweep's)."""
    return await build.start_file(job_id=job_id, clock=clock.now, work=_work(settings))


def _work(settings: Settings) -> build.FileWork:
    """One chunk a message: each message's work seen alone (a worker going on with the chunks nobody
    took: test_runs.py)."""
    return build.FileWork(
        files_dir=settings.resolved_files_dir,
        public_url="http://127.0.0.1:8000",
        mail_config=CONFIG,
        lease=LEASE,
        run=timedelta(0),
    )


async def _chunk_ids(job_id: int) -> list[int]:
    ids = await CertificateFileChunk.filter(job_id=job_id).order_by("position").values_list("id", flat=True)
    return cast(list[int], ids)


async def _queued_thirty(world: CertificatesWorld, clock: MovableClock) -> CertificateFileJob:
    """A job of 30 certificates: two chunks, of 25 and 5."""
    return await request_file_service(
        actor=admin_actor(world),
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
    pages = pypdf.PdfReader(file_path(settings.resolved_files_dir, finished)).pages
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


async def test_a_worker_keeps_its_lease_while_a_long_chunk_runs(
    app: Starlette,
    world: CertificatesWorld,
    no_queue: None,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = await _queued_thirty(world, clock)
    first, _ = await _chunk_ids(job.id)
    short = replace(_work(settings), lease=timedelta(seconds=0.3))
    original, going_on = render_certificates, threading.Event()

    def long_drawing(texts: Any, brandings: Any) -> bytes:
        going_on.wait(timeout=30)
        return original(texts, brandings)

    monkeypatch.setattr(parts, "render_certificates", long_drawing)
    try:
        working = asyncio.create_task(build.build_part(chunk_id=first, clock=clock.now, work=short))
        # given the chunk's work outlasting its first lease
        await until_lease(lambda lease: lease is not None, first)
        clock.move(timedelta(minutes=1))
        # when the worker renews its lease (every third of it) and another worker looks at the chunk
        await until_lease(lambda lease: lease is not None and lease > clock.now(), first)
        other = await build.build_part(chunk_id=first, clock=clock.now, work=short)
    finally:
        going_on.set()
    await working

    # then the other worker left it alone, and the chunk was made once
    chunk = await CertificateFileChunk.get(id=first)
    assert other is None
    assert (chunk.attempts, chunk.done_at is not None, chunk.claimed_until) == (1, True, None)


async def test_a_chunk_that_failed_is_retried_and_counted_once(
    app: Starlette,
    world: CertificatesWorld,
    no_queue: None,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = await _queued_thirty(world, clock)
    first, second = await _chunk_ids(job.id)

    def fails(texts: Any, brandings: Any) -> bytes:
        raise MemoryError("killed")

    with monkeypatch.context() as patched:
        patched.setattr(parts, "render_certificates", fails)
        with pytest.raises(MemoryError):
            await _part(second, settings, clock)
    await _part(second, settings, clock)  # the retry: the lease was let go
    await _part(first, settings, clock)

    finished = await CertificateFileJob.get(id=job.id)
    assert (finished.status, finished.done, finished.page_count, finished.attempts) == (
        FileJobStatus.READY,
        30,
        30,
        2,
    )


async def test_the_sweep_leaves_a_chunk_to_its_retry_until_it_is_due(
    app: Starlette,
    world: CertificatesWorld,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed: list[tuple[Job, int]] = []
    job_queue.set_adapter(lambda job, record_id, delay: handed.append((job, record_id)))
    job = await _queued_thirty(world, clock)
    first, second = await _chunk_ids(job.id)
    await _part(first, settings, clock)

    def fails(texts: Any, brandings: Any) -> bytes:
        raise MemoryError("killed")

    # given the second chunk's message failing (the queue retries it: its first wait is 5 s at most
    # twice that, and a retry may wait behind others for as long as a job may stall)
    with monkeypatch.context() as patched:
        patched.setattr(parts, "render_certificates", fails)
        with pytest.raises(MemoryError):
            await _part(second, settings, clock)
    chunk = await CertificateFileChunk.get(id=second)
    assert (chunk.attempts, chunk.claimed_until, chunk.retry_due) == (
        1,
        None,
        clock.now() + timedelta(seconds=10) + STALL,
    )
    handed.clear()

    # when the job has not moved for a while, and the sweep hands it over (before, then after, the
    # retry is due)
    clock.move(STALL + timedelta(seconds=1))
    stalled = await stalled_job_ids(now=clock.now())
    await _start(job.id, settings, clock)
    before = list(handed)
    clock.move(timedelta(seconds=10))
    await _start(job.id, settings, clock)

    # then it leaves the chunk to its retry (a message of its own would be a second chain of
    # retries), and hands it over only once the retry should have come (the queue lost it)
    assert stalled == [job.id]
    assert before == []
    assert handed == [(Job.BUILD_CERTIFICATE_FILE_PART, second)]


async def test_a_chunk_tried_as_often_as_allowed_fails_the_job_whichever_message_comes(
    app: Starlette,
    world: CertificatesWorld,
    no_queue: None,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = await _queued_thirty(world, clock)
    first, second = await _chunk_ids(job.id)
    twice = replace(_work(settings), tries=2)

    def fails(texts: Any, brandings: Any) -> bytes:
        raise MemoryError("killed")

    # given the second chunk tried twice, and failing both times
    with monkeypatch.context() as patched:
        patched.setattr(parts, "render_certificates", fails)
        for _ in range(2):
            with pytest.raises(MemoryError):
                await build.build_part(chunk_id=second, clock=clock.now, work=twice)

    # when a message for it comes again (a retry, or one more message for it)
    failed = await build.build_part(chunk_id=second, clock=clock.now, work=twice)

    # then it is not tried a third time: the job fails, with one mail; the first chunk is left alone
    chunks = await CertificateFileChunk.filter(job_id=job.id).order_by("position")
    assert failed is not None
    assert (failed.status, failed.error_message, failed.attempts) == (FileJobStatus.FAILED, build.GAVE_UP, 2)
    assert [(chunk.attempts, chunk.done_at is not None) for chunk in chunks] == [(0, False), (2, False)]
    assert await OutboxMessage.filter(key=f"certificate-file-failed:{job.id}").count() == 1
    assert await build.build_part(chunk_id=first, clock=clock.now, work=twice) is None


async def test_a_join_whose_worker_died_is_finished_by_the_sweep(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock, settings: Settings
) -> None:
    job = await _queued_thirty(world, clock)
    first, second = await _chunk_ids(job.id)
    await _part(first, settings, clock)
    # given the worker of the last chunk killed while joining (its join lease still runs)
    await CertificateFileJob.filter(id=job.id).update(claimed_until=clock.now() + LEASE)
    assert await _part(second, settings, clock) is None
    assert await stalled_job_ids(now=clock.now()) == []

    # when nothing has moved for a while, the sweep hands the job over again
    clock.move(STALL + timedelta(seconds=1))
    stalled = await stalled_job_ids(now=clock.now())
    finished = await _start(job.id, settings, clock)

    # then
    assert stalled == [job.id]
    assert finished is not None
    assert (finished.status, finished.done, finished.page_count) == (FileJobStatus.READY, 30, 30)
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1


@pytest.fixture(params=["render_certificates", "merge_pdfs"])
async def failing_gql(
    settings: Settings, clock: MovableClock, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[GraphQLClient]:
    """The app with quick retries, and a step that always fails (a broken disk, say): drawing a
    chunk's part, or joining the parts."""
    configured = settings.model_copy(
        update={"job_max_retries": 2, "job_min_backoff_ms": 20, "job_max_backoff_ms": 50}
    )

    def broken(*_: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(parts if request.param == "render_certificates" else joining, request.param, broken)
    async with app_client(configured, clock) as http:
        yield GraphQLClient(http)


async def test_a_job_that_keeps_failing_ends_failed_with_a_mail(
    failing_gql: GraphQLClient, world: CertificatesWorld, request: pytest.FixtureRequest
) -> None:
    result = await request_file(failing_gql, world, ["Ana Completer"])

    job = await until_finished(key_of(result["job"]["id"]))

    assert (job.status, job.attempts) == (FileJobStatus.FAILED, 3)
    # Joining writes into the files folder: a failure there is named as our storage's.
    storing = request.node.callspec.params["failing_gql"] == "merge_pdfs"
    assert job.error_message == (build.STORING_GAVE_UP if storing else build.GAVE_UP)
    [letter] = await OutboxMessage.filter(key=f"certificate-file-failed:{job.id}")
    assert letter.subject == "Your certificates file could not be made: Autumn ceremony"


@pytest.fixture
async def one_worker_gql(
    settings: Settings, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[GraphQLClient]:
    """The app with quick retries (two after the first try) and one worker thread, so the first
    chunk's message goes on with the chunks nobody took before their own messages come; files in
    chunks of 10."""
    monkeypatch.setattr(requests, "CHUNK_SIZE", 10)
    configured = settings.model_copy(
        update={"job_max_retries": 2, "job_min_backoff_ms": 20, "job_max_backoff_ms": 50, "worker_threads": 1}
    )
    async with app_client(configured, clock) as http:
        yield GraphQLClient(http)


async def test_a_chunk_that_keeps_failing_after_another_message_took_it_is_tried_as_often_as_any(
    one_worker_gql: GraphQLClient, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the second of three chunks failing whenever it is drawn (a broken disk, say)
    tries: list[str] = []

    def fails_on_the_second(texts: Any, brandings: Any) -> bytes:
        if texts[0].recipient_name == "Zoe 10":
            tries.append(texts[0].recipient_name)
            raise OSError("disk full")
        return render_certificates(texts, brandings)

    monkeypatch.setattr(parts, "render_certificates", fails_on_the_second)

    # when a file of the three is requested (the first chunk's message takes the second on its way)
    result = await request_file(one_worker_gql, world, [f"Zoe {n:02d}" for n in range(30)])
    job = await until_finished(key_of(result["job"]["id"]))

    # then the second chunk was tried three times, the first try and two retries, as any step is,
    # whichever messages tried it; the job failed once, with one mail
    chunks = await CertificateFileChunk.filter(job_id=job.id).order_by("position")
    assert (job.status, job.error_message, job.attempts) == (FileJobStatus.FAILED, build.GAVE_UP, 3)
    assert len(tries) == 3
    assert [(chunk.attempts, chunk.done_at is not None) for chunk in chunks[:2]] == [(1, True), (3, False)]
    assert await OutboxMessage.filter(key=f"certificate-file-failed:{job.id}").count() == 1


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
        job = await request_file_service(
            actor=admin_actor(world),
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
        finished = await until_finished(job.id)

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
            result = await request_file(GraphQLClient(http), world, ["Ana Completer"])
        # then the request is answered, and the job is recorded for the sweep to hand over
        job = await CertificateFileJob.get(id=key_of(result["job"]["id"]))
        # and once the queue answers, the next sweep hands the job over
        handed: list[tuple[Job, int]] = []
        job_queue.set_adapter(lambda job, record_id, delay: handed.append((job, record_id)))
        clock.move(timedelta(seconds=1))
        await hand_over_waiting_work(unreachable, now=clock.now())

    assert (result["errors"], result["job"]["status"]) == ([], "QUEUED")
    assert (job.status, job.handover_after) == (FileJobStatus.QUEUED, job.created_at)
    assert handed == [(Job.BUILD_CERTIFICATE_FILE, job.id)]
