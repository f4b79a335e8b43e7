"""Serving the app under uvicorn and loading it with wrk, for the API benchmarks: requests per
second, latency, and the server's CPU per request (its process and children, user + system) with
the load average at the time."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil

from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-" + "x" * 32


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its children (uvicorn's workers), user + system."""
    process = psutil.Process(pid)
    total = 0.0
    for each in [process, *process.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


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
    server_pid: int | None = None,
) -> dict[str, float]:
    """wrk's figures; with ``server_pid``, the server's CPU per request (ms) too."""
    body = json.dumps({"query": query, "variables": variables or {}})
    script = folder / f"{uuid.uuid4().hex}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
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
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    found = {
        "requests_per_second": round(rps, 1),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "load_average": load_average(),
    }
    if server_pid:
        found["server_cpu_ms_per_request"] = round(
            (cpu_seconds(server_pid) - cpu_before) * 1000 / requests, 3
        )
    return found
