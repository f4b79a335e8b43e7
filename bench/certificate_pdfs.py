"""Certificate PDFs: the project's borb renderer beside reportlab and fpdf2, and combined files made
through the real job path (`portal worker` processes on a Redis broker, PostgreSQL) with 1 and 2
worker processes.

    .venv/bin/python bench/certificate_pdfs.py [--quick]

Figures: warm time of one certificate (each contender in turn, several rounds, medians); 2,000
pages in one document with reportlab (drawn just before each run of the 2,000-certificate file:
the targets' two sides measured in turn) and fpdf2; combined files of 50, 500 and 2,000 certificates
(none issued before) from request to READY, with 1 and 2 worker processes; each worker process's
peak memory; file sizes; and how time grows with N (the exponent between 50 and 2,000). Prints a
table and writes JSON to bench/results/. The job-path part needs PostgreSQL and Redis
(BENCH_POSTGRES_URL, BENCH_REDIS_URL) and says so if it skips.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import alternatives
import asyncpg
import psutil
import redis
from alternatives import TYPST_MISSING, fpdf2_pdf, largest_shift, reportlab_pdf, typst_pdf
from seeding import NAMES, seed_completers
from tortoise.context import TortoiseContext

from service import job_queue
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.requests import request_file
from service.database import migrate, tortoise_config
from service.pdf.render import CertificateText, render_certificate, render_certificates
from service.settings import Settings
from service.users.actor import Actor
from workers.jobs import declare_jobs

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def text(number: int) -> CertificateText:
    code = f"7KQ4-{number:04d}-2HT"
    return CertificateText(
        partner_name="Riverside State University",
        recipient_name=f"{NAMES[number % len(NAMES)]} {number}",
        certificate_type="Certificate in Effective College Instruction",
        program="Effective Teaching Practices",
        cohort="Cohort A",
        awarded_on=date(2026, 8, 20),
        code=code,
        verification_url=f"https://portal.example.edu/verify/{code.replace('-', '')}",
    )


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def timed_cpu(work: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds, this process's CPU seconds, and the result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _peers() -> dict[str, Callable[[list[CertificateText]], bytes]]:
    peers: dict[str, Callable[[list[CertificateText]], bytes]] = {
        "reportlab": reportlab_pdf,
        "fpdf2": fpdf2_pdf,
    }
    if not TYPST_MISSING:
        peers["typst"] = typst_pdf
    return peers


def same_page() -> dict[str, Any]:
    """Where each peer's characters sit against the service's (5 pages): the comparison is fair only
    if they draw the same page."""
    texts = [text(n) for n in range(5)]
    ours = render_certificates(texts)
    return {name: largest_shift(draw(texts), ours) for name, draw in _peers().items()}


def _one_at_a_time(draw: Callable[[list[CertificateText]], bytes]) -> Callable[[int], bytes]:
    return lambda n: draw([text(n)])


def single_certificates(rounds: int) -> dict[str, Any]:
    """Warm: one certificate at a time, a new name each time, the contenders taking turns; wall and
    CPU time (this process's) of each."""
    contenders: dict[str, Callable[[int], bytes]] = {"borb (service)": lambda n: render_certificate(text(n))}
    for peer, peer_draw in _peers().items():
        contenders[peer] = _one_at_a_time(peer_draw)
    for draw in contenders.values():  # warm-up: fonts instanced, caches filled
        for n in range(3):
            draw(n)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    sizes: dict[str, int] = {}
    for round_number in range(rounds):
        shift = round_number % len(contenders)
        order = list(contenders)[shift:] + list(contenders)[:shift]
        for name in order:
            seconds, cpu_seconds, pdf = timed_cpu(lambda: contenders[name](1000 + round_number))  # noqa: B023
            times[name].append(seconds)
            cpu[name].append(cpu_seconds)
            sizes[name] = len(pdf)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) * 1000 for name, values in cpu.items()}
    ours = "borb (service)"
    return {
        "ms": {name: round(value, 2) for name, value in medians.items()},
        "cpu_ms": {name: round(value, 2) for name, value in cpu_medians.items()},
        "bytes": sizes,
        "over": {
            peer: {
                "wall": round(medians[ours] / medians[peer], 2),
                "cpu": round(cpu_medians[ours] / cpu_medians[peer], 2),
            }
            for peer in contenders
            if peer != ours
        },
    }


