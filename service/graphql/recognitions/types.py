from __future__ import annotations

import datetime
from typing import Annotated, ClassVar, Self, cast
from zoneinfo import ZoneInfo

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from service.certificate_files.reads import jobs_of_recognition
from service.graphql.certificate_files.dataloaders import LastReadyJobByRecognitionIdLoader
from service.graphql.certificate_files.types import CertificateFileJob
from service.graphql.certificates.inputs import CertificateCandidateFilter
from service.graphql.certificates.queries import certificate_candidates, issued_certificates
from service.graphql.certificates.types import (
    CertificateCandidateConnection,
    CertificateConnection,
    CertificateStatus,
)
from service.graphql.cohorts.dataloaders import CohortByIdLoader
from service.graphql.cohorts.types import Cohort
from service.graphql.core.context import Context, Info
from service.graphql.core.enums import described_enum
from service.graphql.core.node import LoadedNode
from service.graphql.core.paging import After, First, checked_page_size
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.graphql.partners.types import Partner
from service.graphql.recognitions.dataloaders import (
    CohortIdsByRecognitionIdLoader,
    CountsByRecognitionIdLoader,
    EventsByRecognitionIdLoader,
    RecognitionByIdLoader,
)
from service.graphql.users.dataloaders import UserByIdLoader
from service.graphql.users.types import User
from service.recognitions import dashboard
from service.recognitions.models import CeremonyFormat as CeremonyFormatValue
from service.recognitions.models import EventKind
from service.recognitions.models import Recognition as RecognitionModel
from service.recognitions.models import RecognitionEvent as RecognitionEventModel
from service.recognitions.models import RecognitionKind as RecognitionKindValue
from service.recognitions.rules import STATUS_LABELS, STATUS_MEANINGS, Action, Status

RecognitionKind = described_enum(
    RecognitionKindValue,
    name="RecognitionKind",
    description="The two kinds of recognition.",
    meanings={
        RecognitionKindValue.CEREMONY: "A pinning ceremony (`Ceremony`).",
        RecognitionKindValue.CERTIFICATE_REQUEST: "Certificates without a ceremony (`CertificateRequest`).",
    },
)
RecognitionStatus = described_enum(
    Status,
    name="RecognitionStatus",
    description="Ceremonies: DRAFT, SCHEDULED_PENDING, SCHEDULED_PINS_MAILED, PAST (from the date: once "
    "the ceremony's day is over in its own time zone; until that midnight it stays scheduled, also after "
    "it has begun), CANCELLED. Certificate requests: DRAFT, CREATED; they never expire. `statusLabel` "
    "gives the guide's words.",
    meanings=STATUS_MEANINGS,
)
RecognitionAction = described_enum(
    Action,
    name="RecognitionAction",
    description="What a dashboard row's menu may offer the viewer now.",
    meanings={
        Action.VIEW: "Open its details.",
        Action.EDIT: "Change it in its wizard: a draft, or a scheduled ceremony (once its pins are mailed, "
        "staff only).",
        Action.SUBMIT: "Schedule a draft ceremony (`ceremonySubmit`).",
        Action.FINALIZE: "Finalize a draft certificate request (`certificateRequestFinalize`).",
        Action.CERTIFICATES: "Open its certificates step (`certificateCandidates`).",
        Action.MARK_PINS_MAILED: "Staff: record that the pins were mailed (`ceremonyMarkPinsMailed`).",
        Action.CANCEL: "Call a scheduled ceremony off (`ceremonyCancel`): the partner until the pins are "
        "mailed, staff always.",
        Action.DELETE: "Delete a draft (`recognitionDelete`).",
    },
)
CeremonyFormat = described_enum(
    CeremonyFormatValue,
    name="CeremonyFormat",
    description="How a ceremony is held.",
    meanings={
        CeremonyFormatValue.ONLINE: "Online; `meetingUrl` is its link.",
        CeremonyFormatValue.IN_PERSON: "In person; the calendar invitation gives the postal address as its "
        "location.",
    },
)
RecognitionEventKind = described_enum(
    EventKind,
    name="RecognitionEventKind",
    description="What an entry of a recognition's history records.",
    meanings={
        EventKind.CREATED: "Step 1 saved: the draft was created.",
        EventKind.UPDATED: "Changed in its wizard; `changes` has each field's old and new value.",
        EventKind.SUBMITTED: "The ceremony was scheduled (SCHEDULED_PENDING); `changes` includes "
        "`minimumNoticeOverridden` with staff's reason when the 14-day notice was overridden.",
        EventKind.PINS_MAILED: "Staff marked the pins mailed.",
        EventKind.FINALIZED: "The certificate request was finalized (CREATED).",
        EventKind.DELETED: "The draft was deleted.",
        EventKind.CANCELLED: "The ceremony was called off; `changes` has the reason, if one was given.",
    },
)


