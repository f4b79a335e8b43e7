from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from service.certificates.candidates import completed_on, kind_of
from service.certificates.listing import EnrollmentListing, PersonListing
from service.certificates.models import Certificate as CertificateModel
from service.certificates.models import CertificateStatus as CertificateStatusValue
from service.certificates.printing import download_refusal
from service.certificates.rules import CandidateKind as CandidateKindValue
from service.certificates.rules import Listing as ListingValue
from service.certificates.verification import Outcome, Verification
from service.enrollments.models import Enrollment
from service.graphql.certificates.dataloaders import (
    CertificateByIdLoader,
    RevokedCertificateByEnrollmentIdLoader,
    ValidCertificateByEnrollmentIdLoader,
)
from service.graphql.cohorts.dataloaders import CertificateTypeByIdLoader, ProgramByIdLoader
from service.graphql.cohorts.types import (
    CertificateType,
    Cohort,
    Program,
    known_certificate_type,
    visible_program,
)
from service.graphql.core.context import Info
from service.graphql.core.enums import described_enum
from service.graphql.core.node import LoadedNode
from service.graphql.core.paging import CURSOR, EDGES, NODE, PAGE_INFO
from service.graphql.credentials.types import CertificateCredential, certificate_credential
from service.graphql.recognitions.dataloaders import RecognitionByIdLoader
from service.graphql.users.dataloaders import UserByIdLoader
from service.graphql.users.types import User
from service.web.downloads import certificate_link

if TYPE_CHECKING:
    from service.graphql.recognitions.types import Recognition

# The recognition types list their certificates: read lazily, so neither module imports the other first.
RECOGNITION_TYPES = "service.graphql.recognitions.types"

CertificateStatus = described_enum(
    CertificateStatusValue,
    name="CertificateStatus",
    description="Where a certificate stands; only VALID and PROVISIONAL ones are handed out and verify "
    "with details.",
    meanings={
        CertificateStatusValue.VALID: "Completed and certified: verifies as valid, dated with the completion "
        "date.",
        CertificateStatusValue.PROVISIONAL: "Issued early, to someone approaching certification: it prints "
        "(dated with the ceremony's day, or a request's issue day), but verifies as pending completion; it "
        "turns VALID by itself, dated with the completion date, when the LMS reports completion.",
        CertificateStatusValue.VOIDED: "Voided by itself: the course closed for submissions without "
        "completion, or was completed without certification (`voidedReason`).",
        CertificateStatusValue.REVOKED: "Revoked by staff (`revokedReason`); only staff may issue that "
        "enrolment another.",
        CertificateStatusValue.REPLACED: "Re-issued (e.g. after a name correction): `replacedBy` is the new "
        "certificate, with a new code.",
    },
)

Listing = described_enum(
    ListingValue,
    name="Listing",
    description="Whether an enrolment is on a recognition's certificates page, and if not, why.",
    meanings={
        ListingValue.LISTED: "Listed: a completer, or approaching certification.",
        ListingValue.NOT_IN_SELECTED_COHORTS: "Their cohort is not one the recognition selected.",
        ListingValue.DID_NOT_COMPLETE_CLOSED_COURSE: "The course closed for submissions before they "
        "completed it.",
        ListingValue.COMPLETED_WITHOUT_CERTIFICATION: "They completed the course without achieving "
        "certification (too few of the required modules).",
    },
)

CandidateKind = described_enum(
    CandidateKindValue,
    name="CandidateKind",
    description="The two kinds of course-taker the certificates step lists.",
    meanings={
        CandidateKindValue.COMPLETER: "Completed the course and achieved certification.",
        CandidateKindValue.APPROACHING: "Approaching certification: the course is still open and they have "
        "not completed it yet.",
    },
)