def one_document(pages: int, runs: int) -> dict[str, Any]:
    """fpdf2 drawing every page into one document (reportlab and Typst are drawn in turn with the job
    path's largest files, see ``job_path``)."""
    texts = [text(n) for n in range(pages)]
    found: list[float] = []
    size = 0
    for _ in range(runs):
        seconds, pdf = timed(lambda: fpdf2_pdf(texts))
        found.append(seconds)
        size = len(pdf)
    return {"fpdf2": {"seconds": round(statistics.median(found), 2), "mb": round(size / 1e6, 2)}}


def _one_document_peers() -> dict[str, Callable[[list[CertificateText]], bytes]]:
    peers: dict[str, Callable[[list[CertificateText]], bytes]] = {"reportlab": reportlab_pdf}
    if not TYPST_MISSING:
        peers["typst"] = typst_pdf
    return peers


def _children_cpu(process: subprocess.Popen[bytes]) -> float:
    """CPU seconds (user and system) the worker processes have used so far."""
    total = 0.0
    for child in psutil.Process(process.pid).children(recursive=True):
        times = child.cpu_times()
        total += times.user + times.system
    return total


# ---------------------------------------------------------------- the real job path


async def _database_cpu(url: str, database: str) -> dict[int, float]:
    """CPU seconds (user and system) used so far by each PostgreSQL backend serving ``database``
    (the API's and the workers' connections), by process id: other databases' work is left out."""
    connection = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        rows = await connection.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
    finally:
        await connection.close()
    used = {}
    for row in rows:
        try:
            times = psutil.Process(row["pid"]).cpu_times()
        except psutil.Error:
            continue
        used[row["pid"]] = times.user + times.system
    return used


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _start_workers(settings: Settings, processes: int, log: Path) -> subprocess.Popen[bytes]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    environment |= {
        "PORTAL_DATA_DIR": str(settings.data_dir),
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SECRET_KEY": settings.signing_secret(),
        "PORTAL_BROKER_URL": settings.broker_url,
        "PORTAL_NAMESPACE": settings.namespace,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker", "--processes", str(processes), "--threads", "1"],
            env=environment,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    for _ in range(600):
        if log.read_text(errors="replace").count("Worker process is ready for action") >= processes:
            return process
        time.sleep(0.05)
    raise RuntimeError(f"the workers did not start: {log.read_text(errors='replace')[-2000:]}")


def _worker_peaks(process: subprocess.Popen[bytes]) -> list[float]:
    """Peak resident memory (VmHWM) of each worker process, in MB."""
    peaks = []
    for child in psutil.Process(process.pid).children(recursive=True):
        with open(f"/proc/{child.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peaks.append(round(int(line.split()[1]) / 1024, 1))
    return peaks


async def _make_file(actor: Actor, recognition_id: int, ids: list[int]) -> tuple[float, CertificateFileJob]:
    started = time.perf_counter()
    job = await request_file(
        actor=actor, recognition_id=recognition_id, enrollment_ids=ids, now=datetime.now(UTC)
    )
    requested = time.perf_counter() - started
    while True:
        job = await CertificateFileJob.get(id=job.id)
        if job.status in (FileJobStatus.READY, FileJobStatus.FAILED):
            break
        await asyncio.sleep(0.02)
    assert job.status is FileJobStatus.READY, job.error_message
    seconds = time.perf_counter() - started
    TIMELINES.append(await _timeline(job, requested, seconds))
    return seconds, job


TIMELINES: list[dict[str, Any]] = []


async def _timeline(job: CertificateFileJob, requested: float, seconds: float) -> dict[str, Any]:
    """Where a file's wall time went, from the records' own times (seconds from the request): the
    request itself (the selection checked, every name shaped, the job recorded and queued), the
    first chunk claimed, the first and last chunks made, READY (the join is the time from the last
    chunk to READY), and the bench seeing it (its polling)."""
    done = sorted(
        chunk.done_at
        for chunk in await CertificateFileChunk.filter(job_id=job.id).only("done_at")
        if chunk.done_at is not None
    )
    assert job.started_at is not None and job.finished_at is not None and done

    def since(moment: datetime) -> float:
        return round((moment - job.created_at).total_seconds(), 3)

    return {
        "certificates": job.total,
        "chunks": job.chunk_count,
        "requested_s": round(requested, 3),
        "first_claim_s": since(job.started_at),
        "first_chunk_done_s": since(done[0]),
        "last_chunk_done_s": since(done[-1]),
        "ready_s": since(job.finished_at),
        "join_s": round((job.finished_at - done[-1]).total_seconds(), 3),
        "seen_s": round(seconds, 3),
    }


async def job_path(
    sizes: list[int],
    runs: int,
    process_counts: list[int],
    alongside: dict[str, dict[str, list[tuple[float, float]]]] | None = None,
) -> dict[str, Any]:
    """Combined files through the real job path. Before each run of the largest size, reportlab and
    Typst draw as many pages into one document here (the workers idle), and their (wall, CPU) times
    go to ``alongside``: the machine is shared, so a target's two sides are measured in turn. The
    workers' CPU time (user and system, all processes) and PostgreSQL's (the bench database's backends)
    are taken around each file."""
    postgres, redis_url = os.environ.get("BENCH_POSTGRES_URL", ""), os.environ.get("BENCH_REDIS_URL", "")
    if not postgres or not redis_url:
        return {"skipped": "set BENCH_POSTGRES_URL and BENCH_REDIS_URL (make bench does) for the job path"}
    try:
        redis.Redis.from_url(redis_url, socket_timeout=2).ping()
        await _admin(postgres, "SELECT 1")
    except Exception as error:
        return {"skipped": f"PostgreSQL or Redis not reachable: {error}"}
    database = f"bench_{uuid.uuid4().hex[:8]}"
    await _admin(postgres, f'CREATE DATABASE "{database}"')
    folder = Path(tempfile.mkdtemp(prefix="bench-files-"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        database_url=_with_database(postgres, database),
        broker_url=redis_url,
        namespace=f"bench-{uuid.uuid4().hex[:8]}",
    )
    await migrate(settings.database_url)
    needed = sum(sizes) * runs * len(process_counts) + 100 * sum(process_counts)
    results: dict[str, Any] = {"sizes": {}, "worker_peak_rss_mb": {}}
    try:
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(settings.database_url))
            actor, recognition_id, ids = await seed_completers(needed)
            jobs = declare_jobs(settings)
            job_queue.set_adapter(jobs.send)
            fresh = iter(range(0, len(ids)))

            def take(count: int) -> list[int]:
                return [ids[next(fresh)] for _ in range(count)]

            for processes in process_counts:
                workers = _start_workers(settings, processes, folder / f"workers-{processes}.log")
                try:
                    # Warm-up: enough chunks that every process draws some (fonts instanced once each).
                    await _make_file(actor, recognition_id, take(100 * processes))
                    for size in sizes:
                        measured, worker_cpu, database_cpu = [], [], []
                        for _ in range(runs):
                            if alongside is not None and size == sizes[-1]:
                                pages = [text(n) for n in range(size)]
                                for peer, draw in _one_document_peers().items():
                                    wall, cpu, pdf = timed_cpu(lambda: draw(pages))  # noqa: B023
                                    entry = alongside.setdefault(peer, {}).setdefault(str(processes), [])
                                    entry.append((wall, cpu))
                                    results[f"{peer}_one_document_mb"] = round(len(pdf) / 1e6, 2)
                            before = _children_cpu(workers)
                            database_before = await _database_cpu(postgres, database)
                            seconds, job = await _make_file(actor, recognition_id, take(size))
                            worker_cpu.append(_children_cpu(workers) - before)
                            database_after = await _database_cpu(postgres, database)
                            database_cpu.append(
                                sum(
                                    used - database_before.get(pid, 0.0)
                                    for pid, used in database_after.items()
                                )
                            )
                            measured.append(seconds)
                        entry = results["sizes"].setdefault(str(size), {})
                        entry[f"{processes}_process_seconds"] = round(statistics.median(measured), 2)
                        entry[f"{processes}_process_worker_cpu_ms_per_page"] = round(
                            statistics.median(worker_cpu) / size * 1000, 2
                        )
                        entry[f"{processes}_process_postgres_cpu_s"] = round(
                            statistics.median(database_cpu), 2
                        )
                        entry["file_mb"] = round((job.file_size or 0) / 1e6, 2)
                        entry[f"{processes}_process_timeline"] = TIMELINES[-1]
                    results["worker_peak_rss_mb"][str(processes)] = _worker_peaks(workers)
                finally:
                    workers.terminate()
                    workers.wait(timeout=60)
            jobs.broker.close()
    finally:
        job_queue.set_adapter(None)
        await _admin(postgres, f'DROP DATABASE "{database}" WITH (FORCE)')
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{settings.namespace}*"):
            client.delete(key)
    first, last = str(sizes[0]), str(sizes[-1])
    for processes in process_counts:
        column = f"{processes}_process_seconds"
        ratio = results["sizes"][last][column] / results["sizes"][first][column]
        results[f"growth_exponent_{processes}_process"] = round(
            math.log(ratio) / math.log(sizes[-1] / sizes[0]), 3
        )
    return results


def _load() -> str:
    return Path("/proc/loadavg").read_text().strip() if Path("/proc/loadavg").exists() else "unknown"


def _median(times: list[tuple[float, float]], which: int) -> float:
    return statistics.median(pair[which] for pair in times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs (a smoke run)")
    parser.add_argument(
        "--peers-qr-as-rectangles",
        action="store_true",
        help="the peers draw the QR code as vector rectangles, as the service did until 2026-11-30 (a "
        "page unlike the service's: only to compare with the figures the targets were set on)",
    )
    arguments = parser.parse_args()
    quick = arguments.quick
    alternatives.QR_AS_RECTANGLES = arguments.peers_qr_as_rectangles
    sizes, runs, pages = ([50, 200], 1, 200) if quick else ([50, 500, 2000], 3, 2000)
    if TYPST_MISSING:
        print(TYPST_MISSING, file=sys.stderr)
    load = {"start": _load()}
    check = same_page()
    single = single_certificates(rounds=15 if quick else 40)
    load["after_single"] = _load()
    # reportlab's and Typst's one document, in turn with the largest files: peer -> processes -> times
    alongside: dict[str, dict[str, list[tuple[float, float]]]] = {}
    job = asyncio.run(job_path(sizes, runs, [1, 2], alongside))
    load["after_job_path"] = _load()
    job["one_document_alongside"] = {
        peer: {
            processes: {
                "seconds": round(_median(times, 0), 2),
                "cpu_seconds": round(_median(times, 1), 2),
                "mb": job.get(f"{peer}_one_document_mb"),
            }
            for processes, times in by_processes.items()
        }
        for peer, by_processes in alongside.items()
    }
    figures: dict[str, Any] = {
        "same_page_as_the_service": check,
        "single_certificate": single,
        "one_document": one_document(pages, runs),
        "job_path": job,
        "load_average": {**load, "end": _load()},
        "settings": {"sizes": sizes, "runs": runs, "one_document_pages": pages, "threads_per_process": 1},
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "typst": TYPST_MISSING or "drawn",
    }
    if "sizes" in job:
        figures["targets"] = _targets(single, job, pages)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    figures["peers_qr"] = "rectangles" if alternatives.QR_AS_RECTANGLES else "image, as the service"
    name = "certificate_pdfs_quick.json" if quick else "certificate_pdfs.json"
    if alternatives.QR_AS_RECTANGLES:
        name = name.replace(".json", "_peers_vector_qr.json")
    (RESULTS / name).write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


def _targets(single: dict[str, Any], job: dict[str, Any], pages: int) -> dict[str, Any]:
    """Issue 19's targets against Typst, issue 15's against reportlab: measured, target, met."""
    biggest = job["sizes"][str(pages)]
    documents = job["one_document_alongside"]
    found: dict[str, Any] = {}

    def put(name: str, value: float, target: float) -> None:
        found[name] = {"measured": value, "target": target, "met": value <= target}

    for peer, single_target, targets in (("typst", 1.0, (0.5, 0.3)), ("reportlab", 1.5, (1.0, 0.6))):
        if peer not in single["over"]:
            found[peer] = TYPST_MISSING
            continue
        put(f"one certificate over {peer}, wall", single["over"][peer]["wall"], single_target)
        put(f"one certificate over {peer}, CPU", single["over"][peer]["cpu"], single_target)
        for processes, target in zip(("1", "2"), targets, strict=True):
            ratio = biggest[f"{processes}_process_seconds"] / documents[peer][processes]["seconds"]
            put(
                f"{pages}-file, {processes} worker process(es), over {peer}'s one document",
                round(ratio, 2),
                target,
            )
    put("worker CPU per page, ms (1 process)", biggest["1_process_worker_cpu_ms_per_page"], 2.0)
    put("worker CPU per page, ms (2 processes)", biggest["2_process_worker_cpu_ms_per_page"], 2.0)
    put(
        "worker peak memory, MB",
        max(peak for peaks in job["worker_peak_rss_mb"].values() for peak in peaks),
        250,
    )
    put("growth exponent, 1 process", job["growth_exponent_1_process"], 1.1)
    return found


if __name__ == "__main__":
    main()
