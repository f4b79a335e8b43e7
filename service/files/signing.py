"""Signed download links: they expire, name what they are for, and cannot be turned into another's.

A link carries ``by`` (the user it was made for, so a download is audited under their name),
``expires`` and ``signature``; the signature is an HMAC of the purpose, the subject (what the link
downloads, including the file's SHA-256 where there is a file), the user and the expiry. The server
recomputes the subject from its own records, so a link for one file never opens another.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

from service.database import storable_key

LINK_LIFETIME = timedelta(minutes=15)


class LinkProblem(StrEnum):
    EXPIRED = "This link has expired. Ask for a new one in the portal."
    INVALID = "This link is not valid."


class BadLink(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def signature(*, secret: str, purpose: str, subject: str, user_id: int, expires: int) -> str:
    message = f"{purpose}\n{subject}\n{user_id}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_path(*, secret: str, path: str, purpose: str, subject: str, user_id: int, now: datetime) -> str:
    """``path`` with the query string that makes it a link for ``user_id``, good for LINK_LIFETIME."""
    expires = int((now + LINK_LIFETIME).timestamp())
    signed = signature(secret=secret, purpose=purpose, subject=subject, user_id=user_id, expires=expires)
    return f"{path}?{urlencode({'by': user_id, 'expires': expires, 'signature': signed})}"


def check_link(*, secret: str, purpose: str, subject: str, query: Mapping[str, str], now: datetime) -> int:
    """The id of the user the link was made for, when it is genuine and current; BadLink otherwise."""
    by, expires, given = query.get("by", ""), query.get("expires", ""), query.get("signature", "")
    if not (
        _small_number(by) and storable_key(int(by)) and _small_number(expires) and given.isascii() and given
    ):
        raise BadLink(LinkProblem.INVALID)
    expected = signature(
        secret=secret, purpose=purpose, subject=subject, user_id=int(by), expires=int(expires)
    )
    if not hmac.compare_digest(expected, given):
        raise BadLink(LinkProblem.INVALID)
    if int(expires) <= now.timestamp():
        raise BadLink(LinkProblem.EXPIRED)
    return int(by)


def _small_number(value: str) -> bool:
    """A number as the service writes it: decimal digits, no leading zero ("02" is not 2 here: a
    link has one spelling only)."""
    return value.isascii() and value.isdecimal() and len(value) < 19 and str(int(value)) == value
