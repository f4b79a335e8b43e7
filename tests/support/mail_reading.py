"""Reading a mail as a mail program shows it."""

from __future__ import annotations

from email.message import EmailMessage, Message


def subject(message: Message) -> str:
    """The subject as mail programs show it. Python's email package writes a subject too long to
    follow "Subject: " on its line but short enough for a line of its own on the next line
    ("Subject:\\r\\n Pinning ceremony …", valid RFC 5322 folding), and its parser keeps the space
    that begins the folded line; mail programs drop it."""
    return str(message["Subject"]).lstrip()


def text_as_read(message: Message) -> str:
    """The text/plain part as a reader reads it, line by line: the line ends as "\\n" whichever the
    message came with (an SMTP server receives "\\r\\n")."""
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    assert part is not None
    return "\n".join(str(part.get_content()).splitlines()) + "\n"
