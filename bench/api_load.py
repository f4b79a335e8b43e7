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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from starlette.requests import Request
from strawberry.relay import from_base64
from tortoise.context import TortoiseContext

from service.clock import SystemClock
from service.database import migrate, tortoise_config
from service.graphql.core.context import Context
from service.graphql.schema import schema
from service.settings import Settings
from service.web.ratelimit import MemoryRateLimiter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import peer_postgraphile
from load_tools import SECRET, free_port, serve, wrk
from seeding import seed_dashboard

from tests.support.query_counter import counting_queries
from tests.support.round_trips import RoundTripCounter

RESULTS = Path(__file__).resolve().parent / "results"
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


async def in_process(
    settings: Settings, token: str, request_id: str, rounds: int, wire: RoundTripCounter | None = None
) -> dict[str, Any]:
    """The queries through `schema.execute` (no HTTP): milliseconds (median), SQL statements and,
    with ``wire`` (PostgreSQL), round trips to the server counted on the wire."""
    request = Request({"type": "http", "method": "POST", "headers": [], "client": ("127.0.0.1", 1)})

    async def run(query: str, variables: dict[str, Any] | None = None) -> tuple[float, int, int]:
        context = Context(
            request=request,
            settings=settings,
            authorization=f"Bearer {token}",
            request_id="bench",
            clock=SystemClock(),
            verify_limiter=MemoryRateLimiter(limit=30),
        )
        before = wire.round_trips if wire else 0
        with counting_queries() as statements:
            started = time.perf_counter()
            result = await schema.execute(query, variable_values=variables, context_value=context)
            seconds = time.perf_counter() - started
        assert result.errors is None, result.errors
        return seconds, len(statements), (wire.round_trips - before if wire else 0)

    cases = {
        "dashboard": (DASHBOARD, None),
        "certificates_10": (CANDIDATES, {"id": request_id, "first": 10}),
        "certificates_100": (CANDIDATES, {"id": request_id, "first": 100}),
        "viewer": (VIEWER, None),
    }
    found: dict[str, Any] = {}
    for name, (query, variables) in cases.items():
        await run(query, variables)  # warm-up (each statement prepared on the connection)
        times, counts, trips = [], set(), []
        for _ in range(rounds):
            seconds, count, round_trips = await run(query, variables)
            times.append(seconds)
            counts.add(count)
            trips.append(round_trips)
        found[name] = {"ms_p50": round(statistics.median(times) * 1000, 2), "sql_statements": sorted(counts)}
        if wire:
            found[name]["round_trips_p50"] = statistics.median(trips)
    return found


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
        token, request_id = await seed_dashboard(SECRET)
    return settings, token, request_id


async def drop(settings: Settings) -> None:
    if settings.resolved_database_url.startswith("postgres"):
        name = urlsplit(settings.resolved_database_url).path.lstrip("/")
        admin = await asyncpg.connect(os.environ["BENCH_POSTGRES_URL"])
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def measure(engine: str, seconds: int, folder: Path, peers_only: bool = False) -> dict[str, Any]:
    """One engine's figures (in a process of its own: Tortoise binds its models to one engine);
    ``peers_only``: only the comparison with PostGraphile (PostgreSQL)."""
    prepared = asyncio.run(prepare(engine, folder))
    if prepared is None:
        return {"skipped": f"{engine}: set BENCH_POSTGRES_URL (make bench does)"}
    settings, token, request_id = prepared
    if peers_only:
        try:
            return {"versus_postgraphile": versus_postgraphile(settings, token, request_id, seconds, folder)}
        finally:
            asyncio.run(drop(settings))

    async def measure_in_process() -> dict[str, Any]:
        url, wire = settings.resolved_database_url, None
        if engine == "postgresql":  # through a relay that counts round trips (tests/support)
            server = urlsplit(url)
            wire = RoundTripCounter(server.hostname or "127.0.0.1", server.port or 5432)
            await wire.start()
            credentials = server.netloc.rpartition("@")[0]
            url = urlunsplit(
                server._replace(netloc=f"{credentials}@127.0.0.1:{wire.port}", query="maxsize=1")
            )
        try:
            async with TortoiseContext() as context:
                await context.init(config=tortoise_config(url))
                return await in_process(settings, token, request_id, rounds=30, wire=wire)
        finally:
            if wire:
                await wire.cut()

    found: dict[str, Any] = {"in_process": asyncio.run(measure_in_process()), "load": {}}
    if engine == "postgresql":
        found["versus_postgraphile"] = versus_postgraphile(settings, token, request_id, seconds, folder)
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


