"""The outbox: mail written with the change that causes it, then delivered at least once, once sent."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from service.mail.models import MailStatus, OutboxMessage
from service.mail.smtp_url import smtp_url_problem

logger = logging.getLogger("service.mail")

# How long one delivery attempt owns a message before another may try it.
CLAIM_DURATION = timedelta(minutes=2)
SMTP_TIMEOUT_SECONDS = 30
# How long a message handed to the job queue is left to it before the sweep may hand it over again
# (the queue lost it): the time it may wait behind others, and its delivery attempt.
IN_QUEUE = timedelta(minutes=2)


@dataclass(frozen=True)
class Backoff:
    """Waits between delivery attempts: ``first``, doubling each time, never more than ``longest``."""

    first: timedelta
    longest: timedelta

    def after(self, attempts: int) -> timedelta:
        return min(self.first * (1 << min(max(0, attempts - 1), 30)), self.longest)


async def add_to_outbox(
    *, key: str, message: EmailMessage, now: datetime, connection: BaseDBAsyncClient | None = None
) -> OutboxMessage | None:
    """Store a message in the caller's transaction; None when mail for ``key`` exists already.

    A change that causes mail adds it through ``service.mail.outbox``, which also hands it to the
    job queue once the transaction has committed."""
    existing = await OutboxMessage.filter(key=key).using_db(connection).exists()
    if existing:
        return None
    return await OutboxMessage.create(
        queued_until=now + IN_QUEUE,  # the outbox hands it to the queue once the change commits
        key=key,
        sender=parseaddr(str(message["From"]))[1],
        recipient=parseaddr(str(message["To"]))[1],
        subject=str(message["Subject"]),
        message=message.as_string(),
        created_at=now,
        using_db=connection,
    )


async def latest(limit: int) -> list[OutboxMessage]:
    """The outbox's newest messages, newest first (sent or not)."""
    return await OutboxMessage.all().order_by("-id").limit(limit)


async def message(message_id: int) -> OutboxMessage | None:
    return await OutboxMessage.get_or_none(id=message_id)


def readable_text(raw: str) -> str:
    """A stored message as a person reads it: its headers that matter, then its plain-text part."""
    parsed = message_from_string(raw, policy=policy.default)
    heads = [f"{name}: {parsed[name]}" for name in ("From", "To", "Cc", "Subject", "Date") if parsed[name]]
    body = parsed.get_body(("plain",)) if isinstance(parsed, EmailMessage) else None
    return "\n".join([*heads, "", body.get_content() if body is not None else ""])


async def pending_count() -> int:
    return await OutboxMessage.filter(status=MailStatus.PENDING).count()


async def pending_message_ids() -> list[int]:
    pending = OutboxMessage.filter(status=MailStatus.PENDING).order_by("id")
    return [message.id for message in await pending.only("id")]


def _nothing_queued(now: datetime) -> Q:
    return Q(queued_until__isnull=True) | Q(queued_until__lt=now)


async def unqueued_message_ids(*, now: datetime) -> list[int]:
    """Pending mail no message in the job queue is for (lost, never handed over, or handed over so
    long ago it must be lost), each taken for this caller: of several sweeping processes, one hands
    a message over. The caller hands each to the queue (and calls ``not_queued`` if it cannot)."""
    waiting = OutboxMessage.filter(_nothing_queued(now), status=MailStatus.PENDING).order_by("id")
    taken = []
    for (message_id,) in await waiting.values_list("id"):
        if await OutboxMessage.filter(_nothing_queued(now), id=message_id, status=MailStatus.PENDING).update(
            queued_until=now + IN_QUEUE
        ):
            taken.append(int(message_id))
    return taken


async def not_queued(*, message_id: int) -> None:
    """The queue could not take the message: the next sweep hands it over."""
    await OutboxMessage.filter(id=message_id).update(queued_until=None)


async def deliver_or_retry(
    *, message_id: int, smtp_url: str, now: datetime, backoff: Backoff
) -> timedelta | None:
    """Deliver one message; when it fails (the SMTP server, or anything else: a bad SMTP URL, a
    message the client refuses), the wait before the next attempt (the caller queues it), recorded
    so that the sweep leaves the message to that attempt."""
    try:
        await deliver(message_id=message_id, smtp_url=smtp_url, now=now)
    except Exception:  # recorded on the message by deliver; retried alike, whatever it was
        attempts = (await OutboxMessage.get(id=message_id)).attempts
        wait = backoff.after(attempts)
        await OutboxMessage.filter(id=message_id, status=MailStatus.PENDING).update(
            queued_until=now + wait + IN_QUEUE
        )
        return wait
    return None


async def deliver(*, message_id: int, smtp_url: str, now: datetime) -> bool:
    """Send one pending message over SMTP; True when it is (or already was) sent.

    Raises on any failure after recording it (attempts, last error, claim released), so the job
    queue retries with backoff and the next attempt finds the message unclaimed.
    """
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimed = await OutboxMessage.filter(unclaimed, id=message_id, status=MailStatus.PENDING).update(
        claimed_until=now + CLAIM_DURATION
    )
    if not claimed:
        outbox = await OutboxMessage.get_or_none(id=message_id)
        return outbox is not None and outbox.status is MailStatus.SENT
    outbox = await OutboxMessage.get(id=message_id)
    try:
        async with _smtp_client(smtp_url) as client:
            await client.sendmail(outbox.sender, [outbox.recipient], outbox.message.encode("utf-8"))
    except Exception as error:
        described = error if isinstance(error, aiosmtplib.SMTPException | OSError) else repr(error)
        await OutboxMessage.filter(id=message_id).update(
            attempts=outbox.attempts + 1, last_error=str(described)[:2000], claimed_until=None
        )
        logger.warning("mail %s not delivered (attempt %s): %s", message_id, outbox.attempts + 1, described)
        raise
    await OutboxMessage.filter(id=message_id).update(
        status=MailStatus.SENT, attempts=outbox.attempts + 1, sent_at=now, last_error=None, claimed_until=None
    )
    logger.info("mail %s delivered to %s", message_id, outbox.recipient)
    return True


def _smtp_client(smtp_url: str) -> aiosmtplib.SMTP:
    """A client for ``smtp://[user:password@]host[:port]`` (STARTTLS when offered) or ``smtps://…`` (TLS)."""
    if problem := smtp_url_problem(smtp_url) or (None if smtp_url else "PORTAL_SMTP_URL is not set."):
        raise ValueError(problem)
    parts = urlsplit(smtp_url)
    secure = parts.scheme == "smtps"
    return aiosmtplib.SMTP(
        hostname=parts.hostname or "localhost",
        port=parts.port or (465 if secure else 25),
        use_tls=secure,
        start_tls=False if secure else None,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password or "") if parts.username else None,
        timeout=SMTP_TIMEOUT_SECONDS,
    )
