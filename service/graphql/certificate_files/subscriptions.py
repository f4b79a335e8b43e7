from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import relay

from service.certificate_files.models import FileJobStatus
from service.certificate_files.watching import watched_job
from service.errors import DomainError
from service.events import RECEIVED_AT, Event, bus, job_topic
from service.graphql.certificate_files.types import CertificateFileJob
from service.graphql.core.context import Info
from service.graphql.core.node import key_of

FINAL = (FileJobStatus.READY, FileJobStatus.FAILED)


@strawberry.type
class CertificateFileSubscriptions:
    @strawberry.subscription(
        description="The job's state at once, then every change; completes after READY or FAILED. Sign in "
        'with {"authorization": "Bearer …"} in the connection_init payload. A job you may not see: NOT_FOUND.'
    )
    async def certificate_file_job_updated(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="A `CertificateFileJob` id.")],
    ) -> AsyncGenerator[CertificateFileJob, None]:
        context = info.context
        actor = await context.actor()
        job_id = key_of(id, "CertificateFileJob")
        # Listen first, then read: a change between the two is heard, so the final state is never missed.
        async with bus.subscribe(job_topic(job_id)) as changes:
            shown = None
            changed_at = time.monotonic()
            while True:
                try:
                    job = await watched_job(actor=actor, job_id=job_id, changed_at=changed_at)
                except DomainError as error:
                    raise GraphQLError(
                        "Certificates file not found.", extensions={"code": "NOT_FOUND"}
                    ) from error
                if (job.status, job.done) != shown:
                    shown = (job.status, job.done)
                    # The socket's context (and its loaders) lasts as long as the socket: each result
                    # reads afresh.
                    context.loaders.clear()
                    yield CertificateFileJob.from_model(job)
                if job.status in FINAL:
                    return
                changed_at = await _next_change(changes)


# Read the job again at least this often, in case an event was lost (e.g. Redis briefly away).
RECHECK_SECONDS = 5.0


async def _next_change(changes: asyncio.Queue[Event]) -> float:
    """Wait for a change (or the recheck), then take every change already waiting: one fresh read
    covers them all. When the last of them arrived (now, for the recheck)."""
    try:
        heard = [await asyncio.wait_for(changes.get(), RECHECK_SECONDS)]
    except TimeoutError:
        return time.monotonic()
    while not changes.empty():
        heard.append(changes.get_nowait())
    return float(max(event[RECEIVED_AT] for event in heard))
