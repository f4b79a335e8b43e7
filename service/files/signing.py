"""Signed download links: they expire, name what they are for, and cannot be turned into another's.

A link carries ``expires`` and ``signature``; the signature is an HMAC of the purpose, the subject
(what the link downloads, including the file's SHA-256 where there is a file) and the expiry. The
server recomputes the subject from its own records, so a link for one file never opens another.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

LINK_LIFETIME = timedelta(minutes=15)


class LinkProblem(StrEnum):
    EXPIRED = "This link has expired. Ask for a new one in the portal."
    INVALID = "This link is not valid."


def signature(*, secret: str, purpose: str, subject: str, expires: int) -> str:
    message = f"{purpose}\n{subject}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_path(*, secret: str, path: str, purpose: str, subject: str, now: datetime) -> str:
    """``path`` with the query string that makes it a link good for LINK_LIFETIME."""
    expires = int((now + LINK_LIFETIME).timestamp())
    query = urlencode(
        {
            "expires": expires,
            "signature": signature(secret=secret, purpose=purpose, subject=subject, expires=expires),
        }
    )
    return f"{path}?{query}"


def check_link(
    *, secret: str, purpose: str, subject: str, expires: str | None, given: str | None, now: datetime
) -> LinkProblem | None:
    """None when the link is genuine and current; otherwise what is wrong with it."""
    if not expires or not given or not expires.isdecimal():
        return LinkProblem.INVALID
    expected = signature(secret=secret, purpose=purpose, subject=subject, expires=int(expires))
    if not hmac.compare_digest(expected, given):
        return LinkProblem.INVALID
    if int(expires) <= now.timestamp():
        return LinkProblem.EXPIRED
    return None
