"""A worker going on with a job's chunks nobody took: each claimed and issued while the part before
it is drawn, made once, in any case joined once; what others hold or tried before is left to them."""

from __future__ import annotations

import asyncio
import errno
import logging
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

import pypdf
import pytest
from starlette.applications import Starlette

from service import job_queue
from service.certificate_files import build, parts, requests
from service.certificate_files.leases import STALL
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.paths import file_path
from service.certificate_files.requests import request_file
from service.certificate_files.work import StorageFailed
from service.certificates.models import Certificate
from service.job_queue import Job
from service.mail.compose import MailConfig
from service.mail.models import OutboxMessage
from service.pdf import render_certificates
from service.settings import Settings
from tests.certificate_files.support import until_lease
from tests.support.certificate_files import admin_actor
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock

pytestmark = pytest.mark.jobs

LEASE = timedelta(minutes=1)
RUN = timedelta(seconds=5)
CONFIG = MailConfig(sender="recognition@example.org", public_url="http://127.0.0.1:8000")
Handed = list[tuple[Job, int, timedelta | None]]


def _work(settings: Settings) -> build.FileWork:
    return build.FileWork(
        files_dir=settings.resolved_files_dir,
        public_url="http://127.0.0.1:8000",
        mail_config=CONFIG,
        lease=LEASE,
        run=RUN,
    )


async def _part(chunk_id: int, settings: Settings, clock: MovableClock) -> CertificateFileJob | None:
    """What a worker does with one `build_certificate_file_part` message."""
    return await build.build_part(chunk_id=chunk_id, clock=clock.now, work=_work(settings))


@pytest.fixture
def handed() -> Handed:
    """What the code under test hands to the queue (nothing runs it)."""
    found: Handed = []
    job_queue.set_adapter(lambda job, record_id, delay: found.append((job, record_id, delay)))
    return found


