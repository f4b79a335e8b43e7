"""Mail as RFC 5322 messages; pure, so what we send can be read and tested without a server."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from service.mail.links import PortalLinks
from service.text import one_line


@dataclass(frozen=True, slots=True)
class MailConfig:
    sender: str
    public_url: str
    portal: PortalLinks | None = None
    certifier: str = field(default="ACUE", kw_only=True)

    @property
    def links(self) -> PortalLinks:
        """The portal's pages; by default the example portal served at PORTAL_PUBLIC_URL's `/`."""
        return self.portal or PortalLinks(app_url=self.public_url)


@dataclass(frozen=True, slots=True)
class Link:
    """A paragraph that is a link: "label: url" in the plain text, a clickable label in the HTML."""

    label: str
    url: str

    def text(self) -> str:
        return f"{self.label}: {self.url}"

    def html(self) -> str:
        return f'<a href="{html.escape(self.url)}">{html.escape(self.label)}</a>'


Paragraph = str | Link


def mailbox(name: str, address: str) -> str:
    """A recipient as every mail names one: "Name <address>". The name is one line, quoted when it
    needs to be (a comma, quotes), and written with RFC 2047 encoded words when the message is, so
    any script reaches any mail program."""
    return str(Address(display_name=one_line(name), addr_spec=address))


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
    paragraphs: Sequence[Paragraph],
    sent_at: datetime,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """A plain-text and HTML message; its Message-ID comes from ``key`` so resends can be told apart.

    Every value is escaped in the HTML part; only ``Link`` paragraphs become links there.
    """
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = recipient
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(idstring=key.replace(":", "."), domain="recognition.invalid")
    message.set_content("\n\n".join(_text(paragraph) for paragraph in paragraphs) + "\n")
    message.add_alternative(
        "<!doctype html><html><body>"
        + "".join(f"<p>{_html(paragraph)}</p>" for paragraph in paragraphs)
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


def _text(paragraph: Paragraph) -> str:
    return paragraph.text() if isinstance(paragraph, Link) else paragraph


def _html(paragraph: Paragraph) -> str:
    return paragraph.html() if isinstance(paragraph, Link) else html.escape(paragraph)
