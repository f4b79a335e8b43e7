"""Mail as RFC 5322 messages; pure, so what we send can be read and tested without a server."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from service.text import one_line


@dataclass(frozen=True, slots=True)
class MailConfig:
    sender: str
    public_url: str


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    data: bytes


def compose(
    *,
    config: MailConfig,
    key: str,
    recipient: str,
    subject: str,
    paragraphs: list[str],
    sent_at: datetime,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """A plain-text and HTML message; its Message-ID comes from ``key`` so resends can be told apart."""
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = recipient
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(idstring=key.replace(":", "."), domain="recognition.invalid")
    message.set_content("\n\n".join(paragraphs) + "\n")
    message.add_alternative(
        "<!doctype html><html><body>"
        + "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
        + "</body></html>\n",
        subtype="html",
    )
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        subtype, _, parameters = subtype.partition(";")
        params = dict(part.strip().split("=", 1) for part in parameters.split(";") if "=" in part)
        message.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype.strip(),
            filename=attachment.filename,
            params=params,
        )
    return message
