"""Prometheus metrics of one API process (or, with PROMETHEUS_MULTIPROC_DIR, of all of them).

Counters and histograms are kept as things happen; figures that live elsewhere (queue depth in
the broker, pending mail in the database) are read when /metrics is scraped, so they are never
stale and several processes never disagree about them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# The `_created` twin of every series doubles the page and no dashboard of ours reads it.
disable_created_metrics()  # type: ignore[no-untyped-call]
# Operation names are chosen by clients: past this many distinct ones, new names count as "other",
# so a client cannot grow the metrics without bound.
MAX_OPERATION_NAMES = 200
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_VARIABLE))


@dataclass
class LiveFigures:
    """Figures read at scrape time."""

    queue_depths: Mapping[str, int] = field(default_factory=dict)
    mail_pending: int | None = None


class _LiveCollector(Collector):
    def __init__(self, figures: LiveFigures) -> None:
        self.figures = figures

    def collect(self) -> Iterable[Metric]:
        depth = GaugeMetricFamily(
            "portal_queue_depth",
            "Job messages waiting in each queue (delayed ones included).",
            labels=["queue"],
        )
        for queue, count in sorted(self.figures.queue_depths.items()):
            depth.add_metric([queue], count)
        yield depth
        if self.figures.mail_pending is not None:
            yield GaugeMetricFamily(
                "portal_mail_outbox_pending",
                "Mail in the outbox not sent yet.",
                value=self.figures.mail_pending,
            )


class Metrics:
    """The metrics one app keeps (a registry of its own, so apps in one test process never mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._operation_names: set[str] = set()
        self.http_requests = Counter(
            "portal_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.graphql_operations = Counter(
            "portal_graphql_operations",
            "GraphQL operations by name, type and outcome (ok, errors, refused before running).",
            ["operation", "type", "outcome"],
            registry=self.registry,
        )
        self.graphql_duration = Histogram(
            "portal_graphql_operation_duration_seconds",
            "Time to answer a GraphQL query or mutation.",
            ["operation", "type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.graphql_plain_give_ups = Counter(
            "portal_graphql_plain_give_ups",
            "Object values a plan began and left to graphql-core (see plain_execution.py): a resolver "
            "that returned an awaitable, an error, a null in a non-null field. None on the dashboard.",
            registry=self.registry,
        )
        self.subscriptions = Gauge(
            "portal_graphql_subscriptions_active",
            "GraphQL subscriptions running on this service's WebSockets.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.jobs = Counter(
            "portal_jobs",
            "Jobs run by this process's worker threads, by actor and status (succeeded, failed, skipped).",
            ["actor", "status"],
            registry=self.registry,
        )
        self.storage_failures = Counter(
            "portal_storage_failures",
            "Writes into the files folder that failed (full, read-only, no permission): alert on any.",
            registry=self.registry,
        )
        self.job_duration = Histogram(
            "portal_job_duration_seconds",
            "Time a job ran, by actor.",
            ["actor"],
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.fullmatch(name):  # a client's `operationName` the document lacks
            return "other"
        if name in self._operation_names:
            return name
        if len(self._operation_names) >= MAX_OPERATION_NAMES:
            return "other"
        self._operation_names.add(name)
        return name

    def exposition(self, figures: LiveFigures) -> bytes:
        """The text a scrape gets: this process's metrics, or every process's in multiprocess mode,
        and the live figures."""
        registry = CollectorRegistry()
        if multiprocess():
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry.register(_RegistryCollector(self.registry))
        registry.register(_LiveCollector(figures))
        return generate_latest(registry)

    @staticmethod
    def process_stopped() -> None:
        """A stopped process's live gauges (active subscriptions) no longer count."""
        if multiprocess():
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class _RegistryCollector(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()
