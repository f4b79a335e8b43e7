"""The `portal` command end to end: migrate, seed the demo, print a token, serve, answer over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from websockets.typing import Subprotocol

from service.certificates.rules import new_code
from tests.support.databases import POSTGRES_URL
from tests.support.fake_canvas import FakeCanvas, Student
from tests.support.live_server import serving

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


def _environment(data_dir: Path) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    return {**clean, "PORTAL_DATA_DIR": str(data_dir)}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return _environment(tmp_path / "data")


@pytest.fixture(scope="module")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _environment(tmp_path_factory.mktemp("server") / "data")


@pytest.fixture(scope="module")
def server(server_env: dict[str, str]) -> Iterator[str]:
    """One demo server for the tests that only read from it."""
    env = server_env
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


def test_token_from_the_cli_signs_in_to_the_running_server(server: str, server_env: dict[str, str]) -> None:
    # given
    token = _run("token", "--email", "admin@riverside.example", env=server_env).strip()

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


# This version's migrations, as their files name them.
MIGRATIONS = sorted(
    path.stem for path in (Path(__file__).parent.parent / "service" / "migrations").glob("0*.py")
)


def test_migrate_and_seed_report_what_they_did(env: dict[str, str]) -> None:
    # when an empty database is migrated, then migrated again, and seeded
    first = _run("migrate", env=env)
    again = _run("migrate", env=env)
    seeded = _run("seed-demo", env=env)

    # then the first says what it applied, the second that there was nothing to do
    assert len(MIGRATIONS) > 1
    assert first == (
        f"Applied {len(MIGRATIONS)} migrations ({MIGRATIONS[0]} … {MIGRATIONS[-1]}); "
        "the database is up to date.\n"
    )
    assert again == "Database is up to date.\n"
    assert seeded == (
        "2 partners, 3 users, 4 programs, 12 cohorts, 400 course-takers, 400 enrollments, 8 recognitions\n"
    )


def test_migrate_names_ceremonies_kept_in_a_zone_that_is_no_place(env: dict[str, str]) -> None:
    # given a ceremony saved before "localtime" (the machine's own zone) was refused
    _run("migrate", env=env)
    _run("seed-demo", env=env)
    with sqlite3.connect(Path(env["PORTAL_DATA_DIR"]) / "portal.sqlite3") as database:
        [(ceremony_id,)] = database.execute(
            "SELECT id FROM recognition WHERE name = 'Summer pinning ceremony' ORDER BY id LIMIT 1"
        )
        database.execute("UPDATE recognition SET time_zone = 'localtime' WHERE id = ?", (ceremony_id,))

    # when the database is migrated
    status, out, err = _attempt("migrate", env=env)

    # then it is up to date, and the ceremony is named for staff to give it its zone
    assert (status, out, err) == (
        0,
        "Database is up to date.\n",
        f"Ceremony {ceremony_id} \u201cSummer pinning ceremony\u201d is kept in the time zone 'localtime', "
        "which is not an IANA time zone: its day, and when it turns Past, depend on this machine. Give it "
        "its zone (ceremonyUpdate's start.timeZone).\n",
    )


def _attempt(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """`portal …` that may fail: its exit status, stdout and stderr."""
    completed = subprocess.run(
        [*PORTAL, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    return completed.returncode, completed.stdout, completed.stderr


@pytest.mark.parametrize(
    "command",
    [("outbox",), ("token", "--email", "admin@riverside.example"), ("sync-progress",), ("serve",)],
    ids=["outbox", "token", "sync-progress", "serve"],
)
def test_a_command_without_a_database_says_to_migrate_and_makes_none(
    env: dict[str, str], command: tuple[str, ...]
) -> None:
    # given a data folder that does not exist yet
    data = Path(env["PORTAL_DATA_DIR"])

    # when
    said = _attempt(*command, env=env)

    # then one line, and neither the folder nor an empty database made
    assert said == (1, "", f"There is no database at {data / 'portal.sqlite3'} yet: run `portal migrate`.\n")
    assert not data.exists()


@pytest.mark.skipif(not POSTGRES_URL, reason="PORTAL_TEST_POSTGRES_URL is not set")
@pytest.mark.parametrize(
    "command", [("migrate",), ("outbox",), ("serve",)], ids=["migrate", "outbox", "serve"]
)
def test_a_postgresql_database_that_does_not_exist_is_named_with_how_to_create_it(
    env: dict[str, str], command: tuple[str, ...]
) -> None:
    # given a server that answers, and a database name it does not have
    name = f"portal_test_missing_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    host, port = urlsplit(url).hostname, urlsplit(url).port or 5432

    # when
    said = _attempt(*command, env={**env, "PORTAL_DATABASE_URL": url})

    # then one line: which database, on which server, how to create it (not "cannot reach")
    assert said == (
        1,
        "",
        f"The database {name} does not exist on the PostgreSQL server at {host}:{port}: create it, owned by "
        f"PORTAL_DATABASE_URL's user (`createdb -h {host} -p {port} -O <user> {name}`), then run "
        "`portal migrate`.\n",
    )


def test_a_worker_without_a_usable_database_says_why_in_a_line_and_starts_no_process(
    env: dict[str, str],
) -> None:
    # given a broker URL (nothing need listen: the database is checked first), and no database
    data = Path(env["PORTAL_DATA_DIR"])
    with_broker = {**env, "PORTAL_BROKER_URL": f"redis://127.0.0.1:{_free_port()}/0"}
    closed = str(_free_port())  # nothing listens there

    # when a worker starts without a database, and with one it cannot reach
    missing = _attempt("worker", env=with_broker)
    unreachable = _attempt(
        "worker", env={**with_broker, "PORTAL_DATABASE_URL": f"postgres://portal@127.0.0.1:{closed}/portal"}
    )

    # then each is one line and exit status 1, as `portal serve` says it
    assert missing == (
        1,
        "",
        f"There is no database at {data / 'portal.sqlite3'} yet: run `portal migrate`.\n",
    )
    assert unreachable == (
        1,
        "",
        "Cannot reach the database (ConnectionRefusedError); is it running, is the URL right?\n",
    )
    assert not data.exists()


@pytest.mark.parametrize("command", [("outbox",), ("serve",)], ids=["outbox", "serve"])
def test_a_database_without_tables_or_behind_this_version_says_to_migrate(
    env: dict[str, str], command: tuple[str, ...]
) -> None:
    # given an empty database file, and a database whose last migration is not applied
    empty, behind = Path(env["PORTAL_DATA_DIR"]), Path(env["PORTAL_DATA_DIR"] + "-behind")
    empty.mkdir()
    (empty / "portal.sqlite3").touch()
    _run("migrate", env={**env, "PORTAL_DATA_DIR": str(behind)})
    with sqlite3.connect(behind / "portal.sqlite3") as database:
        database.execute("DELETE FROM tortoise_migrations WHERE name = ?", (MIGRATIONS[-1],))

    # when
    said_empty = _attempt(*command, env=env)
    said_behind = _attempt(*command, env={**env, "PORTAL_DATA_DIR": str(behind)})

    # then
    assert said_empty == (
        1,
        "",
        f"The database at {empty / 'portal.sqlite3'} has none of the service's tables yet: "
        "run `portal migrate`.\n",
    )
    assert said_behind == (
        1,
        "",
        f"The database at {behind / 'portal.sqlite3'} is 1 migration behind this version "
        f"(from {MIGRATIONS[-1]}): run `portal migrate`.\n",
    )


def test_an_explicit_database_url_in_a_missing_folder_is_refused_and_no_folder_made(tmp_path: Path) -> None:
    # given a database URL whose folder does not exist
    database = tmp_path / "nonexistent" / "dir" / "x.sqlite3"
    env = {**_environment(tmp_path / "data"), "PORTAL_DATABASE_URL": f"sqlite://{database}"}

    # when the server is started, a command run, and the database migrated
    served = _attempt("serve", "--port", str(_free_port()), env=env)
    listed = _attempt("outbox", env=env)
    migrated = _attempt("migrate", env=env)

    # then each says in one line what is wrong (the folder: `portal migrate` does not make it), and
    # nothing was made
    missing = (
        f"There is no database at {database}: the folder {database.parent} does not exist. Make it, then "
        "run `portal migrate`.\n"
    )
    assert (served, listed) == ((1, "", missing), (1, "", missing))
    assert migrated == (
        1,
        "",
        f"Cannot make the database at {database}: the folder {database.parent} does not exist.\n",
    )
    assert not (tmp_path / "nonexistent").exists()


def test_a_database_path_through_a_file_or_onto_a_folder_is_named_with_the_problem(tmp_path: Path) -> None:
    # given a database URL whose "folder" is a file, and a data folder whose database is a folder
    (tmp_path / "a-file").touch()
    through_file = tmp_path / "a-file" / "x.sqlite3"
    data = tmp_path / "data"
    (data / "portal.sqlite3").mkdir(parents=True)
    env = _environment(data)

    # when
    made = _attempt("migrate", env={**env, "PORTAL_DATABASE_URL": f"sqlite://{through_file}"})
    listed = _attempt("outbox", env={**env, "PORTAL_DATABASE_URL": f"sqlite://{through_file}"})
    opened = _attempt("outbox", env=env)
    migrated = _attempt("migrate", env=env)

    # then
    assert made == (
        1,
        "",
        f"Cannot make the database at {through_file}: the folder {tmp_path / 'a-file'} is not a folder.\n",
    )
    assert listed == (
        1,
        "",
        f"There is no database at {through_file}: {tmp_path / 'a-file'} is not a folder.\n",
    )
    folder = f"The database at {data / 'portal.sqlite3'} is a folder, not a file.\n"
    assert (opened, migrated) == ((1, "", folder), (1, "", folder))


def test_a_file_that_is_not_a_database_is_named_with_sqlites_words(env: dict[str, str]) -> None:
    # given a data folder whose database file holds something else
    data = Path(env["PORTAL_DATA_DIR"])
    data.mkdir()
    (data / "portal.sqlite3").write_text("not a database, just words\n" * 200)

    # when
    said = _attempt("outbox", env=env)

    # then
    assert said == (
        1,
        "",
        f"Cannot read the database at {data / 'portal.sqlite3'}: file is not a database.\n",
    )


@contextlib.contextmanager
def _unwritable(path: Path) -> Iterator[str]:
    """The file made unwritable for this process; yields the system's words for it. As root the
    mode bits do not stop a write, so the file is made immutable (chattr +i) instead."""
    if os.geteuid() != 0:
        path.chmod(0o400)
        yield "Permission denied"
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: no way to make a file unwritable")
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"chattr +i refused here: {made.stderr.strip()}")
    try:
        yield "Operation not permitted"
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_database_file_that_cannot_be_written_is_named_with_the_problem(env: dict[str, str]) -> None:
    # given a migrated database
    _run("migrate", env=env)
    database = Path(env["PORTAL_DATA_DIR"]) / "portal.sqlite3"

    # when its file cannot be written
    with _unwritable(database) as reason:
        listed = _attempt("outbox", env=env)
        served = _attempt("serve", "--port", str(_free_port()), env=env)
        migrated = _attempt("migrate", env=env)

    # then each command says so in one line
    said = (1, "", f"Cannot write the database at {database}: {reason}.\n")
    assert (listed, served, migrated) == (said, said, said)


def test_token_days_must_be_from_1_to_365(env: dict[str, str]) -> None:
    # given a user
    _run("migrate", env=env)
    _run("seed-demo", env=env)
    wide = {**env, "COLUMNS": "80"}  # typer draws its error in a box as wide as the terminal

    # when
    none = _attempt("token", "--email", "admin@riverside.example", "--days", "0", env=wide)
    negative = _attempt("token", "--email", "admin@riverside.example", "--days", "-5", env=wide)
    too_many = _attempt("token", "--email", "admin@riverside.example", "--days", "366", env=wide)
    one = _run("token", "--email", "admin@riverside.example", "--days", "1", env=env)
    default = _run("token", "--email", "admin@riverside.example", env=env)

    # then
    def refused(words: str) -> tuple[int, str, str]:
        return (
            2,
            "",
            "Usage: python -m service.cli token [OPTIONS]\n"
            "Try 'python -m service.cli token --help' for help.\n"
            "╭─ Error ──────────────────────────────────────────────────────────────────────╮\n"
            f"│ Invalid value for '--days': {words:<49}│\n"
            "╰──────────────────────────────────────────────────────────────────────────────╯\n",
        )

    assert none == refused("Input should be greater than or equal to 1")
    assert negative == refused("Input should be greater than or equal to 1")
    assert too_many == refused("Input should be less than or equal to 365")
    assert [_lifetime_days(token) for token in (one, default)] == [1, 30]


def _lifetime_days(token: str) -> float:
    import jwt

    claims = jwt.decode(token.strip(), options={"verify_signature": False})
    return float(claims["exp"] - claims["iat"]) / 86400


def test_settings_serve_could_not_start_with_stop_every_command(env: dict[str, str]) -> None:
    # when the server is started with a log level, an origin and a sender that cannot work
    said = _attempt(
        "serve",
        env={
            **env,
            "PORTAL_LOG_LEVEL": "LOUD",
            "PORTAL_ALLOWED_ORIGINS": "notanorigin",
            "PORTAL_MAIL_FROM": "nobody",
        },
    )

    # then
    assert said == (
        2,
        "",
        "portal: these settings cannot work:\n"
        "  PORTAL_ALLOWED_ORIGINS: must be http(s)://host[:port] with no path, e.g. "
        "https://portal.example.edu (or * for pages anywhere)\n"
        "  PORTAL_MAIL_FROM: must be one mail address, alone or after a name: "
        "Recognition <recognition@example.edu>\n"
        "  PORTAL_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (in any case)\n",
    )


async def _graphql_over_websocket(url: str, init_payload: dict[str, str]) -> list[dict[str, object]]:
    """Speak graphql-transport-ws: init, one operation, and every message until it completes."""
    import json

    from websockets.asyncio.client import connect

    async with connect(
        url.replace("http", "ws") + "/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": init_payload}))
        received = [json.loads(await socket.recv())]
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ viewer { email } }"}})
        )
        while received[-1]["type"] not in {"complete", "error"}:
            received.append(json.loads(await socket.recv()))
        return received


async def test_websocket_signs_in_with_the_connection_init_payload(
    server: str, server_env: dict[str, str]
) -> None:
    token = _run("token", "--email", "staff@recognition.example", env=server_env).strip()

    received = await _graphql_over_websocket(server, {"authorization": f"Bearer {token}"})

    assert received == [
        {"type": "connection_ack"},
        {"id": "1", "type": "next", "payload": {"data": {"viewer": {"email": "staff@recognition.example"}}}},
        {"id": "1", "type": "complete"},
    ]


async def test_websocket_without_a_valid_token_is_closed_with_4403(server: str) -> None:
    from websockets.exceptions import ConnectionClosed

    with pytest.raises(ConnectionClosed) as closed:
        await _graphql_over_websocket(server, {"authorization": "Bearer forged"})

    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "Forbidden")  # type: ignore[union-attr]


def test_the_running_server_issues_a_certificate_and_serves_its_pdf(
    server: str, server_env: dict[str, str]
) -> None:
    # given a demo partner admin and a scheduled demo ceremony's first completer
    token = _run("token", "--email", "admin@riverside.example", env=server_env).strip()
    headers = {"Authorization": f"Bearer {token}"}
    query = """{ recognitions(filter: {statuses: [SCHEDULED_PENDING]}) { edges { node {
        id certificateCandidates(first: 1, filter: {kind: COMPLETER}) { edges { node { enrollmentId name } } }
    } } } }"""
    [edge] = httpx.post(f"{server}/graphql", headers=headers, json={"query": query}, timeout=30).json()[
        "data"
    ]["recognitions"]["edges"]
    [candidate] = edge["node"]["certificateCandidates"]["edges"]
    issue = """mutation($input: CertificateIssueInput!) {
        certificateIssue(input: $input) { certificate { code downloadUrl } errors { code } } }"""

    # when
    result = httpx.post(
        f"{server}/graphql",
        headers=headers,
        timeout=60,
        json={
            "query": issue,
            "variables": {
                "input": {
                    "recognitionId": edge["node"]["id"],
                    "enrollmentId": candidate["node"]["enrollmentId"],
                }
            },
        },
    ).json()["data"]["certificateIssue"]
    pdf = httpx.get(result["certificate"]["downloadUrl"].replace("http://127.0.0.1:8000", server), timeout=30)

    # then (and the fixture checks the server still shuts down gracefully afterwards)
    assert result["errors"] == []
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (
        200,
        "application/pdf",
        b"%PDF-",
    )


def test_several_api_processes_need_the_at_scale_settings(env: dict[str, str]) -> None:
    completed = subprocess.run(
        [*PORTAL, "serve", "--workers", "2"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert (completed.returncode, completed.stderr) == (
        2,
        "Several API processes share one database, one job queue and one event bus: set "
        "PORTAL_DATABASE_URL=postgres://…, PORTAL_BROKER_URL, PORTAL_PUBSUB_URL "
        '(see docs/operations.md, "At scale").\n',
    )


async def _portal(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """`portal …` while this event loop goes on serving (the fake Canvas runs on it)."""
    process = await asyncio.create_subprocess_exec(
        *PORTAL, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_sync_progress_reads_a_partners_canvas(env: dict[str, str]) -> None:
    _run("migrate", env=env)
    _run("seed-demo", env=env)
    with sqlite3.connect(Path(env["PORTAL_DATA_DIR"]) / "portal.sqlite3") as database:
        courses = [
            row[0]
            for row in database.execute(
                "SELECT lms_course_id FROM cohort JOIN partner ON partner.id = cohort.partner_id "
                "WHERE partner.slug = 'riverside' AND cohort.closed_at IS NULL ORDER BY cohort.id"
            )
        ]
    canvas = FakeCanvas(token="cli-token")
    canvas.courses = {
        course: [
            Student(9000 + 10 * n + k, f"New {n}-{k}", f"new{n}{k}@canvas.example", 8, 8, None)
            for k in range(2)
        ]
        for n, course in enumerate(courses)
    }
    canvas.courses[courses[0]].append(Student(9999, "No Login", None, 8, 8, None))  # matches no one
    async with serving(canvas.app()) as url:
        connected = await _portal(
            "connect-canvas",
            "--partner",
            "riverside",
            "--url",
            url,
            "--token-variable",
            "RIVERSIDE_CANVAS",
            env=env,
        )
        synced = await _portal(
            "sync-progress", "--partner", "riverside", env=env | {"RIVERSIDE_CANVAS": "cli-token"}
        )
        unknown = await _portal("sync-progress", "--partner", "nowhere", env=env)
        disconnected = await _portal("disconnect-canvas", "--partner", "riverside", env=env)
        again = await _portal("disconnect-canvas", "--partner", "riverside", env=env)
        unread = await _portal(
            "sync-progress", "--partner", "riverside", env=env | {"RIVERSIDE_CANVAS": "cli-token"}
        )

    assert connected == (0, f"riverside reads progress from {url} with the token in $RIVERSIDE_CANVAS.\n", "")
    assert synced[:2] == (
        0,
        f"SUCCEEDED: {len(courses)} courses (0 failed), {2 * len(courses)} enrolments read, 0 changed, "
        f"{2 * len(courses)} new, 0 names changed\n",
    )
    # and says, after the log's counts, which student it could not read and why
    assert synced[2].splitlines()[-2:] == [
        f"course {courses[0]}: 1 of 3 students of this course matched no course-taker; their progress "
        "was not read.",
        f"course {courses[0]}: Canvas user 9999 not read: Canvas gives no email address for them.",
    ]
    assert len(courses) == 2  # the demo partner's open cohorts
    assert unknown == (1, "", "No partner with the slug 'nowhere'.\n")
    # and once disconnected, the partner's progress is no longer read
    assert disconnected == (0, "riverside no longer reads progress from Canvas.\n", "")
    assert again == (0, "riverside was not connected to Canvas; nothing changed.\n", "")
    assert unread == (1, "", "Riverside State University has no Canvas connection to read progress from.\n")


def test_settings_that_cannot_work_stop_a_command_with_each_one_named_and_no_secret_shown(
    env: dict[str, str],
) -> None:
    completed = subprocess.run(
        [*PORTAL, "migrate"],
        env={**env, "PORTAL_SECRET_KEY": "hunter2", "PORTAL_SWEEP_SECONDS": "0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (completed.returncode, completed.stdout, completed.stderr) == (
        2,
        "",
        "portal: these settings cannot work:\n"
        "  PORTAL_SECRET_KEY: must be at least 32 characters (it signs tokens and links); make one with "
        "`python3 -c 'import secrets; print(secrets.token_hex(32))'`, or leave it empty to have one "
        "generated into the data folder\n"
        "  PORTAL_SWEEP_SECONDS: must be greater than 0\n",
    )


@pytest.mark.parametrize(
    ("database_url", "must"),
    [
        (
            "postgres://portal:S3CRETPW@127.0.0.1:99999/portal",
            "must have a port from 1 to 65535 (or none, for 5432), as in "
            "postgres://user:password@host:port/name; a / ? # or @ in the user or password is written %2F "
            "%3F %23 %40",
        ),
        (
            "postgres://portal:S3CRETPW@127.0.0.1:abc/portal",
            "must have a port from 1 to 65535 (or none, for 5432), as in "
            "postgres://user:password@host:port/name; a / ? # or @ in the user or password is written %2F "
            "%3F %23 %40",
        ),
        (
            "postgres://portal:S3CRETPW@/portal",
            "must name the PostgreSQL server's host, as in postgres://user:password@host:port/name (a "
            "socket folder: ?host=/path)",
        ),
    ],
    ids=["port-too-large", "port-not-a-number", "no-host"],
)
def test_a_database_url_tortoise_cannot_open_stops_a_command_as_a_setting(
    env: dict[str, str], database_url: str, must: str
) -> None:
    # when
    said = _attempt("outbox", env={**env, "PORTAL_DATABASE_URL": database_url})

    # then the setting is named with what it must be, not a traceback, and the password is not shown
    assert said == (2, "", f"portal: these settings cannot work:\n  PORTAL_DATABASE_URL: {must}\n")


def test_the_outbox_lists_the_mail_kept_without_smtp_and_prints_one_whole(env: dict[str, str]) -> None:
    # given a demo without an SMTP server, and a mail the service wrote
    _run("migrate", env=env)
    message = EmailMessage()
    message["From"], message["To"] = (
        "Recognition <recognition@localhost>",
        "Ada Admin <ada@riverside.example>",
    )
    message["Subject"] = "Pinning ceremony scheduled: cohorts ending 14 December 2026"
    message.set_content("Open the ceremony: http://127.0.0.1:8000/recognitions/Q2VyZW1vbnk6MQ==\n")
    asyncio.run(_store_mail(Path(env["PORTAL_DATA_DIR"]) / "portal.sqlite3", message))

    # when the outbox is listed, and the mail shown
    listed = _run("outbox", env=env)
    shown = _run("outbox", "--show", "1", env=env)
    missing = subprocess.run(
        [*PORTAL, "outbox", "--show", "2"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    # then
    assert listed == (
        "     1  PENDING  2026-11-30 09:15 UTC  ada@riverside.example  "
        "Pinning ceremony scheduled: cohorts ending 14 December 2026\n"
    )
    assert shown == (
        "From: Recognition <recognition@localhost>\n"
        "To: Ada Admin <ada@riverside.example>\n"
        "Subject: Pinning ceremony scheduled: cohorts ending 14 December 2026\n"
        "\n"
        "Open the ceremony: http://127.0.0.1:8000/recognitions/Q2VyZW1vbnk6MQ==\n\n"
    )
    assert (missing.returncode, missing.stderr) == (1, "No message 2 in the outbox.\n")


async def _store_mail(database: Path, message: EmailMessage) -> None:
    from service.database import open_database
    from service.mail.services import add_to_outbox

    context = await open_database(f"sqlite://{database}")
    try:
        await add_to_outbox(key="demo:1", message=message, now=datetime(2026, 11, 30, 9, 15, tzinfo=UTC))
    finally:
        await context.close_connections()


@pytest.mark.parametrize(("trusted", "other_client_status"), [("127.0.0.1", 404), ("", 429)])
def test_a_trusted_load_balancer_passes_on_each_clients_address_and_no_one_else_can(
    env: dict[str, str], trusted: str, other_client_status: int
) -> None:
    # given a server allowing one verification a minute per client, behind a load balancer on
    # 127.0.0.1 that it trusts (or not)
    _run("migrate", env=env)
    port = _free_port()
    settings = {"PORTAL_TRUSTED_PROXIES": trusted, "PORTAL_VERIFY_PER_MINUTE": "1"}
    process = subprocess.Popen(
        [*PORTAL, "serve", "--port", str(port)],
        env={**env, **settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/verify/{new_code()}"
    try:
        _wait_until_ready(f"http://127.0.0.1:{port}", process)

        # when one client checks twice, then another client once
        statuses = [
            httpx.get(url, headers={"X-Forwarded-For": client}, timeout=10).status_code
            for client in ("203.0.113.7", "203.0.113.7", "198.51.100.9")
        ]
    finally:
        process.terminate()
        process.communicate(timeout=10)

    # then the first client is held to its limit, and the second is another client only when the
    # header comes from the trusted load balancer
    assert statuses == [404, 429, other_client_status]


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        (
            {"PORTAL_DATABASE_URL": "postgres://portal@127.0.0.1:{port}/portal"},
            "Cannot reach the database (ConnectionRefusedError); is it running, is the URL right?\n",
        ),
        (
            {"PORTAL_PUBSUB_URL": "redis://127.0.0.1:{port}/0"},
            "Cannot reach Redis at PORTAL_PUBSUB_URL (ConnectionError); is it running, is the URL right?\n",
        ),
    ],
)
def test_serve_says_in_a_sentence_what_it_cannot_reach(
    env: dict[str, str], setting: dict[str, str], said: str
) -> None:
    _run("migrate", env=env)
    closed = str(_free_port())  # nothing listens there
    completed = subprocess.run(
        [*PORTAL, "serve", "--port", str(_free_port())],
        env={**env, **{name: value.format(port=closed) for name, value in setting.items()}},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (completed.returncode, completed.stderr) == (1, said)