@pytest.fixture
async def three(
    app: Starlette,
    world: CertificatesWorld,
    clock: MovableClock,
    handed: Handed,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[CertificateFileJob, list[int]]:
    """A queued job of 30 certificates in three chunks of 10, and the chunks' ids in order (what
    queueing it handed over is forgotten)."""
    monkeypatch.setattr(requests, "CHUNK_SIZE", 10)
    job = await request_file(
        actor=admin_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=[world.enrollments[f"Zoe {n:02d}"].id for n in range(30)],
        now=clock.now(),
    )
    ids = await CertificateFileChunk.filter(job_id=job.id).order_by("position").values_list("id", flat=True)
    handed.clear()
    return job, cast(list[int], ids)


async def _chunks(job_id: int) -> list[tuple[int, bool, datetime | None]]:
    """Each chunk's attempts, whether it is made, and its lease, in order."""
    chunks = await CertificateFileChunk.filter(job_id=job_id).order_by("position")
    return [(chunk.attempts, chunk.done_at is not None, chunk.claimed_until) for chunk in chunks]


def _names(path: Any) -> list[str]:
    return [page.extract_text().splitlines()[3] for page in pypdf.PdfReader(path).pages]


async def test_a_message_goes_on_with_the_chunks_nobody_took_and_theirs_find_them_made(
    three: tuple[CertificateFileJob, list[int]],
    clock: MovableClock,
    settings: Settings,
    handed: Handed,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job, (first, second, third) = three

    # when the first chunk's message is worked on, then the other two messages
    with caplog.at_level(logging.INFO, logger="service.certificate_files"):
        finished = await _part(first, settings, clock)
    later = [await _part(second, settings, clock), await _part(third, settings, clock)]

    # then the first message made every part, in order, and joined them; the others found them made
    assert finished is not None
    assert (finished.status, finished.chunks_done, finished.done, finished.attempts) == (
        FileJobStatus.READY,
        3,
        30,
        1,
    )
    assert later == [None, None]
    assert await _chunks(job.id) == [(1, True, None)] * 3
    assert _names(file_path(settings.resolved_files_dir, finished)) == [f"Zoe {n:02d}" for n in range(30)]
    assert await Certificate.all().count() == 30
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1
    assert [job for job, _, _ in handed] == [Job.DELIVER_MAIL]  # the ready mail, nothing else
    assert caplog.messages == [f"certificate file {job.id} READY: 30 pages, {finished.file_size} bytes"]


@pytest.mark.parametrize("held", ["leased by another worker", "tried before"])
async def test_a_message_leaves_chunks_others_hold_or_tried_before(
    three: tuple[CertificateFileJob, list[int]],
    clock: MovableClock,
    settings: Settings,
    handed: Handed,
    monkeypatch: pytest.MonkeyPatch,
    held: str,
) -> None:
    job, (first, second, _) = three
    # given the second chunk held by another worker, or tried before (its retry is the queue's)
    if held == "tried before":
        await CertificateFileChunk.filter(id=second).update(attempts=1)
    else:
        await CertificateFileChunk.filter(id=second).update(claimed_until=clock.now() + LEASE)

    # when the first chunk's message is worked on
    result = await _part(first, settings, clock)

    # then it made its own chunk and the third, and left the second alone
    stopped = await CertificateFileJob.get(id=job.id)
    assert result is None
    assert (stopped.status, stopped.chunks_done, stopped.done) == (FileJobStatus.RUNNING, 2, 20)
    second_attempts, lease = (1, None) if held == "tried before" else (0, clock.now() + LEASE)
    assert await _chunks(job.id) == [(1, True, None), (second_attempts, False, lease), (1, True, None)]
    assert handed == []


async def test_a_message_whose_chunk_another_worker_holds_says_so_and_looks_again_when_its_lease_ends(
    three: tuple[CertificateFileJob, list[int]],
    clock: MovableClock,
    settings: Settings,
    handed: Handed,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job, (_, second, _) = three
    await CertificateFileChunk.filter(id=second).update(claimed_until=clock.now() + LEASE)

    with caplog.at_level(logging.INFO, logger="service.certificate_files"):
        result = await _part(second, settings, clock)

    assert result is None
    assert handed == [(Job.BUILD_CERTIFICATE_FILE_PART, second, LEASE + timedelta(seconds=1))]
    assert caplog.messages == [
        f"certificate file {job.id}: chunk {second} is held by another worker for 61 s more; "
        "looked at again then"
    ]


async def test_a_chunk_taken_on_the_way_that_fails_goes_back_to_the_queue(
    three: tuple[CertificateFileJob, list[int]],
    clock: MovableClock,
    settings: Settings,
    handed: Handed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job, (first, second, third) = three

    # given drawing the second chunk failing (the machine, not a person)
    def fails_on_the_second(texts: Any, brandings: Any) -> bytes:
        if texts[0].recipient_name == "Zoe 10":
            raise MemoryError("killed")
        return render_certificates(texts, brandings)

    monkeypatch.setattr(parts, "render_certificates", fails_on_the_second)

    # when the first chunk's message is worked on
    result = await _part(first, settings, clock)

    # then its own chunk is made and the message ends well (a retry of it would be no chunk's); the
    # leases of the second and of the third (taken while the second was drawn) are let go, and their
    # messages handed over again after the queue's first backoff, so their retries wait for no lease
    assert result is None
    assert await _chunks(job.id) == [(1, True, None), (1, False, None), (1, False, None)]
    assert handed == [
        (Job.BUILD_CERTIFICATE_FILE_PART, chunk_id, timedelta(seconds=10)) for chunk_id in (second, third)
    ]
    # and those messages, once drawing works, make them
    monkeypatch.setattr(parts, "render_certificates", render_certificates)
    assert await _part(second, settings, clock) is None
    finished = await _part(third, settings, clock)
    assert finished is not None
    assert (finished.status, finished.done, finished.attempts) == (FileJobStatus.READY, 30, 2)
    assert _names(file_path(settings.resolved_files_dir, finished)) == [f"Zoe {n:02d}" for n in range(30)]


async def test_a_chunk_taken_on_the_way_goes_back_to_the_queue_when_the_run_fails_on_its_own(
    three: tuple[CertificateFileJob, list[int]],
    clock: MovableClock,
    settings: Settings,
    handed: Handed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job, (first, second, _) = three

    # given a files folder that cannot be written
    def cannot_write(path: Any, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(parts, "write_atomically", cannot_write)

    # when the first chunk's message is worked on (it takes the second while the first is drawn)
    with pytest.raises(StorageFailed):
        await _part(first, settings, clock)

    # then the message fails, for the queue to retry its chunk; the second chunk, whose own message
    # may have found it held (and would look again only when the lease ended), is handed to the
    # queue again after the first backoff; both are left to those retries by the sweep till due
    chunks = await CertificateFileChunk.filter(job_id=job.id).order_by("position")
    assert await _chunks(job.id) == [(1, False, None), (1, False, None), (0, False, None)]
    assert handed == [(Job.BUILD_CERTIFICATE_FILE_PART, second, timedelta(seconds=10))]
    due = clock.now() + timedelta(seconds=10) + STALL
    assert [chunk.retry_due for chunk in chunks] == [due, due, None]


async def test_a_message_takes_no_more_chunks_once_its_time_is_up(
    three: tuple[CertificateFileJob, list[int]],
    clock: MovableClock,
    settings: Settings,
    handed: Handed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job, (first, _, third) = three

    # given the message's time running out once the second chunk is issued (it was taken in time)
    issue = parts._issue

    async def slow_second(chunk: CertificateFileChunk, *args: Any, **kwargs: Any) -> Any:
        issued = await issue(chunk, *args, **kwargs)
        if chunk.position == 1:
            clock.move(RUN + timedelta(seconds=1))
        return issued

    monkeypatch.setattr(parts, "_issue", slow_second)

    # when the first chunk's message is worked on
    await _part(first, settings, clock)

    # then it made the chunk it had taken meanwhile, and no other: the third waits for its message
    assert await _chunks(job.id) == [(1, True, None), (1, True, None), (0, False, None)]
    finished = await _part(third, settings, clock)
    assert finished is not None and finished.status is FileJobStatus.READY


async def test_a_chunk_taken_on_the_way_keeps_its_lease_while_the_part_before_it_is_drawn(
    three: tuple[CertificateFileJob, list[int]],
    clock: MovableClock,
    settings: Settings,
    handed: Handed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job, (first, second, _) = three
    short = replace(_work(settings), lease=timedelta(seconds=0.3), run=timedelta(hours=1))
    going_on = threading.Event()

    def long_first(texts: Any, brandings: Any) -> bytes:
        if texts[0].recipient_name == "Zoe 00":
            going_on.wait(timeout=30)
        return render_certificates(texts, brandings)

    monkeypatch.setattr(parts, "render_certificates", long_first)
    try:
        working = asyncio.create_task(build.build_part(chunk_id=first, clock=clock.now, work=short))
        # given the second chunk taken while the first is drawn, and the drawing outlasting its lease
        await until_lease(lambda lease: lease is not None, second)
        clock.move(timedelta(minutes=1))
        # when the worker renews its leases and the second chunk's own message comes to another worker
        await until_lease(lambda lease: lease is not None and lease > clock.now(), second)
        other = await build.build_part(chunk_id=second, clock=clock.now, work=short)
    finally:
        going_on.set()
    finished = await working

    # then the other worker left it alone, and each chunk was made once
    assert other is None
    assert finished is not None and finished.status is FileJobStatus.READY
    assert await _chunks(job.id) == [(1, True, None)] * 3
