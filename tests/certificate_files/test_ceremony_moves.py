"""A ceremony that moves while its combined file is made: the parts drawn before the move print the
old day, so they are drawn again before the file is READY, and every page of the file prints the
ceremony's day as it is when the file is ready (a provisional certificate follows its ceremony)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pypdf
import pytest
from starlette.applications import Starlette

from service import job_queue
from service.certificate_files import build, joining, parts, requests, work
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.paths import file_path
from service.certificate_files.requests import request_file as request_file_service
from service.certificates.services import certificates_for
from service.job_queue import Job
from service.mail.compose import MailConfig
from service.mail.models import OutboxMessage
from service.pdf import render_certificates
from service.recognitions.models import CeremonyFormat, Recognition
from service.settings import Settings
from tests.support.certificate_files import admin_actor, key_of, request_file, until_finished
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient

pytestmark = pytest.mark.jobs

UPDATE = """mutation($input: CeremonyUpdateInput!) {
  ceremonyUpdate(input: $input) { ceremony { id } errors { field code message } } }"""
# The world's ceremony is on 20 October 2026 in Chicago; moved a week on.
MOVED = {"dateTime": "2026-10-27T13:00:00", "timeZone": "America/Chicago"}
BEFORE, AFTER = "20 October 2026", "27 October 2026"
NAMES = [f"Zed {n:02d}" for n in range(30)]
CONFIG = MailConfig(sender="recognition@example.org", public_url="http://127.0.0.1:8000")
Handed = list[tuple[Job, int]]


@pytest.fixture
async def world(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> CertificatesWorld:
    """The certificates world, its ceremony's step 2 complete (so it can be moved), and 30 people
    approaching certification, "Zed 00" to "Zed 29", whose certificates are provisional and print
    the ceremony's day; files of them come in three chunks of 10."""
    monkeypatch.setattr(requests, "CHUNK_SIZE", 10)
    world = await make_certificates_world()
    await Recognition.filter(id=world.recognition.id).update(
        format=CeremonyFormat.ONLINE,
        contact_name="Pat Pins",
        contact_email="pat.pins@riverside.example",
        contact_phone="+1 312 555 0100",
        address_line1="1 Campus Drive",
        address_city="Chicago",
        address_postal_code="60601",
        address_country="US",
    )
    for name in NAMES:
        world.enrollments[name] = await enroll(
            world.partner, world.open_cohort, name, completed=False, certified=False
        )
    return world


@pytest.fixture
def handed() -> Handed:
    """What the code under test hands to the queue (nothing runs it)."""
    found: Handed = []
    job_queue.set_adapter(lambda job, record_id, delay: found.append((job, record_id)))
    return found


def _work(settings: Settings) -> build.FileWork:
    """One chunk a message: each message's work seen alone."""
    return build.FileWork(
        files_dir=settings.resolved_files_dir,
        public_url="http://127.0.0.1:8000",
        mail_config=CONFIG,
        run=timedelta(0),
    )


async def _queued(world: CertificatesWorld, clock: MovableClock) -> tuple[CertificateFileJob, list[int]]:
    job = await request_file_service(
        actor=admin_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=[world.enrollments[name].id for name in NAMES],
        now=clock.now(),
    )
    ids = await CertificateFileChunk.filter(job_id=job.id).order_by("position").values_list("id", flat=True)
    return job, cast(list[int], ids)


async def _move(gql: GraphQLClient, world: CertificatesWorld) -> None:
    moved = await gql.data(
        UPDATE, {"input": {"id": world.recognition_id, "start": MOVED}}, as_user=world.admin
    )
    assert moved["ceremonyUpdate"]["errors"] == []


def _pages(path: Path) -> list[tuple[str, bool, bool]]:
    """Each page's name, and whether it prints the day before the move, and the day after."""
    texts = [page.extract_text() for page in pypdf.PdfReader(path).pages]
    return [(text.splitlines()[3], BEFORE in text, AFTER in text) for text in texts]


async def _made_by_messages(handed: Handed, settings: Settings, clock: MovableClock) -> list[int]:
    """Work the part messages handed to the queue until there are none; the chunks they were for."""
    worked = []
    while parts_handed := [record_id for job, record_id in handed if job is Job.BUILD_CERTIFICATE_FILE_PART]:
        handed.clear()
        for chunk_id in parts_handed:
            worked.append(chunk_id)
            await build.build_part(chunk_id=chunk_id, clock=clock.now, work=_work(settings))
    return worked


async def test_parts_drawn_before_the_ceremony_moved_are_drawn_again_before_the_join(
    world: CertificatesWorld,
    gql: GraphQLClient,
    handed: Handed,
    clock: MovableClock,
    settings: Settings,
) -> None:
    job, (first, second, third) = await _queued(world, clock)
    # given the first chunk's part drawn, then the ceremony moved a week on
    await build.build_part(chunk_id=first, clock=clock.now, work=_work(settings))
    await _move(gql, world)
    handed.clear()

    # when the other two chunks are made (the last one's worker comes to the join)
    for chunk_id in (second, third):
        assert await build.build_part(chunk_id=chunk_id, clock=clock.now, work=_work(settings)) is None

    # then the join sends the first chunk back, undone, to a message of its own, and makes no file
    sent_back = await CertificateFileJob.get(id=job.id)
    assert (sent_back.status, sent_back.chunks_done, sent_back.done, sent_back.file_name) == (
        FileJobStatus.RUNNING,
        2,
        20,
        None,
    )
    assert handed == [(Job.BUILD_CERTIFICATE_FILE_PART, first)]
    # and once that message has drawn it again, every page prints the ceremony's new day
    assert await _made_by_messages(handed, settings, clock) == [first]
    finished = await CertificateFileJob.get(id=job.id)
    assert (finished.status, finished.done, finished.page_count, finished.attempts) == (
        FileJobStatus.READY,
        30,
        30,
        1,
    )
    assert _pages(file_path(settings.resolved_files_dir, finished)) == [(name, False, True) for name in NAMES]
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1


