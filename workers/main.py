"""What `portal worker` runs (through `dramatiq workers.main:broker`): the actors on the
configured broker, and the same ports the API process sets (job queue, events)."""

from __future__ import annotations

import sys

from service import job_queue
from service.events import bus
from service.observability.logs import configure_logging
from service.observability.metrics import Metrics, multiprocess
from service.settings import get_settings
from workers.jobs import declare_jobs
from workers.lifeline import EndWithDramatiq, metrics_middleware

settings = get_settings()
if not settings.broker_url:
    raise SystemExit(
        "Set PORTAL_BROKER_URL (redis://… or amqp://…): without it jobs run inside the API process."
    )
# A worker's event loop claims, issues and counts chunks while its drawing thread holds the GIL
# (service/certificate_files/parts.py): each answer from the database waited for the GIL up to the
# switch interval (5 ms by default), ~20 answers a chunk, so the statements could outlast the drawing
# they should hide. At 1 ms: a 2,000-certificate file with 1 worker process 10.4 → 5.9 s (medians of 4
# pairs taking turns, load ~9; bench/README.md, the job path's fourth round).
sys.setswitchinterval(0.001)
jobs = declare_jobs(settings, metrics=Metrics() if multiprocess() else None)
broker = jobs.broker
broker.add_middleware(EndWithDramatiq())  # no worker process outlives Dramatiq's main process
if settings.worker_metrics_port is not None:
    broker.add_middleware(metrics_middleware())
configure_logging(settings.log_format, settings.log_level)
job_queue.set_adapter(jobs.send)  # a job's follow-up work (its mail) goes to the broker too
if settings.pubsub_url:
    bus.use_redis(settings.pubsub_url, prefix=settings.namespace)
