"""Rules about cohorts that need no database."""

from __future__ import annotations

from datetime import date, timedelta

from service.dates import written_day, written_range
from service.errors import DomainError, ErrorCode, Problem

# A year at most, counted as the calendar counts a range picked on it: its first and last day both
# in it. 1 January to 31 December of a leap year is 366 days; 1 January 2026 to 1 January 2027, 366.
MAX_RANGE_DAYS = 366


def days_covered(start: date, end: date) -> int:
    """How many days a range covers, its first and last day included: a range of one day is 1."""
    return (end - start).days + 1


def check_date_range(start: date, end: date, *, field: tuple[str, ...]) -> None:
    """A step-1 date range: start not after end, and at most a year (366 days, both ends included)
    long; a refusal counts the days as the limit does, and says the last end day allowed."""
    if start > end:
        raise DomainError(
            Problem(
                ErrorCode.INVALID_DATE_RANGE,
                f"The range starts on {written_day(start)}, after its end, {written_day(end)}.",
                (*field, "start"),
            )
        )
    if (covered := days_covered(start, end)) > MAX_RANGE_DAYS:
        last_end = start + timedelta(days=MAX_RANGE_DAYS - 1)
        raise DomainError(
            Problem(
                ErrorCode.DATE_RANGE_TOO_LONG,
                f"The range covers {covered} days, {written_range(start, end)} with both included; at "
                f"most {MAX_RANGE_DAYS} are allowed: from {written_day(start)}, end it on "
                f"{written_day(last_end)} at the latest.",
                (*field, "end"),
            )
        )