@strawberry.type(description="Days from `start` to `end`, both included.")
class DateRange:
    start: datetime.date = strawberry.field(description="The first day.")
    end: datetime.date = strawberry.field(description="The last day.")


@strawberry.type(description="Who receives the pins; each part is null until step 2 gives it.")
class MailingContact:
    name: str | None = strawberry.field(description="Their name.")
    email: str | None = strawberry.field(description="Their email address; the pins' mail goes to it.")
    phone: str | None = strawberry.field(description="Their phone number, as given.")


@strawberry.type(description="Where the pins are mailed; each part is null until step 2 gives it.")
class PostalAddress:
    line1: str | None = strawberry.field(description="First line: street and number, or a box.")
    line2: str | None = strawberry.field(description="Second line, if any.")
    city: str | None = strawberry.field(description="City or town.")
    region: str | None = strawberry.field(description="State, province or region, if any.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. US.")


@strawberry.type(description="One entry of a recognition's history.")
class RecognitionEvent:
    kind: RecognitionEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    at: datetime.datetime = strawberry.field(description="When, in UTC.")
    changes: JSON = strawberry.field(description="What changed: field names with their old and new values.")
    actor_id: strawberry.Private[int]

    @strawberry.field(description="Who did it; null when the viewer may not see that user (see `actorName`).")
    async def actor(self, info: Info) -> User | None:
        user = await UserByIdLoader.for_context(info.context).load(self.actor_id)
        return None if user is None else User.from_model(user)

    @strawberry.field(
        description="Who did it, in words: the user's name, or to a partner the certifying organisation's "
        'staff (e.g. "ACUE staff") for a staff action.'
    )
    async def actor_name(self, info: Info) -> str:
        user = await UserByIdLoader.for_context(info.context).load(self.actor_id)
        # Only staff act on a partner's recognitions without being among the users it may see.
        return f"{info.context.settings.certifier_name} staff" if user is None else user.name

    @classmethod
    def from_model(cls, model: RecognitionEventModel) -> RecognitionEvent:
        return cls(kind=model.kind, at=model.at, changes=cast(JSON, model.changes), actor_id=model.actor_id)


