"""A sliding-window limit per client address, so verification codes cannot be enumerated.

In one process the attempts are counted in memory; with several API processes (a Redis event bus is
then required) they are counted in Redis, so the limit holds for the service as a whole.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections import deque
from datetime import datetime, timedelta
from typing import Protocol

import redis.asyncio

logger = logging.getLogger("service.web")


class RateLimiter(Protocol):
    limit: int

    async def attempt(self, key: str, now: datetime) -> int | None:
        """Count an attempt: None when allowed, else the seconds until the key may try again."""
        ...


class MemoryRateLimiter:
    """At most ``limit`` attempts per ``window`` for each key, in this process."""

    def __init__(
        self, *, limit: int, window: timedelta = timedelta(minutes=1), max_keys: int = 100_000
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._attempts: dict[str, deque[datetime]] = {}

    async def attempt(self, key: str, now: datetime) -> int | None:
        attempts = self._attempts.get(key)
        if attempts is None:
            if len(self._attempts) >= self.max_keys:
                self._forget_idle(now)
            attempts = self._attempts[key] = deque()
        while attempts and attempts[0] <= now - self.window:
            attempts.popleft()
        if len(attempts) >= self.limit:
            return _seconds_until((attempts[0] + self.window - now).total_seconds())
        attempts.append(now)
        return None

    def _forget_idle(self, now: datetime) -> None:
        cutoff = now - self.window
        for key in [
            key for key, attempts in self._attempts.items() if not attempts or attempts[-1] <= cutoff
        ]:
            del self._attempts[key]


# One round trip, atomic: drop attempts older than the window, then count this one if there is room,
# else answer how long until the oldest leaves the window. Scores are seconds since the epoch.
_SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return false
"""


class RedisRateLimiter:
    """The same limit counted in Redis under ``prefix``, shared by every API process. While Redis
    cannot be reached, each process counts on its own (the limit still holds, per process)."""

    def __init__(
        self, url: str, *, prefix: str, limit: int, window: timedelta = timedelta(minutes=1)
    ) -> None:
        self.limit = limit
        self.window = window
        self._prefix = f"{prefix}:rate:"
        self._client = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._client.register_script(_SLIDING_WINDOW)
        self._fallback = MemoryRateLimiter(limit=limit, window=window)

    async def attempt(self, key: str, now: datetime) -> int | None:
        try:
            wait = await self._script(
                keys=[self._prefix + key],
                args=[now.timestamp(), self.window.total_seconds(), self.limit, uuid.uuid4().hex],
            )
        except redis.RedisError as error:
            logger.warning("rate limit counted in this process only, Redis is away: %s", error)
            return await self._fallback.attempt(key, now)
        return None if wait is None else _seconds_until(float(wait))

    async def close(self) -> None:
        await self._client.aclose()


def _seconds_until(seconds: float) -> int:
    """Whole seconds for a Retry-After header: at least one, never short of the real wait."""
    return max(1, math.floor(seconds) + 1)
