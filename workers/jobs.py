"""The broker chosen by settings, and the actors declared on it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries

from service.clock import SystemClock
from service.mail import services as mail
from service.settings import Settings
from workers.runtime import CloseDatabaseOnThreadShutdown, ThreadRuntime

logger = logging.getLogger("workers")

MAIL_QUEUE = "mail"


@dataclass
class Jobs:
    broker: dramatiq.Broker
    deliver_mail: dramatiq.Actor  # type: ignore[type-arg]


def make_broker(settings: Settings) -> dramatiq.Broker:
    """In-process by default; Redis (redis://) or RabbitMQ (amqp://) when a broker URL is set."""
    url = settings.broker_url
    if not url:
        broker: dramatiq.Broker = StubBroker()
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)
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


def declare_jobs(settings: Settings, broker: dramatiq.Broker | None = None) -> Jobs:
    """Declare every actor on the broker; each takes ids only and calls one domain service."""
    broker = broker or make_broker(settings)
    runtime = ThreadRuntime(settings.resolved_database_url)
    broker.add_middleware(CloseDatabaseOnThreadShutdown(runtime))
    clock = SystemClock()

    def deliver_mail(message_id: int) -> None:
        """Send one outbox message; SMTP failures raise, and Retries tries again with backoff."""
        runtime.run(lambda: mail.deliver(message_id=message_id, smtp_url=settings.smtp_url, now=clock.now()))

    return Jobs(
        broker=broker,
        deliver_mail=dramatiq.actor(broker=broker, queue_name=MAIL_QUEUE, actor_name="deliver_mail")(
            deliver_mail
        ),
    )
