"""A sliding-window limit per client address, so verification codes cannot be enumerated."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta


class RateLimiter:
    """At most ``limit`` attempts per ``window`` for each key (in this process)."""

    def __init__(
        self, *, limit: int, window: timedelta = timedelta(minutes=1), max_keys: int = 100_000
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._attempts: dict[str, deque[datetime]] = {}

    def allow(self, key: str, now: datetime) -> bool:
        """Count an attempt; False once the key has used up its window."""
        attempts = self._attempts.get(key)
        if attempts is None:
            if len(self._attempts) >= self.max_keys:
                self._forget_idle(now)
            attempts = self._attempts[key] = deque()
        while attempts and attempts[0] <= now - self.window:
            attempts.popleft()
        if len(attempts) >= self.limit:
            return False
        attempts.append(now)
        return True

    def retry_after(self, key: str, now: datetime) -> int:
        """Seconds until the key may try again."""
        attempts = self._attempts.get(key)
        if not attempts:
            return 0
        return max(1, int((attempts[0] + self.window - now).total_seconds()) + 1)

    def _forget_idle(self, now: datetime) -> None:
        cutoff = now - self.window
        for key in [
            key for key, attempts in self._attempts.items() if not attempts or attempts[-1] <= cutoff
        ]:
            del self._attempts[key]
