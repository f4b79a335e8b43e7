from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class MailStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"


class OutboxMessage(Model):
    """A mail written in the same transaction as the change that causes it, delivered later.

    ``key`` names the reason (e.g. one ceremony's confirmation), so a reason mails once only.
    """

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    sender = fields.CharField(max_length=254)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    message = fields.TextField(description="The whole RFC 5322 message, as it will be sent.")
    status = fields.CharEnumField(MailStatus, max_length=8, default=MailStatus.PENDING)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    claimed_until = fields.DatetimeField(null=True)
    queued_until = fields.DatetimeField(
        null=True,
        description="A message for it is in the job queue (or its retry is due) until about then: the "
        "sweep leaves it to that message till then.",
    )
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "created_at"),)