@strawberry.type(description="An issued certificate: the values as printed, and its PDF.")
class Certificate(LoadedNode):
    loader = CertificateByIdLoader

    id: relay.NodeID[int]
    model: strawberry.Private[CertificateModel]

    @strawberry.field(description="The verification code printed on it, e.g. 7KQ4-M9XD-2HT.")
    def code(self) -> str:
        return self.model.code

    @strawberry.field(description="Where it stands; see CertificateStatus.")
    def status(self) -> CertificateStatus:  # type: ignore[valid-type]
        return self.model.status

    @strawberry.field(description="The name as printed.")
    def recipient_name(self) -> str:
        return str(self.model.printed["recipient_name"])

    @strawberry.field(description="The date as printed: completion, or the ceremony's or issue day.")
    def awarded_on(self) -> datetime.date:
        return datetime.date.fromisoformat(self.model.printed["awarded_on"])

    @strawberry.field(
        description="The recognition it belongs to (whose counts and files include it, and whose day a "
        "provisional one prints): the one it was issued through, or the one that took it over as it "
        "handed it out (a cancelled ceremony's; a certificate request's provisional one, taken over by a "
        "ceremony). On another recognition's certificates step it says whose certificate is shown."
    )
    async def recognition(
        self, info: Info
    ) -> Annotated[Recognition, strawberry.lazy(RECOGNITION_TYPES)] | None:
        from service.graphql.recognitions.types import recognition_type

        model = await RecognitionByIdLoader.for_context(info.context).load(self.model.recognition_id)
        return None if model is None else recognition_type(model)

    @strawberry.field(description="When it was issued, in UTC.")
    def issued_at(self) -> datetime.datetime:
        return self.model.issued_at

    @strawberry.field(description="Who issued it; null when the viewer may not see that user.")
    async def issued_by(self, info: Info) -> User | None:
        user = await UserByIdLoader.for_context(info.context).load(self.model.issued_by_id)
        return None if user is None else User.from_model(user)

    @strawberry.field(description="Where anyone can check the code.")
    def verification_url(self) -> str:
        return str(self.model.printed["verification_url"])

    @strawberry.field(
        description="A signed link to the PDF, for a plain <a href>; it expires in 15 minutes. Null once the "
        "certificate is voided, revoked or replaced: its file is no longer handed out."
    )
    async def download_url(self, info: Info) -> str | None:
        if download_refusal(self.model):
            return None
        context = info.context
        actor = await context.actor()
        return certificate_link(
            settings=context.settings, certificate=self.model, user_id=actor.user_id, now=context.clock.now()
        )

    @strawberry.field(
        description="The certificate as a signed Open Badges 3.0 credential, with its download link and "
        'LinkedIn\'s "Add to profile" link; null once it is revoked, voided or replaced.'
    )
    async def credential(self, info: Info) -> CertificateCredential | None:
        return await certificate_credential(info, self.model)

    @strawberry.field(
        description="Size of its own PDF in bytes; null until that is made (on issue, or on the first "
        "download of a certificate issued for a combined file)."
    )
    def file_size(self) -> int | None:
        return self.model.file_size

    @strawberry.field(
        description="When a provisional certificate turned valid by itself, in UTC; null otherwise."
    )
    def validated_at(self) -> datetime.datetime | None:
        return self.model.validated_at

    @strawberry.field(description="When it was voided by itself, in UTC; null unless VOIDED.")
    def voided_at(self) -> datetime.datetime | None:
        return self.model.voided_at

    @strawberry.field(description="Why it was voided; null unless VOIDED.")
    def voided_reason(self) -> Listing | None:  # type: ignore[valid-type]
        return None if self.model.voided_reason is None else ListingValue(self.model.voided_reason)

    @strawberry.field(description="When staff revoked it, in UTC; null unless REVOKED.")
    def revoked_at(self) -> datetime.datetime | None:
        return self.model.revoked_at

    @strawberry.field(
        description="Staff's reason for revoking it; null unless REVOKED. Verification never shows it."
    )
    def revoked_reason(self) -> str | None:
        return self.model.revoked_reason

    @strawberry.field(description="The certificate that replaced this one, if it was re-issued.")
    async def replaced_by(self, info: Info) -> Certificate | None:
        if self.model.replaced_by_id is None:
            return None
        replacement = await CertificateByIdLoader.for_context(info.context).load(self.model.replaced_by_id)
        return None if replacement is None else Certificate.from_model(replacement)

    @classmethod
    def from_model(cls, model: CertificateModel) -> Certificate:
        return cls(id=model.id, model=model)


@strawberry.type(description="A certificate and its cursor.")
class CertificateEdge:
    node: Certificate = strawberry.field(description=NODE)
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of a recognition's certificates, newest first.")
class CertificateConnection:
    edges: list[CertificateEdge] = strawberry.field(description=EDGES)
    page_info: relay.PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description="Certificates matching the statuses, on every page.")


