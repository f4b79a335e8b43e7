"""Process-level fault drills with `portal serve` and `portal worker` processes: an API process killed
and started again, an SMTP outage, a files folder that cannot be written. After each: the file READY
once with its pages in order, one mail, one certificate each, nothing RUNNING, the next file as fast
as before. (The killed worker, the broker restarted empty and the database outage have their own
files: test_worker_supervision.py, test_broker_loss.py, test_database_outage_workers.py.)"""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from service.certificate_files import build
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.paths import FILES_FOLDER
from service.database import open_database
from service.mail.models import MailStatus, OutboxMessage
from service.settings import Settings
from tests.support.certificate_files import key_of
from tests.support.drills import (
    NAMES,
    assert_as_fast,
    assert_made_once,
    drill_world,
    make_file,
    request,
    until,
)
from tests.support.engines import REDIS_URL, redis_answers, remove_namespace
from tests.support.graphql_client import GraphQLClient
from tests.support.processes import start_api, start_worker, stop
from tests.support.smtp_server import SmtpServer, free_port

pytestmark = [
    pytest.mark.drills,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)"),
]

SHIFTED, REVERSED, OTHER = NAMES[30:] + NAMES[:30], NAMES[::-1], NAMES[15:] + NAMES[:15]


@dataclass
class Site:
    settings: Settings
    smtp: SmtpServer
    port: int
    api: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    worker_metrics_port: int

    def start_api(self) -> None:
        self.api = start_api(
            self.settings, self.port, PORTAL_SMTP_URL=self.smtp.url, PORTAL_SWEEP_SECONDS="1"
        )

    def gql(self) -> GraphQLClient:
        return GraphQLClient(httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=30))


@pytest.fixture
def scaled(settings: Settings) -> Iterator[Settings]:
    configured = settings.model_copy(
        update={"broker_url": REDIS_URL, "pubsub_url": REDIS_URL, "worker_threads": 0}
    )
    yield configured
    remove_namespace(configured)


@pytest.fixture
async def site(scaled: Settings) -> AsyncIterator[Site]:
    """An API process and a worker process (quick retries), an SMTP server, and the database open
    here too, for the checks."""
    smtp = SmtpServer()
    smtp.start()
    database = await open_database(scaled.resolved_database_url)
    port, metrics_port = free_port(), free_port()
    api = start_api(scaled, port, PORTAL_SMTP_URL=smtp.url, PORTAL_SWEEP_SECONDS="1")
    worker = start_worker(
        scaled,
        PORTAL_SMTP_URL=smtp.url,
        PORTAL_JOB_MIN_BACKOFF_MS="300",
        PORTAL_JOB_MAX_BACKOFF_MS="2000",
        PORTAL_WORKER_METRICS_PORT=str(metrics_port),
    )
    running = Site(scaled, smtp, port, api, worker, metrics_port)
    try:
        yield running
    finally:
        stop(running.worker)
        stop(running.api)
        smtp.stop()
        await database.close_connections()


async def _mails_sent(count: int) -> None:
    async def sent() -> bool:
        return await OutboxMessage.filter(status=MailStatus.SENT).count() >= count

    await until(sent, 60, f"{count} mails being sent")


async def test_an_api_process_killed_after_a_request_leaves_the_file_made_once(site: Site) -> None:
    # given the time a file takes through the API process
    world = await drill_world()
    gql = site.gql()
    first, _ = await make_file(gql, world, NAMES)
    before, before_seconds = await make_file(gql, world, SHIFTED)

    # when the API process is killed right after answering a request, and started again
    job_id = key_of((await request(gql, world, REVERSED))["job"]["id"])
    stop(site.api, signal.SIGKILL)
    site.start_api()

    async def ready() -> bool:
        return (await CertificateFileJob.get(id=job_id)).status is FileJobStatus.READY

    await until(ready, 60, "the file being made")
    after, after_seconds = await make_file(site.gql(), world, OTHER)
    await _mails_sent(4)

    # then
    for made, names in ((first, NAMES), (before, SHIFTED), (job_id, REVERSED), (after, OTHER)):
        await assert_made_once(made, world, names, site.settings.resolved_files_dir)
    assert len(site.smtp.inbox.messages) == 4
    assert_as_fast(before_seconds, after_seconds)


async def test_a_file_made_during_an_smtp_outage_is_mailed_once_after_it(site: Site) -> None:
    # given the time a file takes
    world = await drill_world()
    gql = site.gql()
    first, _ = await make_file(gql, world, NAMES)
    before, before_seconds = await make_file(gql, world, SHIFTED)
    await _mails_sent(2)

    # when the SMTP server is down while a file is made, and for 4 s after
    site.smtp.stop()
    during, _ = await make_file(gql, world, REVERSED)
    await asyncio.sleep(4)
    attempts_during = (await OutboxMessage.get(key=f"certificate-file-ready:{during}")).attempts
    site.smtp.start()
    await _mails_sent(3)
    after, after_seconds = await make_file(gql, world, OTHER)
    await _mails_sent(4)

    # then its mail was tried with backoff (0, 0.3, 0.9, 2.1 s …), not at every sweep, and went once
    for made, names in ((first, NAMES), (before, SHIFTED), (during, REVERSED), (after, OTHER)):
        await assert_made_once(made, world, names, site.settings.resolved_files_dir)
    assert 1 <= attempts_during <= 5, attempts_during
    assert len(site.smtp.inbox.messages) == 4
    assert_as_fast(before_seconds, after_seconds)


async def test_a_file_asked_for_while_the_files_folder_cannot_be_written_is_made_once_it_can(
    site: Site,
) -> None:
    # given the time a file takes
    world = await drill_world()
    gql = site.gql()
    first, _ = await make_file(gql, world, NAMES)
    before, before_seconds = await make_file(gql, world, SHIFTED)

    # when the files folder cannot be written (a file stands where it should be) while a file is asked for
    folder = site.settings.resolved_files_dir / FILES_FOLDER
    aside = folder.with_name("aside")
    folder.rename(aside)
    folder.write_bytes(b"")
    job_id = key_of((await request(gql, world, REVERSED))["job"]["id"])

    async def named() -> bool:
        return (await CertificateFileJob.get(id=job_id)).error_message == build.STORING_RETRYING

    await until(named, 60, "the job naming the storage")
    async with httpx.AsyncClient() as scraper:
        metrics = (await scraper.get(f"http://127.0.0.1:{site.worker_metrics_port}/")).text
    # and it can be written again
    folder.unlink()
    aside.rename(folder)

    async def ready() -> bool:
        return (await CertificateFileJob.get(id=job_id)).status is FileJobStatus.READY

    await until(ready, 60, "the file being made")
    after, after_seconds = await make_file(gql, world, OTHER)

    # then
    for made, names in ((first, NAMES), (before, SHIFTED), (job_id, REVERSED), (after, OTHER)):
        await assert_made_once(made, world, names, site.settings.resolved_files_dir)
    assert (await CertificateFileJob.get(id=job_id)).error_message is None
    [counted] = [line for line in metrics.splitlines() if line.startswith("portal_storage_failures_total")]
    assert float(counted.split()[-1]) >= 1
    assert_as_fast(before_seconds, after_seconds)
