"""Dramatiq's Redis broker, with consumers that take the next message as soon as a worker thread is
free, and as soon as one is sent to an idle worker."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import ConnectionClosed

logger = logging.getLogger("workers.redis_broker")


class PromptConsumer(_RedisConsumer):
    """A consumer holding as many messages as it may (``prefetch``) waits for one of them to be acked
    or rejected, then fetches the next at once. Dramatiq's own sleeps in growing steps (up to its
    worker timeout, 250 ms here) while its messages are worked on, so the next message waited ~30 ms
    on average after each: 1.5 s of a 2,000-certificate file's 40 chunks (issue 19).

    An idle consumer (nothing held, nothing queued) waits on its queue's wake-up channel, which the
    broker publishes to after each message it queues, and fetches at once when woken; else it looks
    again after its worker timeout, as Dramatiq's does, for what comes back without a wake-up (a
    dead worker's messages, those requeued at a stop). The wake-up only hastens a fetch: messages,
    acks and requeues stay Dramatiq's.

    While Redis is away, a consumer waits it out instead of failing: a fetch finds nothing and is
    tried again, an ack or a reject is retried, at first after 50 ms and then at most every second.
    Dramatiq's own answer to a connection error is to restart a consumer 3 s later and to retry an
    ack 5 s later, during which the worker thread takes nothing: the first file after a broker
    restart waited up to that long."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        self._freed = threading.Event()
        self._closing = threading.Event()  # set by close: ends the waits for Redis
        self._closed = False
        self._away_since: float | None = None  # when Redis stopped answering, while it does not
        self._wake_ups: Any = None  # a subscription to the queue's wake-up channel, made at the first wait

    def ack(self, message: Any) -> None:
        try:
            self._patiently(super().ack, message)
        finally:
            self._freed.set()

    def nack(self, message: Any) -> None:
        try:
            self._patiently(super().nack, message)
        finally:
            self._freed.set()

    def _patiently(self, settle: Any, message: Any) -> None:
        """Ack or reject, trying again while Redis is away, until it answers or the consumer closes
        (then Dramatiq's ConnectionClosed, and its own retries)."""
        wait = 0.05
        while True:
            try:
                settle(message)
            except ConnectionClosed:
                if self._closed:
                    raise
                self._away(wait)
                wait = min(2 * wait, 1.0)
            else:
                self._back()
                return

    def _away(self, seconds: float) -> None:
        """Redis did not answer: say so once, then wait ``seconds`` (less if the consumer closes)."""
        if self._away_since is None:
            self._away_since = time.monotonic()
            logger.warning("Redis is away (queue %s): waiting for it", self.queue_name)
        self._closing.wait(seconds)

    def _back(self) -> None:
        if self._away_since is not None:
            logger.info(
                "Redis is back (queue %s) after %.1f s", self.queue_name, time.monotonic() - self._away_since
            )
            self._away_since = None

    def close(self) -> None:
        """Closed, a consumer waits no more: a wait under way ends, and none begins."""
        self._closed = True
        self._closing.set()
        self._freed.set()
        try:
            super().close()
        finally:
            self._unsubscribe()

    def __next__(self) -> Any:
        # Cleared before the count is read: an ack after the read sets it again, so none is missed.
        self._freed.clear()
        if not self.message_cache:
            room = self.prefetch - self.outstanding_message_count
            if room <= 0:
                if not self._closed:
                    self._freed.wait(self.timeout / 1000)
                return None  # Dramatiq's thread looks at its delayed messages, then asks again
            self._subscribe()  # before the fetch: a message sent after it finds the consumer listening
            try:
                self.message_cache = self.broker.do_fetch(self.queue_name, room)
            except redis.ConnectionError:
                # Nothing was taken: look again soon (Dramatiq's thread runs its delayed messages).
                self._away(min(0.25, self.timeout / 1000))
                return None
            self._back()
            if not self.message_cache:
                self._wait_for_wake_up(self.timeout / 1000)
                return None
        return super().__next__()  # type: ignore[no-untyped-call]

    def _subscribe(self) -> None:
        if self._wake_ups is not None or self._closed:
            return
        subscription = self.broker.client.pubsub(ignore_subscribe_messages=True)
        try:
            subscription.subscribe(self.broker.wake_up_channel(self.queue_name))
        except (redis.RedisError, OSError) as error:
            subscription.close()
            logger.debug("no wake-ups for %s now: %s", self.queue_name, error)
            return
        self._wake_ups = subscription

    def _wait_for_wake_up(self, seconds: float) -> None:
        """Until a message is sent to this queue, or ``seconds`` pass, or the consumer is closed."""
        subscription = self._wake_ups
        if subscription is None:
            if not self._closed:
                self._freed.wait(seconds)  # a plain sleep, which a close ends
            return
        until = time.monotonic() + seconds
        try:
            # None also answers the subscription's own confirmation (ignored): wait on till the end.
            while (left := until - time.monotonic()) > 0:
                if subscription.get_message(timeout=left) is not None:
                    while subscription.get_message(timeout=0) is not None:
                        pass  # one fetch answers every wake-up that came meanwhile
                    return
        except (redis.RedisError, OSError, ValueError) as error:
            # The subscription broke (Redis restarted, or the consumer closed): a new one next time.
            logger.debug("wake-ups for %s lost: %s", self.queue_name, error)
            self._unsubscribe()

    def _unsubscribe(self) -> None:
        subscription, self._wake_ups = self._wake_ups, None
        if subscription is not None:
            try:
                subscription.close()
            except (redis.RedisError, OSError) as error:
                logger.debug("closing the wake-ups of %s: %s", self.queue_name, error)


class PromptRedisBroker(RedisBroker):
    @property
    def consumer_class(self) -> type[PromptConsumer]:
        return PromptConsumer

    def wake_up_channel(self, queue_name: str) -> str:
        return f"{self.namespace}:{queue_name}:wake-up"

    def enqueue(self, message: Any, *, delay: int | None = None) -> Any:
        """Queue the message, then wake an idle consumer of its queue (a delayed one's: the delay
        queue's, whose consumer holds it until it is due)."""
        try:
            queued = super().enqueue(message, delay=delay)
        except redis.ConnectionError as error:
            # Dramatiq's connection error (its own enqueue lets Redis's through): a consumer thread
            # moving a due delayed message restarts its consumer without a traceback in the log.
            raise ConnectionClosed(error) from None  # type: ignore[no-untyped-call]
        try:
            self.client.publish(self.wake_up_channel(queued.queue_name), b"")
        except (redis.RedisError, OSError) as error:
            # The message is queued; an idle consumer finds it at its next look.
            logger.debug("no wake-up sent for %s: %s", queued.queue_name, error)
        return queued