@strawberry.type(description="Progress in the course, as the LMS last reported it.")
class Progress:
    percent: float = strawberry.field(
        description="A percentage from 0 to 100 (not a fraction), rounded to two decimals: the share of the "
        "required modules completed (100 for a completed course that requires none)."
    )
    modules_completed: int = strawberry.field(description="Required modules completed so far.")
    modules_required: int = strawberry.field(description="Modules the course requires.")
    synced_at: datetime.datetime | None = strawberry.field(description="When the LMS last reported it.")


@strawberry.type(description="A course-taker the certificates step lists.")
class CertificateCandidate:
    enrollment: strawberry.Private[Enrollment]

    @strawberry.field(description="Global id of the enrolment: what certificate mutations take.")
    def enrollment_id(self) -> relay.GlobalID:
        return relay.GlobalID("Enrollment", str(self.enrollment.id))

    @strawberry.field(
        description="Their name as Canvas gives it (corrected there; the next progress sync brings it); "
        "empty when Canvas gives none."
    )
    def name(self) -> str:
        return self.enrollment.course_taker.name

    @strawberry.field(description="Their email address.")
    def email(self) -> str:
        return self.enrollment.course_taker.email

    @strawberry.field(description="COMPLETER or APPROACHING.")
    def kind(self) -> CandidateKind:  # type: ignore[valid-type]
        return kind_of(self.enrollment)

    @strawberry.field(description="The cohort they are enrolled in.")
    def cohort(self) -> Cohort:
        return Cohort.from_model(self.enrollment.cohort)

    @strawberry.field(description="The cohort's program.")
    def program(self, info: Info) -> Program:
        loader = ProgramByIdLoader.for_context(info.context)
        return loader.then(self.enrollment.cohort.program_id, visible_program)

    @strawberry.field(description="Earned (completers) or to be earned on completion (approaching).")
    def certificate_type(self, info: Info) -> CertificateType:
        loader = CertificateTypeByIdLoader.for_context(info.context)
        return loader.then(self.enrollment.certificate_type_id, known_certificate_type)

    @strawberry.field(
        description="The completion date, the same on the certificate, the CSV and verification: the "
        "day, in the partner's time zone, the LMS reported the course completed. Null while approaching."
    )
    def completed_on(self) -> datetime.date | None:
        return completed_on(self.enrollment)

    @strawberry.field(
        description="The instant the LMS reported the course completed; null while approaching.",
        deprecation_reason="An instant in UTC, not the date shown anywhere: use completedOn.",
    )
    def completed_at(self) -> datetime.datetime | None:
        return self.enrollment.completed_at

    @strawberry.field(
        description="The certificate already issued for this enrolment (valid, or provisional while "
        "approaching), if any."
    )
    async def certificate(self, info: Info) -> Certificate | None:
        issued = await ValidCertificateByEnrollmentIdLoader.for_context(info.context).load(self.enrollment.id)
        return None if issued is None else Certificate.from_model(issued)

    @strawberry.field(
        description="The certificate staff revoked for this enrolment, when none has been issued since "
        "(`certificate` is then null): only staff can issue another; for anyone else `certificateIssue` "
        "answers FORBIDDEN, and a combined file asked for by `filter` leaves them out."
    )
    async def revoked_certificate(self, info: Info) -> Certificate | None:
        loader = RevokedCertificateByEnrollmentIdLoader.for_context(info.context)
        revoked = await loader.load(self.enrollment.id)
        return None if revoked is None else Certificate.from_model(revoked)

    @strawberry.field(description="Their progress in the course, as the LMS last reported it.")
    def progress(self) -> Progress:
        enrollment = self.enrollment
        return Progress(
            percent=float(enrollment.percent_complete),
            modules_completed=enrollment.modules_completed,
            modules_required=enrollment.modules_required,
            synced_at=enrollment.progress_synced_at,
        )


@strawberry.type(description="A course-taker of the certificates step and its cursor.")
class CertificateCandidateEdge:
    node: CertificateCandidate = strawberry.field(description=NODE)
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of the certificates step, by name.")
class CertificateCandidateConnection:
    edges: list[CertificateCandidateEdge] = strawberry.field(description=EDGES)
    page_info: relay.PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description="Candidates matching the filter, on every page.")
    completer_count: int = strawberry.field(description="Completers matching the filter, whatever its kind.")
    approaching_count: int = strawberry.field(
        description="Approaching matching the filter, whatever its kind."
    )