@strawberry.interface(
    description="What the Recognition dashboard lists: a ceremony or a certificate request."
)
class Recognition(LoadedNode):
    loader = RecognitionByIdLoader

    id: relay.NodeID[int]
    model: strawberry.Private[RecognitionModel]

    @strawberry.field(
        description="Its name, up to 200 characters. Until someone names it, one made from the step-1 range "
        '(e.g. "Pinning ceremony: cohorts ending 1 May 2026 to 31 August 2026"), following the range.'
    )
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="CEREMONY or CERTIFICATE_REQUEST, as its type says.")
    def kind(self) -> RecognitionKind:  # type: ignore[valid-type]
        return self.model.kind

    @strawberry.field(description="As the dashboard shows it now.")
    def status(self, info: Info) -> RecognitionStatus:  # type: ignore[valid-type]
        return dashboard.shown_status(self.model, info.context.clock.now())

    @strawberry.field(
        description="The status in the guide's words: "
        '"Draft", "Scheduled / Pending", "Scheduled / Pins mailed", "Past", "Created", "Cancelled".'
    )
    def status_label(self, info: Info) -> str:
        return STATUS_LABELS[dashboard.shown_status(self.model, info.context.clock.now())]

    @strawberry.field(description="Step 1: the range the selected cohorts' end dates fall in.")
    def date_range(self) -> DateRange:
        return DateRange(start=self.model.range_start, end=self.model.range_end)

    @strawberry.field(description="When step 1 was first saved, in UTC.")
    def created_at(self) -> datetime.datetime:
        return self.model.created_at

    @strawberry.field(description="When it last changed, in UTC.")
    def updated_at(self) -> datetime.datetime:
        return self.model.updated_at

    @strawberry.field(description="Who created it; null when the viewer may not see that user.")
    async def created_by(self, info: Info) -> User | None:
        user = await UserByIdLoader.for_context(info.context).load(self.model.created_by_id)
        return None if user is None else User.from_model(user)

    @strawberry.field(description="The partner it is for.")
    async def partner(self, info: Info) -> Partner:
        partner = await PartnerByIdLoader.for_context(info.context).load(self.model.partner_id)
        assert partner is not None, "a visible recognition's partner is visible too"
        return Partner.from_model(partner)

    @strawberry.field(description="The cohorts selected in step 1.")
    def cohorts(self, info: Info) -> list[Cohort]:
        # At once when the resolver that found the rows loaded their cohorts before returning them
        # (`recognitions` and `recognition(id)`, see `selected_cohorts`); else awaited, batched with
        # the other rows' (plain execution then leaves this selection to graphql-core, once).
        # (Only `info.context` is read, so plain execution builds no info object for it.)
        context = info.context
        known_ids = CohortIdsByRecognitionIdLoader.for_context(context).known([self.model.id])
        if known_ids is not None:
            cohorts = CohortByIdLoader.for_context(context)
            known = cohorts.known_shown(known_ids[0] or [], Cohort.from_model)
            if known is not None:
                return known
        return self._cohorts_later(context)  # type: ignore[return-value]

    async def _cohorts_later(self, context: Context) -> list[Cohort]:
        cohort_ids = await CohortIdsByRecognitionIdLoader.for_context(context).load(self.model.id)
        cohorts = await CohortByIdLoader.for_context(context).load_many(cohort_ids or [])
        return [Cohort.from_model(cohort) for cohort in cohorts if cohort is not None]

    @strawberry.field(description="The history, oldest first.")
    async def events(self, info: Info) -> list[RecognitionEvent]:
        events = await EventsByRecognitionIdLoader.for_context(info.context).load(self.model.id) or []
        return [RecognitionEvent.from_model(event) for event in events]

    kind_value: ClassVar[RecognitionKindValue]

    @strawberry.field(description="Download Last Certificates File: the newest READY combined file.")
    async def last_certificate_file(self, info: Info) -> CertificateFileJob | None:
        job = await LastReadyJobByRecognitionIdLoader.for_context(info.context).load(self.model.id)
        return None if job is None else CertificateFileJob.from_model(job)

    @strawberry.field(description="The newest combined-file jobs of this recognition, newest first.")
    async def certificate_files(self, info: Info, first: First = 20) -> list[CertificateFileJob]:
        await info.context.actor()
        jobs = await jobs_of_recognition(recognition_id=self.model.id, limit=checked_page_size(first))
        return [CertificateFileJob.from_model(job) for job in jobs]

    @strawberry.field(
        description="The certificates step: completers and course-takers approaching certification in the "
        "selected cohorts, by name. Once the ceremony is scheduled or the request created: for a draft "
        "(or a cancelled ceremony), null with a NOT_ALLOWED_IN_STATUS error at this field."
    )
    async def certificate_candidates(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            CertificateCandidateFilter | None,
            strawberry.argument(description="Narrow the list; left out: everyone it lists."),
        ] = None,
    ) -> CertificateCandidateConnection | None:
        # Nullable: refused for a draft, and a refusal on one row must not blank the whole list.
        return await certificate_candidates(info, self.model, first, after, filter)

    @strawberry.field(
        description="The details popup's figures: completers and approaching in the selected cohorts (as "
        "the certificates step lists them), and its certificates (valid or provisional; see `certificates`)."
    )
    async def counts(self, info: Info) -> RecognitionFigures:
        loaded = await CountsByRecognitionIdLoader.for_context(info.context).load(self.model.id)
        assert loaded is not None, "every loaded recognition is counted"
        return RecognitionFigures(
            completers=loaded.completers,
            approaching=loaded.approaching,
            certificates_issued=loaded.certificates_issued,
        )

    @strawberry.field(
        description="This recognition's certificates (issued through it, or taken over by it as it handed "
        "them out: see `Certificate.recognition`), newest first: valid, provisional, voided, revoked and "
        "replaced, unless `statuses` narrows them."
    )
    async def certificates(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        statuses: Annotated[
            list[CertificateStatus] | None,  # type: ignore[valid-type]
            strawberry.argument(
                description="Only certificates in these statuses; left out or null: every status; an empty "
                "list: none."
            ),
        ] = None,
    ) -> CertificateConnection:
        return await issued_certificates(info, self.model.id, first, after, statuses)

    @classmethod
    def from_model(cls, model: RecognitionModel) -> Self:
        return cls(id=model.id, model=model)

    @classmethod
    def node_of(cls, model: RecognitionModel) -> Self | None:
        """Ids of this kind only: a certificate request's id names no ceremony."""
        return cls.from_model(model) if model.kind is cls.kind_value else None

    @strawberry.field(description="What the row's menu may offer the viewer now; decided by the service.")
    def available_actions(self, info: Info) -> list[RecognitionAction]:  # type: ignore[valid-type]
        context = info.context
        actor = context.known_actor  # the resolver that found this recognition checked it
        if actor is None:  # not one of ours: awaited (plain execution leaves it to graphql-core)
            return self._available_actions_later(context)  # type: ignore[return-value]
        return dashboard.actions_for(self.model, actor, context.clock.now())

    async def _available_actions_later(self, context: Context) -> list[Action]:
        return dashboard.actions_for(self.model, await context.actor(), context.clock.now())


