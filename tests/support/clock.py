"""A clock the tests set and move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class MovableClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def move(self, by: timedelta) -> None:
        self.current += by
