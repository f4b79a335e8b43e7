"""The broker chosen by settings, its queues, and how many messages wait in each (for /metrics)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name
from dramatiq.middleware import Retries

from service.mail import services as mail
from service.observability.metrics import LiveFigures
from service.settings import Settings

logger = logging.getLogger("workers.broker")

QUEUES = ("mail", "certificate-files", "lms")  # each named "<PORTAL_NAMESPACE>.<queue>"


def queue_names(namespace: str) -> dict[str, str]:
    """Each queue's full name on the broker, by its short name."""
    return {queue: f"{namespace}.{queue}" for queue in QUEUES}


def make_broker(settings: Settings) -> dramatiq.Broker:
    """In-process by default; Redis (redis://) or RabbitMQ (amqp://) when a broker URL is set."""
    url = settings.broker_url
    if not url:
        broker: dramatiq.Broker = StubBroker()
    elif url.startswith(("redis://", "rediss://")):
        from workers.redis_broker import PromptRedisBroker

        broker = PromptRedisBroker(  # type: ignore[no-untyped-call]
            url=url,
            namespace=f"{settings.namespace}-jobs",
            heartbeat_timeout=settings.broker_heartbeat_ms,
            # Look for dead workers' messages on one command in ten (the default: one in a thousand).
            maintenance_chance=100_000,
        )
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    else:
        raise ValueError(f"unsupported broker URL {url!r}; use redis://… or amqp://…")
    retries = next(middleware for middleware in broker.middleware if isinstance(middleware, Retries))
    retries.max_retries = settings.job_max_retries
    retries.min_backoff = settings.job_min_backoff_ms
    retries.max_backoff = settings.job_max_backoff_ms
    return broker


def queue_depths(broker: dramatiq.Broker, queues: dict[str, str]) -> dict[str, int]:
    """Messages waiting (delayed ones included) in each queue, by short name: asks the broker, so
    it blocks on the network — call it from a thread."""
    if isinstance(broker, StubBroker):
        return {
            short: sum(broker.queues[name].qsize() for name in (full, dq_name(full)) if name in broker.queues)
            for short, full in queues.items()
        }
    from dramatiq.brokers.rabbitmq import RabbitmqBroker
    from dramatiq.brokers.redis import RedisBroker

    if isinstance(broker, RedisBroker):
        client = broker.client
        return {
            short: sum(int(client.llen(f"{broker.namespace}:{name}")) for name in (full, dq_name(full)))
            for short, full in queues.items()
        }
    if isinstance(broker, RabbitmqBroker):
        return _rabbitmq_depths(broker.parameters, queues)
    return {}


def _rabbitmq_depths(parameters: Any, queues: dict[str, str]) -> dict[str, int]:
    """A connection of its own for each scrape, closed at once: the broker's thread-local ones would
    be left open in the scraping threads, unserviced, until RabbitMQ drops them."""
    import pika
    import pika.exceptions

    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        depths = {}
        for short, full in queues.items():
            depths[short] = 0
            for name in (full, dq_name(full)):
                try:
                    depths[short] += channel.queue_declare(name, passive=True).method.message_count
                except pika.exceptions.ChannelClosedByBroker:  # not declared yet: nothing waits there
                    channel = connection.channel()
        return depths
    finally:
        connection.close()


class QueueWatch:
    """The live figures of /metrics: queue depths from the app's broker, pending mail from the
    database."""

    def __init__(self) -> None:
        self.broker: dramatiq.Broker | None = None
        self.queues: dict[str, str] = {}

    def watch(self, broker: dramatiq.Broker, namespace: str) -> None:
        self.broker, self.queues = broker, queue_names(namespace)

    async def live_figures(self) -> LiveFigures:
        """What can be read now; a figure whose source is out of reach is left out (and logged), so
        a broker or database outage never costs the scrape the other metrics."""
        depths: dict[str, int] = {}
        pending: int | None = None
        if self.broker is not None:
            try:
                depths = await asyncio.to_thread(queue_depths, self.broker, self.queues)
            except Exception as error:  # any failure of the broker's client
                logger.warning("queue depths not read for /metrics: %s", error)
        try:
            pending = await mail.pending_count()
        except Exception as error:  # any failure of the database
            logger.warning("pending mail not counted for /metrics: %s", error)
        return LiveFigures(queue_depths=depths, mail_pending=pending)