VerificationOutcome = described_enum(
    Outcome,
    name="VerificationOutcome",
    description="What a certificate code is.",
    meanings={
        Outcome.VALID: "A valid certificate: for whom, what, from which partner and when are given.",
        Outcome.PROVISIONAL: "Pending completion: issued early, valid once the course is completed; for "
        "whom, what and from which partner are given, no date.",
        Outcome.VOIDED: "Voided: the course closed without completion.",
        Outcome.REVOKED: "Revoked.",
        Outcome.REPLACED: "Replaced by a corrected certificate with another code.",
        Outcome.UNKNOWN: "Well formed, but no certificate has this code.",
        Outcome.MISTYPED: "The check symbol does not match: a symbol mistyped, or two swapped.",
        Outcome.MALFORMED: "Not a code: the wrong length or symbols.",
    },
)


@strawberry.type(
    description="What a certificate's code says about it. Details only for a valid or provisional "
    "certificate; `awardedOn` only for a valid one."
)
class CertificateVerification:
    code: str = strawberry.field(
        description="The code as printed (e.g. 7KQ4-M9XD-2HT), whatever the case, spaces or dashes typed; "
        "for MALFORMED or MISTYPED, the first 40 characters of what was given."
    )
    outcome: VerificationOutcome = strawberry.field(description="What the code is.")  # type: ignore[valid-type]
    message: str = strawberry.field(description="The outcome in words, to show as it is.")
    recipient_name: str | None = strawberry.field(
        description="The name as printed; null unless valid or provisional."
    )
    certificate_type: str | None = strawberry.field(
        description="The certificate type's name; null unless valid or provisional."
    )
    partner_name: str | None = strawberry.field(
        description="The partner that awarded it; null unless valid or provisional."
    )
    awarded_on: datetime.date | None = strawberry.field(
        description="The completion date as printed; null unless valid."
    )

    @classmethod
    def from_result(cls, result: Verification) -> CertificateVerification:
        return cls(
            code=result.code,
            outcome=result.outcome,
            message=result.message,
            recipient_name=result.recipient_name,
            certificate_type=result.certificate_type,
            partner_name=result.partner_name,
            awarded_on=result.awarded_on,
        )


@strawberry.type(description="One enrolment of the person asked about, and whether the page lists it.")
class CertificateListingEnrollment:
    model: strawberry.Private[EnrollmentListing]

    @strawberry.field(description="The enrolment's global id.")
    def enrollment_id(self) -> relay.GlobalID:
        return relay.GlobalID("Enrollment", str(self.model.enrollment.id))

    @strawberry.field(description="The cohort of this enrolment.")
    def cohort(self) -> Cohort:
        return Cohort.from_model(self.model.enrollment.cohort)

    @strawberry.field(description="Whether the page lists this enrolment, and if not, why.")
    def why(self) -> Listing:  # type: ignore[valid-type]
        return self.model.why

    @strawberry.field(description="Completer or approaching, when listed.")
    def kind(self) -> CandidateKind | None:  # type: ignore[valid-type]
        return kind_of(self.model.enrollment) if self.model.why is ListingValue.LISTED else None

    @strawberry.field(description="The completion date, once completed.")
    def completed_on(self) -> datetime.date | None:
        return completed_on(self.model.enrollment)


@strawberry.type(
    description="Support: whether a person is on a recognition's certificates page, and if not, why. "
    "`why` is LISTED when any of their enrolments is; else the reason of the one closest to being listed."
)
class CertificateListing:
    name: str = strawberry.field(description="The person's name.")
    email: str = strawberry.field(description="The person's email address.")
    why: Listing = strawberry.field(description="Overall: LISTED, or why not.")  # type: ignore[valid-type]
    message: str = strawberry.field(description="`why` in a sentence, to tell the partner as it is.")
    enrollments: list[CertificateListingEnrollment] = strawberry.field(
        description="Each of their enrolments at the partner, and whether the page lists it."
    )

    @classmethod
    def from_result(cls, result: PersonListing) -> CertificateListing:
        return cls(
            name=result.name,
            email=result.email,
            why=result.why,
            message=result.message,
            enrollments=[CertificateListingEnrollment(model=entry) for entry in result.enrollments],
        )
