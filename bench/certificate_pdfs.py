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

import asyncpg
import psutil
import redis
from alternatives import fpdf2_pdf, reportlab_pdf
from seeding import NAMES, seed_completers
from tortoise.context import TortoiseContext

from service import job_queue
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.requests import request_file
from service.database import migrate, tortoise_config
from service.pdf.render import CertificateText, render_certificate
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


def single_certificates(rounds: int) -> dict[str, Any]:
    """Warm: one certificate at a time, a new name each time, the contenders taking turns."""
    contenders: dict[str, Callable[[int], bytes]] = {
        "borb (service)": lambda n: render_certificate(text(n)),
        "reportlab": lambda n: reportlab_pdf([text(n)]),
        "fpdf2": lambda n: fpdf2_pdf([text(n)]),
    }
    for draw in contenders.values():  # warm-up: fonts instanced, caches filled
        for n in range(3):
            draw(n)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    sizes: dict[str, int] = {}
    for round_number in range(rounds):
        order = list(contenders)[round_number % 3 :] + list(contenders)[: round_number % 3]
        for name in order:
            seconds, pdf = timed(lambda: contenders[name](1000 + round_number))  # noqa: B023
            times[name].append(seconds)
            sizes[name] = len(pdf)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {
        "ms": {name: round(value, 1) for name, value in medians.items()},
        "bytes": sizes,
        "borb_over_reportlab": round(medians["borb (service)"] / medians["reportlab"], 2),
    }


def one_document(
    pages: int, runs: int, alongside: list[float] | None = None, alongside_mb: float = 0
) -> dict[str, Any]:
    """reportlab and fpdf2 drawing every page into one document, taking turns. With ``alongside``
    (reportlab's times taken in turn with the job path's largest files), reportlab is not drawn again."""
    contenders = [("fpdf2", fpdf2_pdf)] if alongside else [("reportlab", reportlab_pdf), ("fpdf2", fpdf2_pdf)]
    found: dict[str, list[float]] = {name: [] for name, _ in contenders}
    sizes: dict[str, int] = {}
    texts = [text(n) for n in range(pages)]
    if alongside:
        found["reportlab"] = alongside
        sizes["reportlab"] = round(alongside_mb * 1e6)
    for _ in range(runs):
        for name, draw in contenders:
            seconds, pdf = timed(lambda: draw(texts))  # noqa: B023
            found[name].append(seconds)
            sizes[name] = len(pdf)
    return {
        name: {"seconds": round(statistics.median(values), 2), "mb": round(sizes[name] / 1e6, 2)}
        for name, values in found.items()
    }


# ---------------------------------------------------------------- the real job path


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
    while True:
        job = await CertificateFileJob.get(id=job.id)
        if job.status in (FileJobStatus.READY, FileJobStatus.FAILED):
            break
        await asyncio.sleep(0.02)
    assert job.status is FileJobStatus.READY, job.error_message
    return time.perf_counter() - started, job


async def job_path(
    sizes: list[int], runs: int, process_counts: list[int], alongside: dict[str, list[float]] | None = None
) -> dict[str, Any]:
    """Combined files through the real job path. Before each run of the largest size, reportlab
    draws as many pages into one document here (the workers idle), and its times go to
    ``alongside``: the machine is shared, so a target's two sides are measured in turn."""
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
                        measured = []
                        for _ in range(runs):
                            if alongside is not None and size == sizes[-1]:
                                pages = [text(n) for n in range(size)]
                                seconds, pdf = timed(lambda: reportlab_pdf(pages))  # noqa: B023
                                alongside.setdefault(str(processes), []).append(seconds)
                                results["reportlab_one_document_mb"] = round(len(pdf) / 1e6, 2)
                            seconds, job = await _make_file(actor, recognition_id, take(size))
                            measured.append(seconds)
                        entry = results["sizes"].setdefault(str(size), {})
                        entry[f"{processes}_process_seconds"] = round(statistics.median(measured), 2)
                        entry["file_mb"] = round((job.file_size or 0) / 1e6, 2)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs (a smoke run)")
    quick = parser.parse_args().quick
    sizes, runs, pages = ([50, 200], 1, 200) if quick else ([50, 500, 2000], 3, 2000)
    single = single_certificates(rounds=9 if quick else 25)
    alongside: dict[str, list[float]] = {}  # reportlab's one document, in turn with the largest files
    job = asyncio.run(job_path(sizes, runs, [1, 2], alongside))
    if alongside:
        job["reportlab_one_document_seconds_alongside"] = {
            processes: round(statistics.median(times), 2) for processes, times in alongside.items()
        }
    figures: dict[str, Any] = {
        "single_certificate": single,
        "one_document": one_document(
            pages,
            runs,
            [t for times in alongside.values() for t in times],
            job.get("reportlab_one_document_mb", 0),
        ),
        "job_path": job,
        "settings": {"sizes": sizes, "runs": runs, "one_document_pages": pages, "threads_per_process": 1},
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if "sizes" in job:
        reportlab = job["reportlab_one_document_seconds_alongside"]
        biggest = job["sizes"][str(pages)]
        figures["targets"] = {
            "single_borb_over_reportlab (<= 1.5)": single["borb_over_reportlab"],
            "file_1_process_over_reportlab_one_document (<= 1.0)": round(
                biggest["1_process_seconds"] / reportlab["1"], 2
            ),
            "file_2_processes_over_reportlab_one_document (<= 0.6)": round(
                biggest["2_process_seconds"] / reportlab["2"], 2
            ),
            "worker_peak_rss_mb (< 250)": max(
                peak for peaks in job["worker_peak_rss_mb"].values() for peak in peaks
            ),
            "growth_exponent_1_process (<= 1.1)": job["growth_exponent_1_process"],
        }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    name = "certificate_pdfs_quick.json" if quick else "certificate_pdfs.json"
    (RESULTS / name).write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
