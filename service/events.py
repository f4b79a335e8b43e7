"""Events for subscribers (GraphQL subscriptions): published after a change commits.

In-process by default: a publisher on any thread reaches subscribers on their own event loops.
With a Redis pub/sub URL, events go through Redis, so a job run by a worker process on another
machine reaches the subscribers of every API process. Events only say that something changed;
subscribers read the true state from the database, so a lost or repeated event never shows a
wrong state (and subscribers read again now and then in case one was lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis
import redis.asyncio

logger = logging.getLogger("service.events")

Event = dict[str, Any]
RECEIVED_AT = "receivedAt"


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]]] = {}
        self._redis: redis.Redis | None = None
        self._relay_client: redis.asyncio.Redis | None = None
        self._prefix = ""

    def use_redis(self, url: str | None, *, prefix: str = "portal") -> None:
        """Publish through Redis from now on (None: in-process again)."""
        self._redis = redis.Redis.from_url(url, socket_timeout=2) if url else None
        self._prefix = f"{prefix}:events:"

    def publish(self, topic: str, event: Event) -> None:
        """Deliver to every subscriber of ``topic``, from any thread, in this process or (with Redis) any."""
        if self._redis is None:
            self.deliver(topic, event)
            return
        try:
            self._redis.publish(self._prefix + topic, json.dumps(event))
        except redis.RedisError as error:
            # Subscribers read the state again on their own soon; the change itself is committed.
            logger.warning("event for %s not published: %s", topic, error)

    def deliver(self, topic: str, event: Event) -> None:
        """Hand an event to this process's subscribers of ``topic``, stamped with when it arrived
        (``time.monotonic()`` under RECEIVED_AT): a read begun after that sees the change."""
        event = {**event, RECEIVED_AT: time.monotonic()}
        with self._lock:
            subscribers = list(self._subscribers.get(topic, ()))
        for loop, queue in subscribers:
            if not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, event)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[Event]]:
        """A queue of the topic's events for as long as the block runs."""
        entry = (asyncio.get_running_loop(), asyncio.Queue[Event]())
        with self._lock:
            self._subscribers.setdefault(topic, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                self._subscribers[topic].discard(entry)
                if not self._subscribers[topic]:
                    del self._subscribers[topic]

    @asynccontextmanager
    async def relaying(self, url: str, *, prefix: str = "portal") -> AsyncIterator[None]:
        """Publish through Redis, and hand what Redis brings to this process's subscribers."""
        self.use_redis(url, prefix=prefix)
        client = self._relay_client = redis.asyncio.Redis.from_url(url)
        pubsub = client.pubsub()
        await pubsub.psubscribe(self._prefix + "*")
        task = asyncio.create_task(self._relay(pubsub))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            self._relay_client = None
            await client.aclose()
            self.use_redis(None)

    async def state(self) -> str:
        """For the readiness check: "in-process", or whether the Redis events go through answers
        ("up" / "down", asked now, 2 s at most)."""
        client = self._relay_client
        if client is None:
            return "in-process"
        try:
            await asyncio.wait_for(client.ping(), 2)
        except (redis.RedisError, OSError, TimeoutError) as error:
            logger.warning("readiness: the events' Redis does not answer: %s", error or type(error).__name__)
            return "down"
        return "up"

    async def _relay(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message["type"] == "pmessage":
                        topic = message["channel"].decode().removeprefix(self._prefix)
                        self.deliver(topic, json.loads(message["data"]))
            except redis.RedisError as error:
                logger.warning("event relay lost Redis (%s); trying again", error)
                await asyncio.sleep(1)


bus = EventBus()


def job_topic(job_id: int) -> str:
    return f"certificate-file-job:{job_id}"


def partner_topic(partner_id: int) -> str:
    return f"partner:{partner_id}"


def staff_topic() -> str:
    return "staff"


def activity_topic(*, is_staff: bool, partner_id: int | None) -> str:
    """What a dashboard may hear: its partner's changes, or every partner's for staff."""
    return staff_topic() if is_staff else partner_topic(partner_id if partner_id is not None else -1)


def announce(
    *, partner_id: int, recognition_id: int, job_id: int | None = None, certificate_id: int | None = None
) -> None:
    """A recognition (or one of its file jobs, or a certificate issued through it) changed: tell its
    partner's dashboards and staff's."""
    event: Event = {"recognitionId": recognition_id}
    if certificate_id is not None:
        event["certificateId"] = certificate_id
    if job_id is not None:
        event["jobId"] = job_id
        bus.publish(job_topic(job_id), event)
    bus.publish(partner_topic(partner_id), event)
    bus.publish(staff_topic(), event)


async def redis_problem(url: str) -> str | None:
    """Why Redis at ``url`` does not answer just now (the error's kind), or None when it does."""
    client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        await client.ping()
    except (redis.RedisError, OSError) as error:
        return type(error).__name__
    finally:
        await client.aclose()
    return None
