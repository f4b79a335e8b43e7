"""The outbox: mail written with its change reaches the job queue only once that change is
committed, and not at all when it rolls back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from starlette.applications import Starlette

from service import job_queue
from service.job_queue import Job
from service.mail.models import OutboxMessage
from service.mail.outbox import outbox

NOW = datetime(2026, 9, 19, 22, 0, tzinfo=UTC)


def _letter(subject: str) -> EmailMessage:
    letter = EmailMessage()
    letter["From"], letter["To"], letter["Subject"] = "r@example.org", "a@example.org", subject
    letter.set_content("Hello.")
    return letter


@pytest.fixture
def handed(app: Starlette) -> list[tuple[Job, int]]:
    """What reaches the job queue, in order (instead of the app's worker)."""
    seen: list[tuple[Job, int]] = []

    def adapter(job: Job, record_id: int, delay: timedelta | None) -> None:
        seen.append((job, record_id))

    job_queue.set_adapter(adapter)
    return seen


async def test_mail_reaches_the_queue_after_the_commit(app: Starlette, handed: list[tuple[Job, int]]) -> None:
    async with outbox() as (_, mail):
        await mail.add(key="outbox:1", message=_letter("One"), now=NOW)
        await mail.add(key="outbox:2", message=_letter("Two"), now=NOW)
        # when the transaction is still open
        inside = list(handed)

    stored = await OutboxMessage.all().order_by("id")
    assert inside == []
    assert handed == [(Job.DELIVER_MAIL, message.id) for message in stored]
    assert [message.subject for message in stored] == ["One", "Two"]


async def test_a_rolled_back_change_mails_nothing(app: Starlette, handed: list[tuple[Job, int]]) -> None:
    with pytest.raises(RuntimeError):
        async with outbox() as (_, mail):
            await mail.add(key="outbox:1", message=_letter("One"), now=NOW)
            raise RuntimeError("the change is refused")

    assert handed == []
    assert await OutboxMessage.all().count() == 0


async def test_mail_for_a_reason_already_mailed_is_not_queued_again(
    app: Starlette, handed: list[tuple[Job, int]]
) -> None:
    async with outbox() as (_, mail):
        await mail.add(key="outbox:1", message=_letter("One"), now=NOW)
    async with outbox() as (_, mail):
        await mail.add(key="outbox:1", message=_letter("One again"), now=NOW)

    [stored] = await OutboxMessage.all()
    assert handed == [(Job.DELIVER_MAIL, stored.id)]