async def test_a_ceremony_moved_while_the_parts_are_joined_has_them_drawn_again(
    world: CertificatesWorld,
    gql: GraphQLClient,
    handed: Handed,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job, chunk_ids = await _queued(world, clock)
    storing = work.storing
    moves = [True]

    @contextlib.asynccontextmanager
    async def moving_once_joined(job_id: int) -> AsyncIterator[None]:
        async with storing(job_id):
            yield
        if moves:  # the ceremony moves once the parts are joined, before the file is READY
            moves.clear()
            await _move(gql, world)

    monkeypatch.setattr(joining, "storing", moving_once_joined)

    # when the three chunks are made, and the ceremony moves while the last one's worker joins them
    for chunk_id in chunk_ids:
        assert await build.build_part(chunk_id=chunk_id, clock=clock.now, work=_work(settings)) is None

    # then the file joined is dropped and the three parts are drawn again, by a message each
    sent_back = await CertificateFileJob.get(id=job.id)
    assert (sent_back.status, sent_back.chunks_done, sent_back.done) == (FileJobStatus.RUNNING, 0, 0)
    assert sorted((settings.resolved_files_dir / "certificate-files").glob("*.pdf")) == []
    assert await _made_by_messages(handed, settings, clock) == chunk_ids
    finished = await CertificateFileJob.get(id=job.id)
    assert (finished.status, finished.page_count) == (FileJobStatus.READY, 30)
    assert _pages(file_path(settings.resolved_files_dir, finished)) == [(name, False, True) for name in NAMES]
    assert await OutboxMessage.filter(key__startswith="certificate-file-ready").count() == 1


async def test_a_file_made_here_and_now_while_the_ceremony_moves_prints_its_new_day(
    world: CertificatesWorld,
    gql: GraphQLClient,
    no_queue: None,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    storing = work.storing
    moves = [True]

    @contextlib.asynccontextmanager
    async def moving_once_joined(job_id: int) -> AsyncIterator[None]:
        async with storing(job_id):
            yield
        if moves:
            moves.clear()
            await _move(gql, world)

    monkeypatch.setattr(joining, "storing", moving_once_joined)

    # when the file is made on the command line, and the ceremony moves while its parts are joined
    job, path = await build.build_file_now(
        actor=admin_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=[world.enrollments[name].id for name in NAMES],
        clock=clock.now,
        work=_work(settings),
    )

    # then the parts are drawn again there and then, and every page prints the ceremony's new day
    assert (job.status, job.page_count) == (FileJobStatus.READY, 30)
    assert _pages(path) == [(name, False, True) for name in NAMES]


async def test_certificates_issued_for_a_part_while_the_ceremony_moves_print_its_new_day(
    world: CertificatesWorld,
    gql: GraphQLClient,
    handed: Handed,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job, chunk_ids = await _queued(world, clock)
    issue = certificates_for
    moves = [True]

    async def moving_before_the_insert(**arguments: Any) -> Any:
        if moves:  # the ceremony moves after the part read it, before its certificates are written
            moves.clear()
            await _move(gql, world)
        return await issue(**arguments)

    monkeypatch.setattr(parts, "certificates_for", moving_before_the_insert)

    # when the three chunks are made, the first one's certificates issued while the ceremony moved
    for chunk_id in chunk_ids:
        await build.build_part(chunk_id=chunk_id, clock=clock.now, work=_work(settings))

    # then those certificates were dated again at once (the move had not seen them), so no part was
    # drawn again, and every page prints the ceremony's new day
    finished = await CertificateFileJob.get(id=job.id)
    chunks = await CertificateFileChunk.filter(job_id=job.id).order_by("position")
    assert (finished.status, finished.page_count) == (FileJobStatus.READY, 30)
    assert [(chunk.attempts, str(chunk.drawn_for)) for chunk in chunks] == [(1, "2026-10-27")] * 3
    assert [record_id for step, record_id in handed if step is Job.BUILD_CERTIFICATE_FILE_PART] == []
    assert _pages(file_path(settings.resolved_files_dir, finished)) == [(name, False, True) for name in NAMES]


async def test_a_file_the_workers_make_while_its_ceremony_moves_prints_the_new_day_on_every_page(
    world: CertificatesWorld,
    gql: GraphQLClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given the workers drawing the first chunk's part (its pages issued with the ceremony's day)
    drawing, moved = threading.Event(), threading.Event()

    def first_waits_for_the_move(texts: Any, brandings: Any) -> bytes:
        if texts[0].recipient_name == NAMES[0]:
            drawing.set()
            moved.wait(timeout=30)
        return render_certificates(texts, brandings)

    monkeypatch.setattr(parts, "render_certificates", first_waits_for_the_move)
    try:
        result = await request_file(gql, world, NAMES)
        assert await asyncio.to_thread(drawing.wait, 30)
        # when the ceremony moves a week on meanwhile
        await _move(gql, world)
    finally:
        moved.set()
    job = await until_finished(key_of(result["job"]["id"]))

    # then every page of the file prints the ceremony's new day, and the requester gets one mail
    assert (job.status, job.done, job.page_count) == (FileJobStatus.READY, 30, 30)
    assert _pages(file_path(settings.resolved_files_dir, job)) == [(name, False, True) for name in NAMES]
    assert await OutboxMessage.filter(key=f"certificate-file-ready:{job.id}").count() == 1
