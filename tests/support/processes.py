"""`portal` processes for the at-scale tests: workers and API servers, started and stopped for real."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from service.settings import Settings
from tests.support.smtp_server import free_port

PORTAL = [sys.executable, "-m", "service.cli"]


def environment(settings: Settings, **more: str) -> dict[str, str]:
    """The settings as a `portal` process reads them (and nothing else of ours from this one)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    return clean | {
        "PORTAL_DATA_DIR": str(settings.data_dir),
        "PORTAL_DATABASE_URL": settings.resolved_database_url,
        "PORTAL_SECRET_KEY": settings.signing_secret(),
        "PORTAL_BROKER_URL": settings.broker_url,
        "PORTAL_PUBSUB_URL": settings.pubsub_url,
        "PORTAL_NAMESPACE": settings.namespace,
        **more,
    }


def start(settings: Settings, *arguments: str, log: str, **more: str) -> subprocess.Popen[bytes]:
    """`portal …` in a process group of its own (Dramatiq and uvicorn fork children)."""
    # Multiprocess metrics in the test's folder (removed with it), not a new folder under /tmp each time.
    more.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="metrics-", dir=settings.data_dir))
    # Its log goes to a file: a pipe nobody reads would fill up and stop the process.
    with (settings.data_dir / log).open("ab") as output:
        return subprocess.Popen(
            [*PORTAL, *arguments],
            env=environment(settings, **more),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_worker(settings: Settings, **more: str) -> subprocess.Popen[bytes]:
    # Its metrics on a port of its own: tests (and people) running at once must not share one.
    more.setdefault("PORTAL_WORKER_METRICS_PORT", str(free_port()))
    return start(settings, "worker", "--processes", "1", "--threads", "2", log="worker.log", **more)


def start_api(settings: Settings, port: int, *, workers: int = 1, **more: str) -> subprocess.Popen[bytes]:
    arguments = ("serve", "--port", str(port), "--workers", str(workers))
    process = start(settings, *arguments, log="api.log", **more)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        assert process.poll() is None, (settings.data_dir / "api.log").read_text()
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("the API did not become ready")


def stop(process: subprocess.Popen[bytes], how: signal.Signals = signal.SIGTERM) -> None:
    """SIGTERM to the main process (it stops its children gracefully), or SIGKILL to its whole group
    and to the groups of its children (`portal worker` runs Dramatiq in a session of its own)."""
    groups = {process.pid, *_children_groups(process.pid)}
    try:
        if how is signal.SIGKILL:
            _kill(groups)
        else:
            process.send_signal(how)
        process.wait(timeout=30)
    finally:
        _kill(groups | _children_groups(process.pid))
        process.wait()


def _kill(groups: set[int]) -> None:
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _children_groups(pid: int) -> set[int]:
    """The process groups of the processes ``pid`` started (read from /proc)."""
    groups: set[int] = set()
    if not Path("/proc").is_dir():
        return groups
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # it ended meanwhile
                continue
            _, parent, group = stat.rsplit(")", 1)[1].split()[:3]
            if int(parent) == pid:
                groups.add(int(group))
    return groups
