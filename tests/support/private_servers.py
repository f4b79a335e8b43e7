"""A PostgreSQL and a Redis of the test's own, on free ports, that the test may stop and start: the
shared servers are never touched. PostgreSQL refuses to run as root, so as root it runs as the
`postgres` user (through `runuser`)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from tests.support.smtp_server import free_port

POSTGRES_BIN = Path(os.environ.get("PORTAL_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))


def _postgres_user() -> str | None:
    """Who runs PostgreSQL: this user, or `postgres` when this is root; None when neither can."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return "postgres" if shutil.which("runuser") else None


def private_postgres_missing() -> str | None:
    """Why a private PostgreSQL cannot be started here (a skip reason), or None."""
    if not (POSTGRES_BIN / "initdb").is_file():
        return f"no initdb under {POSTGRES_BIN} (set PORTAL_TEST_POSTGRES_BIN)"
    if _postgres_user() is None:
        return "running as root without a `postgres` user and runuser to run PostgreSQL as"
    return None


class PrivatePostgres:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.user = _postgres_user() or ""

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, self.user)
        self._run(
            str(POSTGRES_BIN / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "postgres.log")
        self._run(
            str(POSTGRES_BIN / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-l",
            log,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh PostgreSQL cluster, running; stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    os.chmod(folder, 0o755)
    server = PrivatePostgres(folder / "cluster")
    server.create()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start empty (nothing saved), as after a crash that lost the queue."""
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                if redis.Redis(port=self.port, socket_timeout=0.5).ping():
                    return
            time.sleep(0.05)
        raise AssertionError("the private Redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    folder = Path(tempfile.mkdtemp(prefix="portal-redis-"))
    server = PrivateRedis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
