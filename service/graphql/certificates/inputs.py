from __future__ import annotations

import strawberry
from strawberry import relay

from service.certificates.candidates import CandidateFilter
from service.certificates.rules import CandidateKind as CandidateKindValue
from service.graphql.certificates.types import CandidateKind
from service.graphql.core.node import key_of

RECOGNITION_ID = "The recognition's id: a scheduled (or past) ceremony's, or a created certificate request's."
EXCEPT_ENROLLMENT_IDS = (
    'With the filter ("select all" but these): candidates\' `enrollmentId`s it matches to leave out, at '
    "most 5,000 (SELECTION_TOO_LARGE beyond, repeats counted), each one the certificates step lists "
    "(NOT_A_CANDIDATE by position; one the filter does not match changes nothing). Everyone the filter "
    "matches left out: EMPTY_SELECTION. With `enrollmentIds`: INVALID_VALUE."
)


@strawberry.input(
    description="Narrows the certificates step: only the course-takers every given field matches; each "
    "field left out or null lets everyone through."
)
class CertificateCandidateFilter:
    kind: CandidateKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Only completers, or only those approaching (`completerCount` and `approachingCount` "
        "still count both).",
    )
    search: str | None = strawberry.field(
        default=None,
        description="Part of the name as people type it, accents and case ignored, apostrophes left out, "
        'dashes read as spaces ("angela" finds "Ángela", "obrien" finds "O\'Brien", "jean luc" finds '
        '"Jean-Luc"); or part of the email, any case.',
    )
    program_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="Only the cohorts of this program (a `Program` id); one not among the recognition's "
        "cohorts matches no one.",
    )
    cohort_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="Only this cohort (a `Cohort` id); one not among the recognition's selected cohorts "
        "matches no one.",
    )
    certificate_type_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="Only those who earned, or will earn, this certificate type (a `CertificateType` id).",
    )

    def to_domain(self) -> CandidateFilter:
        return CandidateFilter(
            kind=None if self.kind is None else CandidateKindValue(self.kind),
            search=self.search,
            program_id=_key(self.program_id, "Program"),
            cohort_id=_key(self.cohort_id, "Cohort"),
            certificate_type_id=_key(self.certificate_type_id, "CertificateType"),
        )


@strawberry.input(
    description="The selected course-takers, in the page's order, or else every one a filter of the list "
    "matches, in the list's order (not both: INVALID_VALUE at `filter`)."
)
class CertificateCandidatesExportInput:
    recognition_id: relay.GlobalID = strawberry.field(description=RECOGNITION_ID)
    enrollment_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description="The selection: 1 to 5,000 candidates' `enrollmentId`s (SELECTION_TOO_LARGE beyond, "
        "repeats counted; repeats dropped), each listed (NOT_A_CANDIDATE by position). Left out: the "
        "filter decides.",
    )
    filter: CertificateCandidateFilter | None = strawberry.field(
        default=None,
        description="Without `enrollmentIds`: every candidate it matches, however many (no limit: the file "
        "is streamed), but `exceptEnrollmentIds`; left out, everyone listed. No match: EMPTY_SELECTION.",
    )
    except_enrollment_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description=EXCEPT_ENROLLMENT_IDS,
    )


@strawberry.input(description="Issue one course-taker's certificate.")
class CertificateIssueInput:
    recognition_id: relay.GlobalID = strawberry.field(description=RECOGNITION_ID)
    enrollment_id: relay.GlobalID = strawberry.field(
        description="A candidate's `enrollmentId` (NOT_A_CANDIDATE when the page does not list them)."
    )


@strawberry.input(description="Staff: revoke a certificate.")
class CertificateRevokeInput:
    id: relay.GlobalID = strawberry.field(description="The certificate's id.")
    reason: str = strawberry.field(description="Why; kept with the certificate, not shown publicly.")


@strawberry.input(description="Re-issue a certificate with the current data and a new code.")
class CertificateReissueInput:
    id: relay.GlobalID = strawberry.field(description="The valid or provisional certificate's id.")


def _key(global_id: relay.GlobalID | None, type_name: str) -> int | None:
    return None if global_id is None else key_of(global_id, type_name)
