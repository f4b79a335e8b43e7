"""The event loop each worker thread keeps: every message starts with fresh context variables (its own
request id, no database transaction left by the message before), and threads starting at once set
up the ORM without tripping over each other."""

from __future__ import annotations

import asyncio
import contextvars
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from service.database import migrate
from service.observability.logs import current_request_id, request_id_set
from service.partners.models import Partner
from service.settings import Settings
from workers.runtime import ThreadRuntime

left_behind: contextvars.ContextVar[str | None] = contextvars.ContextVar("left_behind", default=None)


async def _leave_something_behind() -> None:
    left_behind.set("from the message before")


async def _what_was_left() -> str | None:
    return left_behind.get()


def test_a_message_sees_nothing_the_message_before_it_left(settings: Settings) -> None:
    # given a worker thread's runtime that ran a message which set a context variable and never reset it
    runtime = ThreadRuntime(settings.resolved_database_url)
    try:
        runtime.run(_leave_something_behind)

        # when the next message runs on the same thread
        seen = runtime.run(_what_was_left)
    finally:
        runtime.close_thread()

    # then it starts clean
    assert seen is None


async def _request_id() -> str | None:
    await asyncio.sleep(0)
    return current_request_id()


def test_each_message_runs_under_its_own_request_id(settings: Settings) -> None:
    # given one worker thread's runtime
    runtime = ThreadRuntime(settings.resolved_database_url)
    seen = []
    try:
        # when three messages of three requests run one after another (the middleware sets each id)
        for request_id in ("request-7", "request-8", None):
            with request_id_set(request_id):
                seen.append(runtime.run(_request_id))
    finally:
        runtime.close_thread()

    # then each one's work (its log lines, the jobs it sends on) carries its own
    assert seen == ["request-7", "request-8", None]


def test_a_transaction_whose_connection_died_leaves_the_next_message_a_working_database(
    settings: Settings,
) -> None:
    if not settings.resolved_database_url.startswith("postgres"):
        pytest.skip("a PostgreSQL connection killed under a transaction (make test-services)")
    runtime = ThreadRuntime(settings.resolved_database_url)

    async def die_inside_a_transaction() -> None:
        # given a transaction whose server connection is ended (as in a database outage)
        async with in_transaction() as connection:
            pid = (await connection.execute_query_dict("SELECT pg_backend_pid() AS pid"))[0]["pid"]
            killer = await asyncpg.connect(settings.resolved_database_url)
            try:
                await killer.execute("SELECT pg_terminate_backend($1)", pid)
            finally:
                await killer.close()
            await connection.execute_query("SELECT 1")

    async def count_partners() -> int:
        assert connections.get("default") is not None
        return await Partner.all().count()

    try:
        with pytest.raises(Exception):  # noqa: B017 (whatever asyncpg raises for the lost connection)
            runtime.run(die_inside_a_transaction)

        # when the next messages query the database
        counts = [runtime.run(count_partners) for _ in range(3)]
    finally:
        runtime.close_thread()

    # then they work, with nothing of the dead transaction left over
    assert counts == [0, 0, 0]


# A worker process's first messages: 8 threads set up the ORM at the same moment, switching threads as
# often as the interpreter allows, and each queries at once.
FIRST_MESSAGES = """
import sys, threading
from service.partners.models import Partner
from workers.runtime import ThreadRuntime

sys.setswitchinterval(1e-6)
runtime, start, failures = ThreadRuntime(sys.argv[1]), threading.Barrier(8), []

async def count_partners():
    return await Partner.all().count()

def first_message():
    start.wait()
    try:
        runtime.run(count_partners)
    except BaseException as error:
        failures.append(repr(error))
    finally:
        runtime.close_thread()

threads = [threading.Thread(target=first_message) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(failures)
"""


def test_threads_starting_at_once_set_up_the_orm_without_a_race(tmp_path: Path) -> None:
    # given a database, and processes that have not set the ORM up yet
    url = f"sqlite://{tmp_path / 'race.sqlite3'}"
    asyncio.run(migrate(url))

    # when six worker processes start, each with 8 threads taking their first message at once
    outputs = [
        subprocess.run(
            [sys.executable, "-c", FIRST_MESSAGES, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.strip()
        for _ in range(6)
    ]

    # then no thread of any of them fails
    assert outputs == ["[]"] * 6
