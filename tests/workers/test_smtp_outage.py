"""Mail through an SMTP outage, with two API processes sweeping and a worker process delivering: one
retry at a time, with backoff, and the sweeps never queue mail on top of the retry pending for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from service.database import open_database
from service.mail import services as mail
from service.mail.models import MailStatus, OutboxMessage
from service.settings import Settings
from tests.support.drills import until
from tests.support.engines import REDIS_URL, redis_answers, remove_namespace
from tests.support.processes import start_api, start_worker, stop
from tests.support.smtp_server import SmtpServer, free_port

pytestmark = [
    pytest.mark.jobs,
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)"),
]

FIRST_BACKOFF_SECONDS, OUTAGE_SECONDS = 0.3, 4.0


@pytest.fixture
def mailing(settings: Settings) -> Iterator[Settings]:
    configured = settings.model_copy(
        update={"broker_url": REDIS_URL, "pubsub_url": REDIS_URL, "worker_threads": 0}
    )
    yield configured
    remove_namespace(configured)


def _letter() -> EmailMessage:
    letter = EmailMessage()
    letter["From"], letter["To"], letter["Subject"] = "r@example.org", "a@example.org", "Your file is ready"
    letter.set_content("Hello")
    return letter


async def test_an_smtp_outage_costs_one_attempt_per_backoff_whatever_the_sweeps(mailing: Settings) -> None:
    # given two API processes sweeping every 0.3 s and a worker process, the SMTP server down
    smtp = SmtpServer()
    quick: dict[str, str] = {
        "PORTAL_SMTP_URL": smtp.url,
        "PORTAL_SWEEP_SECONDS": "0.3",
        "PORTAL_JOB_MIN_BACKOFF_MS": str(int(FIRST_BACKOFF_SECONDS * 1000)),
        "PORTAL_JOB_MAX_BACKOFF_MS": "5000",
    }
    database = await open_database(mailing.resolved_database_url)
    processes = [
        start_api(
            mailing,
            free_port(),
            PORTAL_SMTP_URL=quick["PORTAL_SMTP_URL"],
            PORTAL_SWEEP_SECONDS=quick["PORTAL_SWEEP_SECONDS"],
            PORTAL_JOB_MIN_BACKOFF_MS=quick["PORTAL_JOB_MIN_BACKOFF_MS"],
            PORTAL_JOB_MAX_BACKOFF_MS=quick["PORTAL_JOB_MAX_BACKOFF_MS"],
        )
        for _ in range(2)
    ]
    processes.append(start_worker(mailing, **quick))
    logs = [mailing.data_dir / "worker.log", mailing.data_dir / "api.log"]
    try:
        # and a mail no message in the queue is for (written while the broker was away, say)
        queued = await mail.add_to_outbox(key="drill:1", message=_letter(), now=datetime.now(UTC))
        assert queued is not None
        await OutboxMessage.filter(id=queued.id).update(queued_until=None)

        async def tried() -> bool:
            return (await OutboxMessage.get(id=queued.id)).attempts >= 1

        # when the outage lasts 4 s from the first attempt
        await until(tried, 30, "a first delivery attempt", logs=logs)
        outage_began = time.monotonic()
        await asyncio.sleep(OUTAGE_SECONDS)
        during = (await OutboxMessage.get(id=queued.id)).attempts
        smtp.start()

        async def sent() -> bool:
            return (await OutboxMessage.get(id=queued.id)).status is MailStatus.SENT

        await until(sent, 30, "the mail being sent", logs=logs)
        healed = time.monotonic() - outage_began
        delivered = await OutboxMessage.get(id=queued.id)
    finally:
        for process in processes:
            stop(process)
        smtp.stop()
        await database.close_connections()

    # then the attempts followed the backoff (0, 0.3, 0.9, 2.1 s: at most 5 within 4 s), not the sweeps,
    # the mail went out once, and soon after the server came back (the next backoff: 2.4 s, 4.8 s)
    attempts = _attempts(logs[0])  # when each was made, should one of these fail
    assert 2 <= during <= 5, (during, attempts)
    assert delivered.attempts in (during + 1, during + 2), (delivered.attempts, during, attempts)
    assert len(smtp.inbox.messages) == 1
    assert healed < OUTAGE_SECONDS + 8, (healed, attempts)


def _attempts(worker_log: Path) -> list[str]:
    """The worker's own account of each delivery attempt: its time and outcome."""
    lines = worker_log.read_text(errors="replace").splitlines()
    return [line[:120] for line in lines if " not delivered " in line or " delivered to " in line]
