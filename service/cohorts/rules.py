"""Rules about cohorts that need no database."""

from __future__ import annotations

from datetime import date

from service.errors import DomainError, ErrorCode, Problem

MAX_RANGE_DAYS = 366


def check_date_range(start: date, end: date, *, field: tuple[str, ...]) -> None:
    """A step-1 date range: start not after end, and at most a year (366 days) long."""
    if start > end:
        raise DomainError(
            Problem(
                ErrorCode.INVALID_DATE_RANGE,
                f"The range starts on {start.isoformat()}, after its end {end.isoformat()}.",
                (*field, "start"),
            )
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise DomainError(
            Problem(
                ErrorCode.DATE_RANGE_TOO_LONG,
                f"The range is {(end - start).days} days long; at most {MAX_RANGE_DAYS} are allowed.",
                (*field, "end"),
            )
        )