def versus_postgraphile(
    settings: Settings, token: str, request_id: str, seconds: int, folder: Path
) -> dict[str, Any]:
    """The service (1 uvicorn process) and PostGraphile 5 (1 node process) on the same database,
    taking turns per query and client count: requests/s, server CPU per request, load average."""
    skipped = peer_postgraphile.install()
    if skipped:
        print(skipped, file=sys.stderr)
        return {"skipped": skipped}
    url = settings.resolved_database_url
    asyncio.run(peer_postgraphile.load_functions(url))
    ours, ours_url = serve(settings, 1, folder / "ours.log")
    peer, peer_url = peer_postgraphile.serve(url, SECRET, free_port(), folder / "postgraphile.log")
    key = int(from_base64(request_id)[1])
    try:
        cases = {
            "dashboard": ((DASHBOARD, None), (peer_postgraphile.DASHBOARD, None)),
            "certificates_100": (
                (CANDIDATES, {"id": request_id, "first": 100}),
                (peer_postgraphile.CANDIDATES, {"id": key, "first": 100}),
            ),
            "viewer": ((VIEWER, None), (peer_postgraphile.VIEWER, None)),
        }
        answers = {
            side: {name: peer_postgraphile.ask(address, token, *pair[index]) for name, pair in cases.items()}
            for side, address, index in (("ours", ours_url, 0), ("peer", peer_url, 1))
        }
        found: dict[str, Any] = {"same_data": peer_postgraphile.same_data(answers["ours"], answers["peer"])}
        for name, ((query, variables), (peer_query, peer_variables)) in cases.items():
            for clients in (1, 8):
                ours_figures = wrk(ours_url, token, query, variables, seconds, folder, clients, ours.pid)
                peer_figures = wrk(
                    peer_url, token, peer_query, peer_variables, seconds, folder, clients, peer.pid
                )
                found[f"{name}, {clients} client{'s' if clients > 1 else ''}"] = {
                    "ours": ours_figures,
                    "postgraphile": peer_figures,
                    "requests_ratio": round(
                        ours_figures["requests_per_second"] / peer_figures["requests_per_second"], 3
                    ),
                    "cpu_ratio": round(
                        ours_figures["server_cpu_ms_per_request"] / peer_figures["server_cpu_ms_per_request"],
                        2,
                    ),
                }
        return found
    finally:
        for process in (ours, peer):
            process.terminate()
            process.wait(timeout=30)


def print_targets(postgresql: dict[str, Any]) -> None:
    """Issue 19's API figures, beside PostGraphile's: requests/s (target ≥ 0.5×), server CPU per
    request (target ≤ 3×), round trips per request (target: one per statement)."""
    if "in_process" in postgresql:
        print("\nround trips per request (PostgreSQL, on the wire) / SQL statements:")
        for name, figure in postgresql["in_process"].items():
            print(f"  {name:18} {figure['round_trips_p50']:>4} / {figure['sql_statements']}")
    peers = postgresql.get("versus_postgraphile", {})
    if "skipped" in peers or not peers:
        print(peers.get("skipped", "PostGraphile: not measured"))
        return
    print(f"\nsame data as PostGraphile: {peers['same_data']}")
    print("query, clients              ours r/s   PG r/s  ratio   ours CPU ms  PG CPU ms  ratio  load")
    for name, figure in peers.items():
        if name == "same_data":
            continue
        ours, peer = figure["ours"], figure["postgraphile"]
        print(
            f"{name:27} {ours['requests_per_second']:>8} {peer['requests_per_second']:>8} "
            f"{figure['requests_ratio']:>6} {ours['server_cpu_ms_per_request']:>12} "
            f"{peer['server_cpu_ms_per_request']:>10} {figure['cpu_ratio']:>6} {ours['load_average']:>5}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=6, help="wrk's duration per query and set-up")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--peers-only",
        action="store_true",
        help="only the PostgreSQL comparison with PostGraphile (printed, results/ left as they are)",
    )
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-api-"))
    if arguments.engine:
        print(json.dumps(measure(arguments.engine, arguments.seconds, folder, arguments.peers_only)))
        return
    if shutil.which("wrk") is None:
        print("skipped: wrk is not installed (Debian: apt-get install wrk)")
        return
    if arguments.peers_only:
        command = [sys.executable, __file__, "--engine", "postgresql", "--peers-only"]
        output = subprocess.run(
            [*command, "--seconds", str(arguments.seconds)], stdout=subprocess.PIPE, text=True, check=True
        ).stdout
        print_targets(json.loads(output.strip().splitlines()[-1]))
        return
    figures: dict[str, Any] = {}
    for engine in ("sqlite", "postgresql"):
        output = subprocess.run(
            [sys.executable, __file__, "--engine", engine, "--seconds", str(arguments.seconds)],
            stdout=subprocess.PIPE,
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
    print_targets(figures["postgresql"])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api_load.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
