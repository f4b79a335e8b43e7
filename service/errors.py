"""Errors the domain raises; each carries a code from a closed list and, where it has one, a field."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_DATE_RANGE = "INVALID_DATE_RANGE"
    DATE_RANGE_TOO_LONG = "DATE_RANGE_TOO_LONG"
    NO_COHORTS_SELECTED = "NO_COHORTS_SELECTED"
    COHORT_OUTSIDE_RANGE = "COHORT_OUTSIDE_RANGE"
    COHORTS_OF_SEVERAL_PARTNERS = "COHORTS_OF_SEVERAL_PARTNERS"
    INVALID_TIME_ZONE = "INVALID_TIME_ZONE"
    NONEXISTENT_LOCAL_TIME = "NONEXISTENT_LOCAL_TIME"
    TOO_SOON = "TOO_SOON"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_TEXT = "INVALID_TEXT"
    NOT_ALLOWED_IN_STATUS = "NOT_ALLOWED_IN_STATUS"
    NOT_A_CANDIDATE = "NOT_A_CANDIDATE"
    INVALID_CODE = "INVALID_CODE"
    MISTYPED_CODE = "MISTYPED_CODE"
    EMPTY_SELECTION = "EMPTY_SELECTION"
    SELECTION_TOO_LARGE = "SELECTION_TOO_LARGE"
    SELECTION_CHANGED = "SELECTION_CHANGED"
    NO_PREVIOUS_FILE = "NO_PREVIOUS_FILE"
    TOO_MANY_ACTIVE_FILES = "TOO_MANY_ACTIVE_FILES"
    TOO_MANY_FILE_REQUESTS = "TOO_MANY_FILE_REQUESTS"
    CANVAS_NOT_CONFIGURED = "CANVAS_NOT_CONFIGURED"
    DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"
    LOCAL_TIME_EXPECTED = "LOCAL_TIME_EXPECTED"
    INVALID_URL = "INVALID_URL"
    NAME_NOT_PRINTABLE = "NAME_NOT_PRINTABLE"
    BIDI_CONTROL = "BIDI_CONTROL"
    INVALID_LOCALE = "INVALID_LOCALE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    IMAGE_TOO_MANY_PIXELS = "IMAGE_TOO_MANY_PIXELS"
    IMAGE_FORMAT = "IMAGE_FORMAT"
    IMAGE_UNREADABLE = "IMAGE_UNREADABLE"
    INVALID_COLOR = "INVALID_COLOR"
    LOW_CONTRAST = "LOW_CONTRAST"
    TOO_MANY_SIGNATORIES = "TOO_MANY_SIGNATORIES"
    # Input the schema itself cannot take: top-level GraphQL errors with this code and the field.
    INVALID_DATE = "INVALID_DATE"
    INVALID_DATE_TIME = "INVALID_DATE_TIME"
    INVALID_ID = "INVALID_ID"
    INVALID_VALUE = "INVALID_VALUE"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: what, why in words, and where (a path of input field names)."""

    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None


class DomainError(Exception):
    """An expected refusal, with every problem found (a form shows them all at once)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = list(problems)

    @classmethod
    def of(cls, code: ErrorCode, message: str, *, field: tuple[str, ...] | None = None) -> DomainError:
        return cls(Problem(code, message, field))


class NotFound(DomainError):
    """Also the answer for another partner's records, so ids leak nothing."""

    def __init__(self, what: str, *, field: tuple[str, ...] | None = None) -> None:
        super().__init__(Problem(ErrorCode.NOT_FOUND, f"{what} not found.", field))


class Forbidden(DomainError):
    def __init__(self, message: str, *, field: tuple[str, ...] | None = None) -> None:
        super().__init__(Problem(ErrorCode.FORBIDDEN, message, field))
