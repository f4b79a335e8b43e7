"""Errors the domain raises; each carries a code from a closed list and, where it has one, a field."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    INVALID_DATE_RANGE = "INVALID_DATE_RANGE"
    DATE_RANGE_TOO_LONG = "DATE_RANGE_TOO_LONG"


class DomainError(Exception):
    """An expected refusal: the caller shows ``message`` and points at ``field`` when given."""

    def __init__(self, code: ErrorCode, message: str, *, field: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Also the answer for another partner's records, so ids leak nothing."""

    def __init__(self, what: str, *, field: tuple[str, ...] | None = None) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"{what} not found.", field=field)


class Forbidden(DomainError):
    def __init__(self, message: str, *, field: tuple[str, ...] | None = None) -> None:
        super().__init__(ErrorCode.FORBIDDEN, message, field=field)
