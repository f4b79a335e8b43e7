"""What `portal worker` runs (through `dramatiq workers.main:broker`): the actors on the
configured broker, and the same ports the API process sets (job queue, events)."""

from __future__ import annotations

from service import dispatch
from service.events import bus
from service.settings import get_settings
from workers.jobs import declare_jobs

settings = get_settings()
if not settings.broker_url:
    raise SystemExit(
        "Set PORTAL_BROKER_URL (redis://… or amqp://…): without it jobs run inside the API process."
    )
jobs = declare_jobs(settings)
broker = jobs.broker
dispatch.set_dispatcher(jobs.send)  # a job's follow-up work (its mail) goes to the broker too
if settings.pubsub_url:
    bus.use_redis(settings.pubsub_url, prefix=settings.namespace)
