"""Dates and times as people read them in what we write to them (mails, default names, the messages
of refusals): one format, day month year, as certificates print their date ("4 October 2026"),
which no reader can take for another day; a time always with its time zone, by name and by offset
from UTC.

English names spelled out here, not ``strftime("%B")``: that follows the process's locale."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def written_day(day: date) -> str:
    """``4 October 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def written_weekday_and_day(day: date) -> str:
    """``Sunday 4 October 2026``."""
    return f"{WEEKDAYS[day.weekday()]} {written_day(day)}"


def written_range(start: date, end: date) -> str:
    """``1 May 2026 to 31 August 2026``; a range of one day names it once: ``14 January 2027``."""
    return written_day(start) if start == end else f"{written_day(start)} to {written_day(end)}"


def written_wall_time(local: datetime) -> str:
    """A wall-clock time as it reads, the zone left to the sentence: ``Sunday 4 October 2026 at 10:00``."""
    return f"{written_weekday_and_day(local.date())} at {local:%H:%M}"


def written_moment(moment: datetime, time_zone: str) -> str:
    """An instant on the wall clock of a time zone, the zone named:
    ``Sunday 4 October 2026 at 10:00 (Pacific/Auckland, UTC+13:00)``."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{written_wall_time(local)} ({time_zone}, {utc_offset(local.utcoffset() or timedelta(0))})"


def utc_offset(offset: timedelta) -> str:
    """``UTC+13:00``, ``UTC-05:00``, ``UTC+05:45``; ``UTC+00:00`` for UTC itself."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"
