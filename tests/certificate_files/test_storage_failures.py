"""A files folder that cannot be written (full, read-only, no permission): the job says that the fault
is ours and that we are retrying, a metric counts it for an alert, the file is made once the folder
can be written again, and a job that gives up says why and leaves no parts behind."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from service.certificate_files import build
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.paths import FILES_FOLDER, parts_dir
from service.mail.models import OutboxMessage
from service.settings import Settings
from tests.support.app_client import app_client
from tests.support.certificate_files import key_of, request_file, until_finished
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.drills import until
from tests.support.graphql_client import GraphQLClient

pytestmark = pytest.mark.jobs

JOBS = "query Files($id: ID!) { recognition(id: $id) { certificateFiles { status errorMessage } } }"
THIRTY = [f"Zoe {number:02d}" for number in range(30)]


@pytest.fixture
async def quick(
    settings: Settings, clock: MovableClock
) -> AsyncIterator[tuple[GraphQLClient, httpx.AsyncClient]]:
    """The app with quick retries: two after the first attempt."""
    configured = settings.model_copy(
        update={"job_max_retries": 2, "job_min_backoff_ms": 300, "job_max_backoff_ms": 600}
    )
    async with app_client(configured, clock) as http:
        yield GraphQLClient(http), http


def _storage_failures(metrics: str) -> float:
    [line] = [line for line in metrics.splitlines() if line.startswith("portal_storage_failures_total ")]
    return float(line.split()[1])


async def _files(gql: GraphQLClient, world: CertificatesWorld) -> Any:
    return (await gql.data(JOBS, {"id": world.recognition_id}, as_user=world.admin))["recognition"]


async def test_an_unwritable_files_folder_is_named_while_we_retry_and_the_file_is_made_after(
    quick: tuple[GraphQLClient, httpx.AsyncClient], world: CertificatesWorld, settings: Settings
) -> None:
    gql, http = quick
    # given a files folder that cannot be written (a file stands where its folder should be)
    blocked = settings.resolved_files_dir / FILES_FOLDER
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_bytes(b"")

    # when a file is asked for
    job_id = key_of((await request_file(gql, world, THIRTY))["job"]["id"])

    async def named() -> bool:
        return (await CertificateFileJob.get(id=job_id)).error_message == build.STORING_RETRYING

    async def counted() -> bool:
        # The attempt's failure is counted once it has left the actor, just after the job is named.
        return _storage_failures((await http.get("/metrics")).text) >= 1

    await until(named, 30, "the job naming the storage")
    await until(counted, 30, "the storage failure counted")
    # then the job says so while it is retried, and the metric counts it
    during = await _files(gql, world)
    metrics = (await http.get("/metrics")).text
    # and once the folder can be written again, the file is made and the message is gone
    blocked.unlink()
    job = await until_finished(job_id)

    assert during == {
        "certificateFiles": [
            {"status": "RUNNING", "errorMessage": "We could not store the file; we are retrying."}
        ]
    }
    assert _storage_failures(metrics) >= 1
    assert (job.status, job.page_count, job.error_message) == (FileJobStatus.READY, 30, None)


async def test_a_job_that_could_never_store_its_file_fails_saying_why_and_leaves_no_parts(
    quick: tuple[GraphQLClient, httpx.AsyncClient], world: CertificatesWorld, settings: Settings
) -> None:
    gql, _ = quick
    # given a files folder where parts can be written but the joined file cannot (a folder stands where
    # the first job's file should be)
    recognition_id = world.recognition.id
    (settings.resolved_files_dir / FILES_FOLDER / f"certificates-{recognition_id}-1.pdf").mkdir(parents=True)

    # when a file is asked for, and every attempt to store it fails
    job_id = key_of((await request_file(gql, world, THIRTY))["job"]["id"])
    job = await until_finished(job_id)

    # then it failed, naming our storage, in the job and in the mail, and its parts are gone
    assert (job_id, job.status, job.error_message) == (1, FileJobStatus.FAILED, build.STORING_GAVE_UP)
    [letter] = await OutboxMessage.filter(key=f"certificate-file-failed:{job_id}")
    assert "We could not store the file: our storage is full or cannot be written." in letter.message
    assert not parts_dir(settings.resolved_files_dir, job_id).exists()
    shutil.rmtree(settings.resolved_files_dir / FILES_FOLDER)
