"""The `portal` command end to end: migrate, seed the demo, print a token, serve, answer over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

PORTAL = [sys.executable, "-m", "service.cli"]


def _run(*args: str, env: dict[str, str]) -> str:
    completed = subprocess.run(
        [*PORTAL, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    return {**clean, "PORTAL_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[str]:
    _run("migrate", env=env)
    _run("seed-demo", env=env)
    port = _free_port()
    process = subprocess.Popen(
        [*PORTAL, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, process)
        yield url
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
        # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why it stopped.
        assert b"Application shutdown complete." in errors


def _wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the server did not become ready")


def test_token_from_the_cli_signs_in_to_the_running_server(server: str, env: dict[str, str]) -> None:
    # given
    token = _run("token", "--email", "admin@riverside.example", env=env).strip()

    # when
    response = httpx.post(
        f"{server}/graphql",
        headers={"Authorization": f"Bearer {token}"},
        json={"query": "{ viewer { email partner { name } } }"},
        timeout=10,
    )

    # then
    assert response.json() == {
        "data": {
            "viewer": {"email": "admin@riverside.example", "partner": {"name": "Riverside State University"}}
        }
    }


def test_token_for_an_unknown_email_fails_clearly(env: dict[str, str]) -> None:
    _run("migrate", env=env)

    completed = subprocess.run(
        [*PORTAL, "token", "--email", "nobody@example.org"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (completed.returncode, completed.stdout, completed.stderr) == (
        1,
        "",
        "No user with the email 'nobody@example.org'.\n",
    )


def test_migrate_and_seed_report_what_they_did(env: dict[str, str]) -> None:
    assert _run("migrate", env=env) == "Database is up to date.\n"
    assert _run("seed-demo", env=env) == (
        "2 partners, 3 users, 4 programs, 12 cohorts, 400 course-takers, 400 enrollments, 8 recognitions\n"
    )
