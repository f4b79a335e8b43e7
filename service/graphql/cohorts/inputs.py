from __future__ import annotations

import datetime

import strawberry


@strawberry.input(description="Days from `start` to `end`, both included.")
class DateRangeInput:
    start: datetime.date = strawberry.field(
        description="The first day: a calendar date, with no time nor time zone; after `end` is "
        "INVALID_DATE_RANGE."
    )
    end: datetime.date = strawberry.field(
        description="The last day, included; a range covering more than 366 days (both ends counted) is "
        "DATE_RANGE_TOO_LONG."
    )
