"""The Recognition dashboard, live: its recognitions and their file jobs as they change."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from service.certificate_files.reads import get_job
from service.certificates.services import certificates_by_ids
from service.errors import DomainError
from service.events import activity_topic, bus
from service.graphql.certificate_files.types import CertificateFileJob
from service.graphql.certificates.types import Certificate
from service.graphql.core.context import Info
from service.graphql.recognitions.types import Recognition, recognition_type
from service.recognitions.dashboard import recognitions_by_ids


@strawberry.type(
    description="Something changed on the dashboard: a recognition, one of its file jobs, or a certificate "
    "issued through it (a provisional one that turned valid or was voided by itself)."
)
class RecognitionActivity:
    recognition: Recognition | None = strawberry.field(
        description="The recognition as it is now; null when it was deleted."
    )
    job: CertificateFileJob | None = strawberry.field(
        description="The combined-file job that changed, when one did; else null."
    )
    certificate: Certificate | None = strawberry.field(
        default=None, description="The certificate whose status changed by itself, when one did; else null."
    )


@strawberry.type
class RecognitionSubscriptions:
    @strawberry.subscription(
        description="Changes to the signed-in partner's recognitions and their file jobs "
        "(every partner's for staff), for live dashboards."
    )
    async def recognition_activity(self, info: Info) -> AsyncGenerator[RecognitionActivity, None]:
        context = info.context
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
                certificate = None
                if "certificateId" in event:
                    found = await certificates_by_ids(actor=actor, ids=[event["certificateId"]])
                    certificate = found.get(event["certificateId"])
                if recognition is None and job is None:
                    continue  # not the actor's to see (deleted, or another partner's)
                # The socket's context (and its loaders) lasts as long as the socket: each result
                # reads afresh.
                context.loaders.clear()
                yield RecognitionActivity(
                    recognition=None if recognition is None else recognition_type(recognition),
                    job=job,
                    certificate=None if certificate is None else Certificate.from_model(certificate),
                )
