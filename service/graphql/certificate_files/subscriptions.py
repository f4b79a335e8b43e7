from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError
from strawberry import relay

from service.certificate_files.models import FileJobStatus
from service.certificate_files.reads import get_job
from service.certificate_files.watching import watched_job
from service.errors import DomainError
from service.events import RECEIVED_AT, Event, activity_topic, bus, job_topic
from service.graphql.certificate_files.types import CertificateFileJob
from service.graphql.context import context_of
from service.graphql.payloads import key_of
from service.graphql.recognitions.types import Recognition, recognition_type
from service.recognitions.dashboard import recognitions_by_ids

FINAL = (FileJobStatus.READY, FileJobStatus.FAILED)


@strawberry.type(description="Something changed on the dashboard: a recognition, or one of its file jobs.")
class RecognitionActivity:
    recognition: Recognition | None
    job: CertificateFileJob | None


@strawberry.type
class CertificateFileSubscriptions:
    @strawberry.subscription(
        description="The job's state at once, then every change; completes after READY or FAILED. Sign in "
        'with {"authorization": "Bearer …"} in the connection_init payload.'
    )
    async def certificate_file_job_updated(
        self, info: strawberry.Info, id: relay.GlobalID
    ) -> AsyncGenerator[CertificateFileJob, None]:
        context = context_of(info)
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
                    yield CertificateFileJob.from_model(job)
                if job.status in FINAL:
                    return
                changed_at = await _next_change(changes)

    @strawberry.subscription(
        description="Changes to the signed-in partner's recognitions and their file jobs "
        "(every partner's for staff), for live dashboards."
    )
    async def recognition_activity(self, info: strawberry.Info) -> AsyncGenerator[RecognitionActivity, None]:
        context = context_of(info)
        actor = await context.actor()
        topic = activity_topic(is_staff=actor.is_staff, partner_id=actor.partner_id)
        async with bus.subscribe(topic) as changes:
            while True:
                event = await changes.get()
                recognition = (await recognitions_by_ids(actor=actor, ids=[event["recognitionId"]])).get(
                    event["recognitionId"]
                )
                job = None
                if "jobId" in event:
                    try:
                        job = CertificateFileJob.from_model(await get_job(actor=actor, job_id=event["jobId"]))
                    except DomainError:
                        job = None
                if recognition is None and job is None:
                    continue  # not the actor's to see (deleted, or another partner's)
                yield RecognitionActivity(
                    recognition=None if recognition is None else recognition_type(recognition), job=job
                )


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
    return max(event[RECEIVED_AT] for event in heard)