@strawberry.type(description="How many completers, approaching and certificates a recognition has.")
class RecognitionFigures:
    completers: int = strawberry.field(description="Completers, as the certificates step lists them.")
    approaching: int = strawberry.field(
        description="Course-takers approaching certification, as the certificates step lists them."
    )
    certificates_issued: int = strawberry.field(
        description="Its certificates (see `certificates`) that are valid or provisional."
    )


@strawberry.type(description="A pinning ceremony.")
class Ceremony(Recognition):
    kind_value: ClassVar[RecognitionKindValue] = RecognitionKindValue.CEREMONY

    @strawberry.field(
        description="When it starts, with the offset of its time zone (e.g. 2027-01-15T18:00:00-08:00); "
        "null until step 2 gives it."
    )
    def starts_at(self) -> datetime.datetime | None:
        if self.model.starts_at is None or self.model.time_zone is None:
            return None
        return self.model.starts_at.astimezone(ZoneInfo(self.model.time_zone))

    @strawberry.field(description="The ceremony's IANA time zone, e.g. America/Chicago; null until given.")
    def time_zone(self) -> str | None:
        return self.model.time_zone

    @strawberry.field(description="ONLINE or IN_PERSON; null until step 2 gives it.")
    def format(self) -> CeremonyFormat | None:  # type: ignore[valid-type]
        return self.model.format

    @strawberry.field(description="Whether an ACUE representative should attend; false until asked for.")
    def representative_requested(self) -> bool:
        return self.model.representative_requested

    @strawberry.field(
        description="An online ceremony's meeting link (https), sent in the calendar invitation."
    )
    def meeting_url(self) -> str | None:
        return self.model.meeting_url

    @strawberry.field(description="Who receives the pins.")
    def mailing_contact(self) -> MailingContact:
        model = self.model
        return MailingContact(name=model.contact_name, email=model.contact_email, phone=model.contact_phone)

    @strawberry.field(description="Where the pins are mailed.")
    def postal_address(self) -> PostalAddress:
        model = self.model
        return PostalAddress(
            line1=model.address_line1,
            line2=model.address_line2,
            city=model.address_city,
            region=model.address_region,
            postal_code=model.address_postal_code,
            country=model.address_country,
        )

    @strawberry.field(description="When it was submitted (scheduled), in UTC; null while a draft.")
    def submitted_at(self) -> datetime.datetime | None:
        return self.model.submitted_at

    @strawberry.field(description="When staff marked the pins mailed, in UTC; null until then.")
    def pins_mailed_at(self) -> datetime.datetime | None:
        return self.model.pins_mailed_at

    @strawberry.field(description="When it was cancelled, in UTC; null unless CANCELLED.")
    def cancelled_at(self) -> datetime.datetime | None:
        return self.model.cancelled_at

    @strawberry.field(description="Why, if the one who cancelled it said.")
    def cancellation_reason(self) -> str | None:
        return self.model.cancellation_reason


@strawberry.type(description="A request for certificates, without a ceremony.")
class CertificateRequest(Recognition):
    kind_value: ClassVar[RecognitionKindValue] = RecognitionKindValue.CERTIFICATE_REQUEST

    @strawberry.field(description="When it was finalized (CREATED), in UTC; null while a draft.")
    def finalized_at(self) -> datetime.datetime | None:
        return self.model.finalized_at


def recognition_type(model: RecognitionModel) -> Ceremony | CertificateRequest:
    if model.kind is RecognitionKindValue.CEREMONY:
        return Ceremony.from_model(model)
    return CertificateRequest.from_model(model)
