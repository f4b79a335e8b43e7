from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from service.certificate_files.models import CertificateFileJob as JobModel
from service.certificate_files.models import FileJobStatus
from service.certificate_files.requests import LeftOut
from service.certificates.services import revoked_message
from service.graphql.certificate_files.dataloaders import CertificateFileJobByIdLoader
from service.graphql.certificates.dataloaders import CertificateByIdLoader
from service.graphql.certificates.types import Certificate
from service.graphql.core.context import Info
from service.graphql.core.enums import described_enum
from service.graphql.core.node import LoadedNode
from service.graphql.recognitions.dataloaders import RecognitionByIdLoader
from service.graphql.users.dataloaders import UserByIdLoader
from service.graphql.users.types import User
from service.web.downloads import certificate_file_link

if TYPE_CHECKING:
    from service.graphql.recognitions.types import Recognition

# The recognition types list their files: read lazily, so neither module imports the other first.
RECOGNITION_TYPES = "service.graphql.recognitions.types"

CertificateFileJobStatus = described_enum(
    FileJobStatus,
    name="CertificateFileJobStatus",
    description="QUEUED, then RUNNING, then READY or FAILED.",
    meanings={
        FileJobStatus.QUEUED: "Waiting for a worker.",
        FileJobStatus.RUNNING: "Being made: `done` of `total` certificates so far.",
        FileJobStatus.READY: "Made: `file` is the PDF, and a mail said so.",
        FileJobStatus.FAILED: "Given up after retries: `errorMessage` says why, and a mail said so.",
    },
)


@strawberry.type(description="The combined PDF of a finished job.")
class CertificateFile:
    size: int = strawberry.field(description="In bytes.")
    page_count: int = strawberry.field(description="Pages: one per certificate.")
    sha256: str = strawberry.field(description="SHA-256 of the file, 64 lowercase hex digits.")
    download_url: str = strawberry.field(
        description="A signed link to the PDF, for a plain <a href>; it expires in 15 minutes."
    )


@strawberry.type(
    description="A course-taker a request matched who is left out of the file: staff revoked their "
    "certificate, and only staff can issue them another."
)
class CertificateFileLeftOut:
    enrollment_id: relay.GlobalID = strawberry.field(description="Their enrolment's id.")
    name: str = strawberry.field(description="Their name, as the certificates step listed it then.")
    email: str = strawberry.field(description="Their email address.")
    revoked_certificate: Certificate = strawberry.field(description="The certificate staff revoked.")
    message: str = strawberry.field(description="Why, naming the person and the revoked certificate.")

    @classmethod
    def of(cls, person: LeftOut) -> CertificateFileLeftOut:
        return cls(
            enrollment_id=relay.GlobalID("Enrollment", str(person.enrollment_id)),
            name=person.name,
            email=person.email,
            revoked_certificate=Certificate.from_model(person.certificate),
            message=person.message,
        )


@strawberry.type(description="A combined certificates file, made in the background.")
class CertificateFileJob(LoadedNode):
    loader = CertificateFileJobByIdLoader

    id: relay.NodeID[int]
    model: strawberry.Private[JobModel]

    @strawberry.field(description="QUEUED, RUNNING, READY or FAILED.")
    def status(self) -> CertificateFileJobStatus:  # type: ignore[valid-type]
        return self.model.status

    @strawberry.field(
        description='The recognition it was asked for: a page given a job\'s id (the "file ready" '
        "mail's link) offers the file only on that recognition's certificates step."
    )
    async def recognition(
        self, info: Info
    ) -> Annotated[Recognition, strawberry.lazy(RECOGNITION_TYPES)] | None:
        from service.graphql.recognitions.types import recognition_type

        model = await RecognitionByIdLoader.for_context(info.context).load(self.model.recognition_id)
        return None if model is None else recognition_type(model)

    @strawberry.field(
        description="Certificates drawn so far, 0 to `total`; it may go back down when a ceremony's day "
        "moves while the file is made (its provisional certificates are drawn again)."
    )
    def done(self) -> int:
        return self.model.done

    @strawberry.field(description="Certificates in the file.")
    def total(self) -> int:
        return self.model.total

    @strawberry.field(description="The selected enrolments, in the page's order.")
    def enrollment_ids(self) -> list[relay.GlobalID]:
        return [relay.GlobalID("Enrollment", str(key)) for key in self.model.enrollment_ids]

    @strawberry.field(
        description="Those its requests matched but left out of the file, because staff revoked their "
        "certificate (only staff can issue them another), in the page's order: a file asked for by "
        '`filter`, or the last file regenerated, by anyone but staff. The "file ready" mail names them '
        "too. Empty when every request for this selection listed its people by `enrollmentIds` (one "
        "naming such a person is refused)."
    )
    async def left_out(self, info: Info) -> list[CertificateFileLeftOut]:
        stored = self.model.left_out
        if not stored:
            return []
        loader = CertificateByIdLoader.for_context(info.context)
        certificates = await loader.load_many([int(person["certificate_id"]) for person in stored])
        return [
            CertificateFileLeftOut(
                enrollment_id=relay.GlobalID("Enrollment", str(person["enrollment_id"])),
                name=str(person["name"]),
                email=str(person["email"]),
                revoked_certificate=Certificate.from_model(certificate),
                message=revoked_message(certificate),
            )
            for person, certificate in zip(stored, certificates, strict=True)
            if certificate is not None
        ]

    @strawberry.field(
        description="The most tries any one step of the job has taken (a part, or joining them); above 1 "
        "after a retry."
    )
    def attempts(self) -> int:
        return self.model.attempts

    @strawberry.field(
        description="Why it failed, in words a user can act on; while it runs, a problem being retried "
        '("We could not store the file; we are retrying."); else null.'
    )
    def error_message(self) -> str | None:
        return self.model.error_message

    @strawberry.field(description="When it was asked for, in UTC.")
    def created_at(self) -> datetime.datetime:
        return self.model.created_at

    @strawberry.field(description="When a worker started it, in UTC; null while QUEUED.")
    def started_at(self) -> datetime.datetime | None:
        return self.model.started_at

    @strawberry.field(description="When it became READY or FAILED, in UTC; null until then.")
    def finished_at(self) -> datetime.datetime | None:
        return self.model.finished_at

    @strawberry.field(description="Who asked for it; null when the viewer may not see that user.")
    async def requested_by(self, info: Info) -> User | None:
        user = await UserByIdLoader.for_context(info.context).load(self.model.requested_by_id)
        return None if user is None else User.from_model(user)

    @strawberry.field(description="The file, once READY.")
    async def file(self, info: Info) -> CertificateFile | None:
        model = self.model
        if model.status is not FileJobStatus.READY or model.file_sha256 is None:
            return None
        context = info.context
        actor = await context.actor()
        return CertificateFile(
            size=model.file_size or 0,
            page_count=model.page_count or 0,
            sha256=model.file_sha256,
            download_url=certificate_file_link(
                settings=context.settings, job=model, user_id=actor.user_id, now=context.clock.now()
            ),
        )

    @classmethod
    def from_model(cls, model: JobModel) -> CertificateFileJob:
        return cls(id=model.id, model=model)
