"""Each GraphQL operation in the metrics (name, type, outcome, latency) and in its request's log
line (its name); subscriptions counted while they run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from service.observability.logs import note
from service.observability.metrics import Metrics


def metrics_of(context: Any) -> Metrics | None:
    """The app's metrics; None where the schema runs outside the app (a script, a benchmark)."""
    request = getattr(context, "request", None)
    app = request.scope.get("app") if request is not None else None
    metrics = getattr(getattr(app, "state", None), "metrics", None)
    return metrics if isinstance(metrics, Metrics) else None


class OperationObservability(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        self.subscribed = False
        try:
            yield
        finally:
            self._record(time.perf_counter() - started)

    def on_execute(self) -> Iterator[None]:
        metrics = metrics_of(self.execution_context.context)
        if metrics is not None and self.execution_context.operation_type is OperationType.SUBSCRIPTION:
            metrics.subscriptions.inc()
            self.subscribed = True
        yield

    def _record(self, seconds: float) -> None:
        execution = self.execution_context
        name = execution.operation_name
        note(operation=name)
        metrics = metrics_of(execution.context)
        if metrics is None:
            return
        result = execution.result
        if self.subscribed:  # ended by its client, or by its last event: no result to judge by
            outcome, kind = "errors" if result is not None and result.errors else "ok", "subscription"
        elif result is None or isinstance(result, PreExecutionError):
            outcome, kind = "refused", "unknown"
        else:
            outcome = "errors" if result.errors else "ok"
            kind = execution.operation_type.value
        label = metrics.operation_label(name)
        metrics.graphql_operations.labels(label, kind, outcome).inc()
        if self.subscribed:
            metrics.subscriptions.dec()
        elif outcome != "refused":  # a subscription's time is how long someone watched, not our speed
            metrics.graphql_duration.labels(label, kind).observe(seconds)
