"""Events for subscribers (GraphQL subscriptions): published after a change commits.

In-process by default: a publisher on any thread reaches subscribers on their own event loops.
Events only say that something changed; subscribers read the true state from the database, so
a missed or repeated event can never show a wrong state.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

Event = dict[str, Any]


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]]] = {}

    def publish(self, topic: str, event: Event) -> None:
        """Deliver to every subscriber of ``topic``, from any thread."""
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


bus = EventBus()


def job_topic(job_id: int) -> str:
    return f"certificate-file-job:{job_id}"


def partner_topic(partner_id: int) -> str:
    return f"partner:{partner_id}"


def staff_topic() -> str:
    return "staff"


def announce(*, partner_id: int, recognition_id: int, job_id: int | None = None) -> None:
    """A recognition (or one of its file jobs) changed: tell its partner's dashboards and staff's."""
    event: Event = {"recognitionId": recognition_id}
    if job_id is not None:
        event["jobId"] = job_id
        bus.publish(job_topic(job_id), event)
    bus.publish(partner_topic(partner_id), event)
    bus.publish(staff_topic(), event)
