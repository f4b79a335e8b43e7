"""Bearer tokens: HS256 JWTs signed with the service's secret."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from service.database import storable_key
from service.users.models import Role, User

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is malformed, wrongly signed, expired or names no user."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    role: Role
    partner_id: int | None


def issue_token(user: User, *, secret: str, lifetime: timedelta, now: datetime | None = None) -> str:
    """A signed token for ``user`` that expires after ``lifetime``."""
    issued_at = now or datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "role": user.role.value,
        "partner": user.partner_id,
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + lifetime).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str) -> TokenClaims:
    """The claims of a valid token; raises InvalidToken with a reason a client can show.

    A token read before is not checked again until it expires: a portal sends the same token with
    every request, and checking its signature cost ~3 % of a dashboard request. A token valid once
    stays valid until its ``exp`` (no ``nbf`` or ``iat`` can make it invalid later)."""
    kept = _read.get((secret, token))
    if kept is not None and time.time() < kept[1]:
        return kept[0]
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "role"]}
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("The token has expired.") from error
    except jwt.InvalidSignatureError as error:
        raise InvalidToken("The token's signature is not valid.") from error
    except jwt.PyJWTError as error:
        raise InvalidToken("The token is malformed.") from error
    try:
        read = TokenClaims(
            user_id=_key(claims["sub"]),
            role=Role(claims["role"]),
            partner_id=None if claims.get("partner") is None else _key(claims["partner"]),
        )
    except (TypeError, ValueError) as error:
        raise InvalidToken("The token is malformed.") from error
    if len(_read) >= _READ_KEPT:
        _read.clear()
    _read[(secret, token)] = (read, float(claims["exp"]))
    return read


_read: dict[tuple[str, str], tuple[TokenClaims, float]] = {}
"""Tokens read, by secret and token: their claims and when they expire (seconds since the epoch)."""
_READ_KEPT = 4096


def _key(value: object) -> int:
    """A database key: a positive integer a table's key can be, written as
    the token's issuer writes it; ValueError for anything else."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not (isinstance(text, str) and text.isascii() and text.isdecimal() and not text.startswith("0")):
        raise ValueError(value)
    if not storable_key(int(text)):
        raise ValueError(value)
    return int(text)
