"""Shared by the fault drills: 60 course-takers (three chunks), asking for a file through the API,
waiting for a condition with a deadline, and the job lines of a worker's JSON log."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, cast

import pypdf

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.paths import file_path
from service.certificates.models import Certificate
from service.mail.models import OutboxMessage
from tests.support.certificate_files import REQUEST, enrollment_ids, key_of
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

NAMES = [f"Kit {number:02d}" for number in range(60)]


async def drill_world() -> CertificatesWorld:
    """The certificates world and the 60 completers of ``NAMES``: three chunks a file."""
    world = await make_certificates_world()
    for name in NAMES:
        world.enrollments[name] = await enroll(
            world.partner, world.online_cohort, name, completed=True, certified=True
        )
    return world


async def make_file(gql: GraphQLClient, world: CertificatesWorld, names: list[str]) -> tuple[int, float]:
    """Ask for a file and wait for it to finish: its job id and the seconds it took."""
    started = time.monotonic()
    job_id = key_of((await request(gql, world, names))["job"]["id"])

    async def finished() -> bool:
        return (await CertificateFileJob.get(id=job_id)).status in (FileJobStatus.READY, FileJobStatus.FAILED)

    await until(finished, 120, f"file {job_id} being finished")
    return job_id, time.monotonic() - started


async def assert_made_once(job_id: int, world: CertificatesWorld, names: list[str], files_dir: Path) -> None:
    """What every drill must leave: the job READY, its one file with one page per person in the
    selection's order, one "ready" mail, one certificate per person, no job left RUNNING."""
    job = await CertificateFileJob.get(id=job_id)
    assert (job.status, job.page_count, job.done, job.total) == (FileJobStatus.READY, *[len(names)] * 3)
    pages = [page.extract_text() for page in pypdf.PdfReader(file_path(files_dir, job)).pages]
    assert [name in text for name, text in zip(names, pages, strict=True)] == [True] * len(names)
    assert await OutboxMessage.filter(key=f"certificate-file-ready:{job_id}").count() == 1
    wanted = [world.enrollments[name].id for name in names]
    issued = await Certificate.filter(enrollment_id__in=wanted).values_list("enrollment_id", flat=True)
    assert sorted(cast(list[int], issued)) == sorted(wanted)
    assert await CertificateFileJob.filter(status=FileJobStatus.RUNNING).count() == 0


def assert_as_fast(before_seconds: float, after_seconds: float) -> None:
    """The next file after a fault takes no longer than one before it (twice, and 2 s, of slack for
    a shared machine)."""
    assert after_seconds < 2 * before_seconds + 2, (before_seconds, after_seconds)


async def request(
    gql: GraphQLClient, world: CertificatesWorld, names: list[str], request_id: str | None = None
) -> dict[str, Any]:
    """certificateFileRequest for the named course-takers, as the admin (with ``X-Request-ID``)."""
    headers = {"Authorization": f"Bearer {token_for(world.admin)}"}
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    variables = {
        "input": {"recognitionId": world.recognition_id, "enrollmentIds": enrollment_ids(world, names)}
    }
    response = await gql.http.post(
        "/graphql", json={"query": REQUEST, "variables": variables}, headers=headers
    )
    body = response.json()
    assert "errors" not in body and body["data"]["certificateFileRequest"]["errors"] == [], body
    result: dict[str, Any] = body["data"]["certificateFileRequest"]
    return result


async def until(
    check: Callable[[], Awaitable[bool]], seconds: float, what: str, *, logs: Sequence[Path] = ()
) -> None:
    """Poll ``check`` until it holds; an assertion error naming ``what`` after ``seconds``, with the
    end of each of ``logs`` (the processes' own account of what they were doing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    tails = "".join(
        f"\n--- the end of {log.name}:\n{log.read_text(errors='replace')[-4000:]}"
        for log in logs
        if log.exists()
    )
    raise AssertionError(f"{what} did not happen within {seconds} s{tails}")


def job_lines(log: Path, since: int = 0) -> list[dict[str, Any]]:
    """The job lines (one per message handled) of a JSON log, from byte ``since`` on."""
    with log.open("rb") as handle:
        handle.seek(since)
        lines = []
        for raw in handle.read().decode(errors="replace").splitlines():
            if raw.startswith("{"):
                line = json.loads(raw)
                if line.get("logger") == "workers.jobs":
                    lines.append(line)
        return lines


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # it ended meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def dramatiq_worker_process(portal_worker: int) -> tuple[int, int]:
    """Under a `portal worker`: its Dramatiq main process, and that one's worker process (the child
    with the most threads: its worker and consumer threads; the other child serves metrics)."""
    [main] = children(portal_worker)
    worker = max(children(main), key=threads)
    return main, worker
