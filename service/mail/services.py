"""The outbox: mail written with the change that causes it, then delivered at least once, once sent."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from service.mail.models import MailStatus, OutboxMessage

logger = logging.getLogger("service.mail")

# How long one delivery attempt owns a message before another may try it.
CLAIM_DURATION = timedelta(minutes=2)
SMTP_TIMEOUT_SECONDS = 30


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
        key=key,
        sender=parseaddr(str(message["From"]))[1],
        recipient=parseaddr(str(message["To"]))[1],
        subject=str(message["Subject"]),
        message=message.as_string(),
        created_at=now,
        using_db=connection,
    )


async def pending_count() -> int:
    return await OutboxMessage.filter(status=MailStatus.PENDING).count()


async def pending_message_ids() -> list[int]:
    pending = OutboxMessage.filter(status=MailStatus.PENDING).order_by("id")
    return [message.id for message in await pending.only("id")]


async def deliver(*, message_id: int, smtp_url: str, now: datetime) -> bool:
    """Send one pending message over SMTP; True when it is (or already was) sent.

    Raises on an SMTP failure after recording it, so the job queue retries with backoff.
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
    except (aiosmtplib.SMTPException, OSError) as error:
        await OutboxMessage.filter(id=message_id).update(
            attempts=outbox.attempts + 1, last_error=str(error)[:2000], claimed_until=None
        )
        logger.warning("mail %s not delivered (attempt %s): %s", message_id, outbox.attempts + 1, error)
        raise
    await OutboxMessage.filter(id=message_id).update(
        status=MailStatus.SENT, attempts=outbox.attempts + 1, sent_at=now, last_error=None, claimed_until=None
    )
    logger.info("mail %s delivered to %s", message_id, outbox.recipient)
    return True


def _smtp_client(smtp_url: str) -> aiosmtplib.SMTP:
    """A client for ``smtp://[user:password@]host[:port]`` (STARTTLS when offered) or ``smtps://…`` (TLS)."""
    parts = urlsplit(smtp_url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"unsupported SMTP URL scheme {parts.scheme!r}; use smtp:// or smtps://")
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
