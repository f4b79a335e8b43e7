from __future__ import annotations

import datetime

import strawberry


@strawberry.input(description="Days from `start` to `end`, both included.")
class DateRangeInput:
    start: datetime.date
    end: datetime.date
