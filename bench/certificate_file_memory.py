"""Peak memory and time of one combined certificates file, made through the worker's code path.

    .venv/bin/python bench/certificate_file_memory.py [--certificates 2000] [--largest-chunk N]
        [--one-chunk-a-message]

Builds a throwaway database under a temporary folder, enrols N completers, and makes the file
as one worker would: each chunk's message (`build_part`, what the Dramatiq actor calls) in turn,
the last one joining the parts, the objects alive after the first message frozen as a worker
freezes them. A worker's message goes on with the chunks nobody took (for up to 5 s; the next
chunk is issued while a part is drawn, so two chunks are in hand at once): the first message makes
most of the file. With ``--one-chunk-a-message`` each makes its own chunk only, as before issue
19's fourth round. The request is timed too (its own SQL, and every selected name's printability
check). Prints a table and writes JSON to bench/results/. Memory is the process's peak resident
set (VmHWM); CPU time (`time.process_time`) is the whole loop's, and a page's after the first
message (with one chunk a message: the worker's steady state, fonts instanced, scripts looked up),
with the time the garbage collector's passes took in it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from seeding import seed_completers
from tortoise.context import TortoiseContext

from service.certificate_files import build, requests
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob
from service.certificate_files.requests import request_file
from service.database import migrate, tortoise_config
from service.mail.compose import MailConfig
from workers.runtime import freeze_long_lived_objects

RESULTS = Path(__file__).resolve().parent / "results"


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(count: int, *, largest_chunk: int, one_chunk_a_message: bool) -> dict[str, object]:
    requests.LARGEST_CHUNK = largest_chunk
    folder = Path(tempfile.mkdtemp(prefix="bench-files-"))
    url = f"sqlite://{folder / 'bench.sqlite3'}"
    await migrate(url)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(url))
        now = datetime(2026, 9, 19, tzinfo=UTC)
        actor, recognition_id, ids = await seed_completers(count)
        # The request: the selection checked, every name's printability too (in the API process).
        requested, request_cpu = time.perf_counter(), time.process_time()
        job = await request_file(actor=actor, recognition_id=recognition_id, enrollment_ids=ids, now=now)
        requested, request_cpu = time.perf_counter() - requested, time.process_time() - request_cpu
        work = build.FileWork(
            files_dir=folder / "files",
            public_url="http://127.0.0.1:8000",
            mail_config=MailConfig(sender="r@example.org", public_url="x"),
        )
        if one_chunk_a_message:
            work = replace(work, run=timedelta(0))
        before = peak_rss_mb()
        chunks = (
            await CertificateFileChunk.filter(job_id=job.id).order_by("position").values_list("id", "size")
        )
        collecting = _GarbageCollectorTime()
        started, cpu_started = time.perf_counter(), time.process_time()
        for number, (chunk_id, _size) in enumerate(chunks):
            await build.build_part(chunk_id=chunk_id, clock=lambda: datetime.now(UTC), work=work)
            if number == 0:
                freeze_long_lived_objects()  # as workers/jobs.py does after a process's first message
                made = await CertificateFileChunk.filter(job_id=job.id, done_at__isnull=False).count()
                steady_cpu, steady_pages = time.process_time(), count - sum(size for _, size in chunks[:made])
                gc.callbacks.append(collecting)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        steady = (time.process_time() - steady_cpu) / max(steady_pages, 1)
        gc.callbacks.remove(collecting)
        finished = await CertificateFileJob.get(id=job.id)  # joined by whichever message made the last part
        assert finished.page_count == count
        return {
            "certificates": count,
            "largest_chunk": largest_chunk,
            "one_chunk_a_message": one_chunk_a_message,
            "chunks_made_by_the_first_message": made,
            "request_seconds": round(requested, 3),
            "request_cpu_seconds": round(request_cpu, 3),
            "seconds": round(seconds, 2),
            "ms_per_certificate": round(seconds * 1000 / count, 1),
            "cpu_seconds": round(cpu, 2),
            "cpu_ms_per_page_after_the_first_message": round(steady * 1000, 3),
            "gc_ms_per_page_after_the_first_message": round(
                collecting.seconds * 1000 / max(steady_pages, 1), 3
            ),
            "chunks": len(chunks),
            "load_average": round(os.getloadavg()[0], 2),
            "peak_rss_mb_before_job": round(before, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "file_mb": round((finished.file_size or 0) / 1e6, 2),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": __import__("os").cpu_count(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
        }


class _GarbageCollectorTime:
    """A ``gc.callbacks`` entry adding up the CPU time of the collector's passes."""

    def __init__(self) -> None:
        self.seconds, self._started = 0.0, 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds += time.process_time() - self._started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=2000)
    parser.add_argument("--largest-chunk", type=int, default=requests.LARGEST_CHUNK)
    parser.add_argument("--one-chunk-a-message", action="store_true")
    arguments = parser.parse_args()
    figures = asyncio.run(
        run(
            arguments.certificates,
            largest_chunk=arguments.largest_chunk,
            one_chunk_a_message=arguments.one_chunk_a_message,
        )
    )
    for name, value in figures.items():
        print(f"{name:>24}  {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "certificate_file_memory.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
