"""Jobs seen from outside: each job's log line under the request id that caused it, its count and
duration in the metrics, and how many messages wait in each queue."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name
from dramatiq.middleware import Middleware

from service.mail import services as mail
from service.observability.logs import current_request_id, fields, reset_request_id, set_request_id
from service.observability.metrics import LiveFigures, Metrics

if TYPE_CHECKING:
    from workers.jobs import Jobs

logger = logging.getLogger("workers.jobs")

REQUEST_ID_OPTION = "request_id"


def request_id_options() -> dict[str, Any]:
    """Message options that carry the current request id into the job (and the jobs it sends)."""
    request_id = current_request_id()
    return {} if request_id is None else {REQUEST_ID_OPTION: request_id}


class JobObservability(Middleware):
    """Runs in the worker thread around each message: the request id for everything the job logs
    and sends on, then one line and the metrics."""

    def __init__(self, metrics: Metrics | None) -> None:
        self.metrics = metrics
        self._local = threading.local()

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._local.token = set_request_id(message.options.get(REQUEST_ID_OPTION))
        self._local.started = time.perf_counter()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        self._finish(message, "succeeded" if exception is None else "failed")

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._finish(message, "skipped")

    def _finish(self, message: MessageProxy, outcome: str) -> None:
        started = getattr(self._local, "started", None)
        seconds = 0.0 if started is None else time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.jobs.labels(message.actor_name, outcome).inc()
            self.metrics.job_duration.labels(message.actor_name).observe(seconds)
        logger.log(
            logging.INFO if outcome != "failed" else logging.WARNING,
            "job %s %s %s",
            message.actor_name,
            ",".join(map(str, message.args)),
            outcome,
            extra=fields(
                actor=message.actor_name,
                ids=list(message.args),
                message_id=message.message_id,
                outcome=outcome,
                duration_ms=round(seconds * 1000, 1),
                retries=message.options.get("retries", 0),
            ),
        )
        token = getattr(self._local, "token", None)
        if token is not None:
            reset_request_id(token)
        self._local.token = self._local.started = None


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
        self.jobs: Jobs | None = None

    def watch(self, jobs: Jobs) -> None:
        self.jobs = jobs

    async def live_figures(self) -> LiveFigures:
        """What can be read now; a figure whose source is out of reach is left out (and logged), so
        a broker or database outage never costs the scrape the other metrics."""
        depths: dict[str, int] = {}
        pending: int | None = None
        if self.jobs is not None:
            try:
                depths = await asyncio.to_thread(self.jobs.queue_depths)
            except Exception as error:  # any failure of the broker's client
                logger.warning("queue depths not read for /metrics: %s", error)
        try:
            pending = await mail.pending_count()
        except Exception as error:  # any failure of the database
            logger.warning("pending mail not counted for /metrics: %s", error)
        return LiveFigures(queue_depths=depths, mail_pending=pending)
