from __future__ import annotations

import strawberry
from strawberry import relay

from service.certificates.candidates import CandidateFilter
from service.certificates.rules import CandidateKind as CandidateKindValue
from service.graphql.certificates.types import CandidateKind
from service.graphql.core.node import key_of


@strawberry.input
class CertificateCandidateFilter:
    kind: CandidateKind | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(
        default=None,
        description='Part of the name, accents and case ignored ("angela" finds "Ángela"), or of the email.',
    )
    program_id: relay.GlobalID | None = None
    cohort_id: relay.GlobalID | None = None
    certificate_type_id: relay.GlobalID | None = None

    def to_domain(self) -> CandidateFilter:
        return CandidateFilter(
            kind=None if self.kind is None else CandidateKindValue(self.kind),
            search=self.search,
            program_id=_key(self.program_id, "Program"),
            cohort_id=_key(self.cohort_id, "Cohort"),
            certificate_type_id=_key(self.certificate_type_id, "CertificateType"),
        )


@strawberry.input(
    description="The selected course-takers, in the page's order, or else a filter of the list."
)
class CertificateCandidatesExportInput:
    recognition_id: relay.GlobalID
    enrollment_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="The selection; when left out, every candidate the filter matches."
    )
    filter: CertificateCandidateFilter | None = None


@strawberry.input
class CertificateIssueInput:
    recognition_id: relay.GlobalID
    enrollment_id: relay.GlobalID = strawberry.field(description="A candidate's `enrollmentId`.")


@strawberry.input
class CertificateRevokeInput:
    id: relay.GlobalID
    reason: str = strawberry.field(description="Why; kept with the certificate, not shown publicly.")


@strawberry.input
class CertificateReissueInput:
    id: relay.GlobalID


def _key(global_id: relay.GlobalID | None, type_name: str) -> int | None:
    return None if global_id is None else key_of(global_id, type_name)
