"""`PORTAL_SMTP_URL`'s form, checked when the settings load (and again before each delivery)."""

from __future__ import annotations

from urllib.parse import urlsplit

SMTP_URL_FORM = "smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://… (TLS)"


def smtp_url_problem(smtp_url: str) -> str | None:
    """What is wrong with ``PORTAL_SMTP_URL`` (empty: mail stays in the outbox), or None. Settings
    call it when they load, so a bad URL stops the process with this message instead of every
    delivery failing."""
    if not smtp_url:
        return None
    try:
        parts = urlsplit(smtp_url)
        port = parts.port
    except ValueError:  # its words may quote part of a password (an unencoded / # ? in it)
        return f"PORTAL_SMTP_URL is not a URL (a port that is not a number?); give {SMTP_URL_FORM}."
    if parts.scheme not in {"smtp", "smtps"}:
        # Not quoted: in `user:secret@host` (the scheme left out) the "scheme" is the user name.
        return f"PORTAL_SMTP_URL is not an smtp:// or smtps:// URL; give {SMTP_URL_FORM}."
    if not parts.hostname:
        return f"PORTAL_SMTP_URL names no host; give {SMTP_URL_FORM}."
    if port == 0:
        return f"PORTAL_SMTP_URL has port 0; give {SMTP_URL_FORM}."
    return None
