"""Mail written in the same transaction as the change that causes it, handed to the job queue once
that transaction has committed (and not at all if it rolls back)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from email.message import EmailMessage

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from service import job_queue
from service.job_queue import Job
from service.mail.services import add_to_outbox, not_queued


class Outbox:
    """The mail of one transaction."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.connection = connection
        self.message_ids: list[int] = []

    async def add(self, *, key: str, message: EmailMessage, now: datetime) -> None:
        """Store the message in the transaction, unless mail for ``key`` exists already."""
        queued = await add_to_outbox(key=key, message=message, now=now, connection=self.connection)
        if queued is not None:
            self.message_ids.append(queued.id)


@contextlib.asynccontextmanager
async def outbox() -> AsyncIterator[tuple[BaseDBAsyncClient, Outbox]]:
    """A transaction and its outbox: ``async with outbox() as (connection, mail)``. The mail added
    goes to the job queue after the commit; an exception rolls both back and sends nothing.

    Open it outside any other transaction: inside one, its commit would only be a savepoint's.
    """
    async with in_transaction() as connection:
        mail = Outbox(connection)
        yield connection, mail
    for message_id in mail.message_ids:
        if not job_queue.enqueue(Job.DELIVER_MAIL, message_id):
            await not_queued(message_id=message_id)
