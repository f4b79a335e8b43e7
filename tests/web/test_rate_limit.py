"""The verification rate limit: a sliding window per address, in memory for one process and in
Redis for several (the same sequence must give the same answers from both)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from service.web.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from tests.support.engines import REDIS_URL, redis_answers
from tests.support.smtp_server import free_port

T0 = datetime(2026, 9, 19, 12, 0, tzinfo=UTC)
needs_redis = pytest.mark.skipif(not redis_answers(), reason=f"no Redis at {REDIS_URL} (.ci/run starts one)")


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


async def _answers(limiter: RateLimiter) -> list[int | None]:
    seconds = [0, 30, 59, 60, 61, 89.5, 90]
    return [await limiter.attempt("203.0.113.9", T0 + timedelta(seconds=s)) for s in seconds]


# limit 2 a minute: attempts at 0 s and 30 s pass; at 59 s the oldest leaves in 1 s (Retry-After 2);
# at 60 s it has left; at 61 s, 30 s' attempt leaves in 29 s; ...
EXPECTED = [None, None, 2, None, 30, 1, None]


async def test_in_memory() -> None:
    assert await _answers(MemoryRateLimiter(limit=2)) == EXPECTED


@needs_redis
async def test_in_redis(prefix: str) -> None:
    limiter = RedisRateLimiter(REDIS_URL, prefix=prefix, limit=2)
    try:
        assert await _answers(limiter) == EXPECTED
    finally:
        await limiter.close()


@needs_redis
async def test_two_processes_share_one_count(prefix: str) -> None:
    first, second = (RedisRateLimiter(REDIS_URL, prefix=prefix, limit=3) for _ in range(2))
    try:
        answers = [await limiter.attempt("203.0.113.9", T0) for limiter in (first, second, first, second)]
        other_address = await second.attempt("198.51.100.7", T0)
    finally:
        await first.close()
        await second.close()

    assert (answers, other_address) == ([None, None, None, 61], None)


async def test_while_redis_is_away_each_process_still_limits() -> None:
    # given a limiter whose Redis does not answer (nothing listens on the port)
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", prefix="away", limit=2)
    try:
        # when
        answers = await _answers(limiter)
    finally:
        await limiter.close()

    # then: the same answers, counted in memory
    assert answers == EXPECTED
