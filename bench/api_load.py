"""The API under load: `portal`'s app served by uvicorn on loopback, driven by wrk from another
process, with demo-like data scaled to 50 recognitions and 5,000 course-takers.

    .venv/bin/python bench/api_load.py [--seconds 8]

Three queries a partner's pages send: the dashboard (first 50 recognitions with their cohorts and
programs), the certificates step (first 100 candidates with course-taker, cohort, program, type)
and `viewer`. Figures: requests per second and p50/p99 latency at 1 and 2 uvicorn workers, on
SQLite and on PostgreSQL (BENCH_POSTGRES_URL; skipped without it); SQL statements per request at
page sizes 10 and 100; and the same queries run in-process through `schema.execute` (no HTTP), to
show where the time goes. Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from starlette.requests import Request
from strawberry.relay import to_base64
from tortoise.context import TortoiseContext

from service.clock import SystemClock
from service.cohorts.models import CertificateType, Cohort, Program
from service.database import migrate, tortoise_config
from service.enrollments.models import CourseTaker, Enrollment
from service.graphql.core.context import Context
from service.graphql.schema import schema
from service.partners.models import Partner
from service.recognitions.models import Recognition, RecognitionCohort, RecognitionKind, StoredStatus
from service.settings import Settings
from service.users.models import Role, User
from service.users.tokens import issue_token
from service.web.ratelimit import MemoryRateLimiter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.query_counter import counting_queries

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-" + "x" * 32
DASHBOARD = """{ recognitions(first: 50) { edges { node {
  id name status availableActions cohorts { name endsOn program { name certificateType { name } } }
} } } }"""
CANDIDATES = """query($id: ID!, $first: Int!) { recognition(id: $id) { ... on CertificateRequest {
  certificateCandidates(first: $first) { totalCount edges { node {
    enrollmentId name email kind completedAt cohort { name } program { name } certificateType { name }
    progress { percent modulesCompleted }
  } } }
} } }"""
VIEWER = "{ viewer { email name partner { name } } }"


async def seed(recognitions: int = 50, course_takers: int = 5000) -> tuple[str, str]:
    """One partner with 4 programs of 5 cohorts, the course-takers spread over them, and the
    recognitions over the cohorts; the admin's token and a certificate request's global id."""
    now = datetime.now(UTC)
    partner = await Partner.create(name="Riverside State University", slug="riverside", time_zone="UTC")
    admin = await User.create(
        email="admin@riverside.example", name="Dana", role=Role.PARTNER_ADMIN, partner=partner
    )
    cohorts = []
    for number in range(4):
        kind = await CertificateType.create(code=f"T{number}", name=f"Certificate in Practice {number}")
        program = await Program.create(partner=partner, name=f"Program {number}", certificate_type=kind)
        for letter in range(5):
            cohorts.append(
                await Cohort.create(
                    partner=partner,
                    program=program,
                    name=f"Cohort {'ABCDE'[letter]}",
                    starts_on=date(2026, 1, 1) + timedelta(days=30 * letter),
                    ends_on=date(2026, 6, 1) + timedelta(days=30 * letter),
                )
            )
    await CourseTaker.bulk_create(
        [
            CourseTaker(partner=partner, name=f"Learner {n:05d}", email=f"l{n}@example.org")
            for n in range(course_takers)
        ],
        batch_size=1000,
    )
    takers = list(await CourseTaker.filter(partner=partner).order_by("id").values_list("id", flat=True))
    programs = {p.id: p for p in await Program.all()}
    enrollments = []
    for index, taker in enumerate(takers):
        cohort = cohorts[index % len(cohorts)]
        done = index % 3 == 0
        enrollments.append(
            Enrollment(
                course_taker_id=taker,
                cohort_id=cohort.id,
                modules_required=20,
                modules_completed=20 if done else index % 20,
                percent_complete=Decimal(100 if done else (index % 20) * 5),
                completed_at=now if done else None,
                certified=done,
                certificate_type_id=programs[cohort.program_id].certificate_type_id,
            )
        )
    await Enrollment.bulk_create(enrollments, batch_size=1000)
    request_id = 0
    for number in range(recognitions):
        recognition = await Recognition.create(
            partner=partner,
            kind=RecognitionKind.CERTIFICATE_REQUEST if number % 2 else RecognitionKind.CEREMONY,
            name=f"Recognition {number}",
            status=StoredStatus.CREATED if number % 2 else StoredStatus.DRAFT,
            range_start=date(2026, 1, 1),
            range_end=date(2026, 12, 31),
            created_by=admin,
            created_at=now - timedelta(minutes=number),
            updated_at=now,
        )
        for offset in range(4):
            await RecognitionCohort.create(
                recognition=recognition, cohort=cohorts[(number + offset * 5) % len(cohorts)]
            )
        if number % 2:
            request_id = recognition.id
    token = issue_token(admin, secret=SECRET, lifetime=timedelta(days=1))
    return token, to_base64("CertificateRequest", request_id)


async def in_process(settings: Settings, token: str, request_id: str, rounds: int) -> dict[str, Any]:
    """The queries through `schema.execute` (no HTTP): milliseconds (median) and SQL statements."""
    request = Request({"type": "http", "method": "POST", "headers": [], "client": ("127.0.0.1", 1)})

    async def run(query: str, variables: dict[str, Any] | None = None) -> tuple[float, int]:
        context = Context(
            request=request,
            settings=settings,
            authorization=f"Bearer {token}",
            request_id="bench",
            clock=SystemClock(),
            verify_limiter=MemoryRateLimiter(limit=30),
        )
        with counting_queries() as statements:
            started = time.perf_counter()
            result = await schema.execute(query, variable_values=variables, context_value=context)
            seconds = time.perf_counter() - started
        assert result.errors is None, result.errors
        return seconds, len(statements)

    cases = {
        "dashboard": (DASHBOARD, None),
        "certificates_10": (CANDIDATES, {"id": request_id, "first": 10}),
        "certificates_100": (CANDIDATES, {"id": request_id, "first": 100}),
        "viewer": (VIEWER, None),
    }
    found: dict[str, Any] = {}
    for name, (query, variables) in cases.items():
        await run(query, variables)  # warm-up
        times, counts = [], set()
        for _ in range(rounds):
            seconds, count = await run(query, variables)
            times.append(seconds)
            counts.add(count)
        found[name] = {"ms_p50": round(statistics.median(times) * 1000, 2), "sql_statements": sorted(counts)}
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(settings: Settings, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The app under uvicorn (the CLI asks for PostgreSQL, a broker and Redis before it runs several
    processes; this read-only load needs none of them, so uvicorn is started directly)."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    environment |= {
        "PORTAL_DATA_DIR": str(settings.data_dir),
        "PORTAL_DATABASE_URL": settings.resolved_database_url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_PROGRESS_SYNC_HOUR": "",
    }
    arguments = [
        "uvicorn",
        "service.app:create_app",
        "--factory",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", *arguments, "--no-access-log", "--log-level", "warning"],
            env=environment,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(log.read_text(errors="replace")[-2000:])


def wrk(
    url: str,
    token: str,
    query: str,
    variables: dict[str, Any] | None,
    seconds: int,
    folder: Path,
    clients: int = 8,
) -> dict[str, float]:
    body = json.dumps({"query": query, "variables": variables or {}})
    script = folder / f"{uuid.uuid4().hex}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    output = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", str(script), f"{url}/graphql"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(output)

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()  # type: ignore[union-attr]
        return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 2)

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return {"requests_per_second": round(rps, 1), "p50_ms": latency("50"), "p99_ms": latency("99")}


async def prepare(engine: str, folder: Path) -> tuple[Settings, str, str] | None:
    if engine == "sqlite":
        settings = Settings(_env_file=None, data_dir=folder / "sqlite", secret_key=SECRET)  # type: ignore[call-arg]
        settings.data_dir.mkdir()
    else:
        postgres = os.environ.get("BENCH_POSTGRES_URL", "")
        if not postgres:
            return None
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(postgres)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = urlunsplit(urlsplit(postgres)._replace(path=f"/{name}"))
        settings = Settings(_env_file=None, data_dir=folder / "pg", database_url=url, secret_key=SECRET)  # type: ignore[call-arg]
        settings.data_dir.mkdir()
    await migrate(settings.resolved_database_url)
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(settings.resolved_database_url))
        token, request_id = await seed()
    return settings, token, request_id


async def drop(settings: Settings) -> None:
    if settings.resolved_database_url.startswith("postgres"):
        name = urlsplit(settings.resolved_database_url).path.lstrip("/")
        admin = await asyncpg.connect(os.environ["BENCH_POSTGRES_URL"])
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def measure(engine: str, seconds: int, folder: Path) -> dict[str, Any]:
    """One engine's figures (in a process of its own: Tortoise binds its models to one engine)."""
    prepared = asyncio.run(prepare(engine, folder))
    if prepared is None:
        return {"skipped": f"{engine}: set BENCH_POSTGRES_URL (make bench does)"}
    settings, token, request_id = prepared

    async def measure_in_process() -> dict[str, Any]:
        async with TortoiseContext() as context:
            await context.init(config=tortoise_config(settings.resolved_database_url))
            return await in_process(settings, token, request_id, rounds=30)

    found: dict[str, Any] = {"in_process": asyncio.run(measure_in_process()), "load": {}}
    for workers in (1, 2):
        server, url = serve(settings, workers, folder / f"{engine}-{workers}.log")
        try:
            candidates = {"id": request_id, "first": 100}
            found["load"][f"{workers} worker{'s' if workers > 1 else ''}"] = {
                "dashboard": wrk(url, token, DASHBOARD, None, seconds, folder),
                "certificates_100": wrk(url, token, CANDIDATES, candidates, seconds, folder),
                "viewer": wrk(url, token, VIEWER, None, seconds, folder),
                # One client at a time: the latency a user sees while the server is not saturated.
                "certificates_100_one_client": wrk(url, token, CANDIDATES, candidates, seconds, folder, 1),
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    asyncio.run(drop(settings))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=6, help="wrk's duration per query and set-up")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-api-"))
    if arguments.engine:
        print(json.dumps(measure(arguments.engine, arguments.seconds, folder)))
        return
    if shutil.which("wrk") is None:
        print("skipped: wrk is not installed (Debian: apt-get install wrk)")
        return
    figures: dict[str, Any] = {}
    for engine in ("sqlite", "postgresql"):
        output = subprocess.run(
            [sys.executable, __file__, "--engine", engine, "--seconds", str(arguments.seconds)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        figures[engine] = json.loads(output.strip().splitlines()[-1])
    figures |= {
        "settings": {
            "seconds": arguments.seconds,
            "wrk": "1 thread, 8 connections (and 1, where named)",
            "recognitions": 50,
            "course_takers": 5000,
        },
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api_load.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
