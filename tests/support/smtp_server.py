"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import asyncio
import socket
import time
from email import message_from_bytes, message_from_string, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from service.mail.models import MailStatus, OutboxMessage


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def wait_for(self, count: int, *, seconds: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """Start and stop at will, on the same port, to play an outage."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def plain_text(message: EmailMessage) -> str:
    """A received mail's text/plain body."""
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def received(smtp: SmtpServer, key: str, *, seconds: float = 10) -> EmailMessage:
    """The mail the outbox holds under ``key``, as the SMTP server received it, once delivered."""

    deadline = time.monotonic() + seconds
    while not await OutboxMessage.filter(key=key, status=MailStatus.SENT).exists():
        assert time.monotonic() < deadline, f"{key} was not delivered within {seconds} s"
        await asyncio.sleep(0.02)
    stored = message_from_string((await OutboxMessage.get(key=key)).message, policy=policy.default)
    [message] = [message for message in smtp.inbox.messages if message["Message-ID"] == stored["Message-ID"]]
    return message
