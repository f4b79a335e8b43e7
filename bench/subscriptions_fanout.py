"""Subscriptions fan-out: 5,000 WebSocket clients following one certificates file through 2 API
processes (`portal serve --workers 2`), events through Redis pub/sub, the file made by a real
`portal worker` process; PostgreSQL for the data.

    .venv/bin/python bench/subscriptions_fanout.py [--clients 5000]

Figures: time from the worker's READY (the job's `finished_at`) to each client receiving it
(p50, p99, last), and the API processes' memory per idle subscription. Needs PostgreSQL and Redis
(BENCH_POSTGRES_URL, BENCH_REDIS_URL); says so if it skips.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import redis
from strawberry.relay import to_base64
from tortoise.context import TortoiseContext
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from certificate_pdfs import _admin, _with_database
from load_tools import free_port
from seeding import seed_completers

from service import job_queue
from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.requests import request_file
from service.database import migrate, tortoise_config
from service.job_queue import Job
from service.settings import Settings
from service.users.models import User
from service.users.tokens import issue_token
from workers.jobs import declare_jobs

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
UPDATES = "subscription($id: ID!) { certificateFileJobUpdated(id: $id) { status done total } }"


def _environment(settings: Settings) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    return environment | {
        "PORTAL_DATA_DIR": str(settings.data_dir),
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SECRET_KEY": settings.signing_secret(),
        "PORTAL_BROKER_URL": settings.broker_url,
        "PORTAL_PUBSUB_URL": settings.pubsub_url,
        "PORTAL_NAMESPACE": settings.namespace,
        "PORTAL_PROGRESS_SYNC_HOUR": "",
    }


def _start(
    settings: Settings, arguments: list[str], log: Path, ready: str, count: int
) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", *arguments],
            env=_environment(settings),
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    for _ in range(600):
        if log.read_text(errors="replace").count(ready) >= count:
            return process
        time.sleep(0.05)
    raise RuntimeError(log.read_text(errors="replace")[-2000:])


def _rss_mb(process: subprocess.Popen[bytes]) -> float:
    children = psutil.Process(process.pid).children(recursive=True)
    return sum(child.memory_info().rss for child in children) / 1e6


async def _client(
    url: str,
    token: str,
    job_id: str,
    subscribed: asyncio.Event,
    arrivals: list[float],
    gate: asyncio.Semaphore,
) -> None:
    # A few hundred handshakes at a time: thousands at once time out on a shared 2-core machine,
    # and the figure is the fan-out once everyone is subscribed, not how fast they joined.
    async with gate:
        socket = await connect(url, subprotocols=["graphql-transport-ws"], max_queue=None, open_timeout=60)  # type: ignore[list-item]
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": UPDATES, "variables": {"id": job_id}}}
            )
        )
        first = json.loads(await socket.recv())
        assert first["payload"]["data"]["certificateFileJobUpdated"]["status"] == "QUEUED", first
    subscribed.set()
    try:
        while True:
            message = json.loads(await socket.recv())
            if (
                message["type"] == "next"
                and message["payload"]["data"]["certificateFileJobUpdated"]["status"] == "READY"
            ):
                arrivals.append(time.time())
                return
    finally:
        await socket.close()


async def run(clients: int) -> dict[str, Any]:
    postgres, redis_url = os.environ.get("BENCH_POSTGRES_URL", ""), os.environ.get("BENCH_REDIS_URL", "")
    if not postgres or not redis_url:
        return {"skipped": "set BENCH_POSTGRES_URL and BENCH_REDIS_URL (make bench does)"}
    database = f"bench_{uuid.uuid4().hex[:8]}"
    await _admin(postgres, f'CREATE DATABASE "{database}"')
    folder = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        database_url=_with_database(postgres, database),
        broker_url=redis_url,
        pubsub_url=redis_url,
        namespace=f"bench-{uuid.uuid4().hex[:8]}",
    )
    await migrate(settings.database_url)
    port = free_port()
    api = worker = None
    try:
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(settings.database_url))
            actor, recognition_id, ids = await seed_completers(50)
            token = issue_token(
                await User.get(id=actor.user_id), secret=settings.signing_secret(), lifetime=timedelta(days=1)
            )
            job_queue.set_adapter(None)  # queued, not sent: the clients subscribe first
            job = await request_file(
                actor=actor, recognition_id=recognition_id, enrollment_ids=ids[:50], now=datetime.now(UTC)
            )
            api = _start(
                settings,
                ["serve", "--port", str(port), "--workers", "2"],
                folder / "api.log",
                "Application startup complete",
                2,
            )
            idle = _rss_mb(api)
            subscribed = [asyncio.Event() for _ in range(clients)]
            arrivals: list[float] = []
            url = f"ws://127.0.0.1:{port}/graphql"
            job_id = to_base64("CertificateFileJob", job.id)
            gate = asyncio.Semaphore(200)
            tasks = [
                asyncio.create_task(_client(url, token, job_id, event, arrivals, gate))
                for event in subscribed
            ]
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in subscribed)), 600)
            with_subscribers = _rss_mb(api)
            worker = _start(
                settings,
                ["worker", "--processes", "1", "--threads", "2"],
                folder / "worker.log",
                "Worker process is ready for action",
                1,
            )
            jobs = declare_jobs(settings)
            jobs.send(Job.BUILD_CERTIFICATE_FILE, job.id)
            await asyncio.wait_for(asyncio.gather(*tasks), 180)
            finished = await CertificateFileJob.get(id=job.id)
            assert finished.status is FileJobStatus.READY and finished.finished_at is not None
            jobs.broker.close()
    finally:
        for process in (worker, api):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)
        await _admin(postgres, f'DROP DATABASE "{database}" WITH (FORCE)')
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{settings.namespace}*"):
            client.delete(key)
    delays = sorted((arrival - finished.finished_at.timestamp()) * 1000 for arrival in arrivals)
    return {
        "clients": clients,
        "received_ready": len(delays),
        "ready_to_client_ms": {
            "p50": round(statistics.median(delays), 1),
            "p99": round(delays[max(0, int(len(delays) * 0.99) - 1)], 1),
            "last": round(delays[-1], 1),
        },
        "api_rss_mb": {"idle": round(idle, 1), "with_subscribers": round(with_subscribers, 1)},
        "kb_per_idle_subscription": round((with_subscribers - idle) * 1000 / clients, 1),
    }


def _enough_descriptors(clients: int) -> None:
    """A socket per client here and one in the API (its processes are this one's children, and
    inherit the limit): raise the soft limit on open files as far as the hard one allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * clients + 1024
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=5000)
    clients = parser.parse_args().clients
    _enough_descriptors(clients)
    figures = asyncio.run(run(clients))
    figures |= {
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, indent=2))
    if "ready_to_client_ms" in figures:  # issue 19's targets
        p99, memory = figures["ready_to_client_ms"]["p99"], figures["kb_per_idle_subscription"]
        print(
            f"READY to {clients:,} clients, p99: {p99:,.0f} ms "
            f"(target < 1,000 ms: {'met' if p99 < 1000 else 'missed'})"
        )
        print(
            f"memory per idle subscription: {memory} KB "
            f"(target ≤ 50 KB: {'met' if memory <= 50 else 'missed'})"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "subscriptions_fanout.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
