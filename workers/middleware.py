"""Each job seen from outside: its log line under the request id that caused it, its count and
duration in the metrics. The request id rides in the message's options."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware

from service.certificate_files.work import StorageFailed
from service.observability.logs import current_request_id, fields, reset_request_id, set_request_id
from service.observability.metrics import Metrics

logger = logging.getLogger("workers.jobs")  # the job lines: one per message handled

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
        if self.metrics is not None and isinstance(exception, StorageFailed):
            self.metrics.storage_failures.inc()
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
