from __future__ import annotations

import strawberry
from strawberry import relay

from service.certificates.candidates import CandidateFilter
from service.certificates.rules import CandidateKind as CandidateKindValue
from service.graphql.certificates.types import CandidateKind
from service.graphql.payloads import key_of


@strawberry.input
class CertificateCandidateFilter:
    kind: CandidateKind | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(default=None, description="Part of the name or email, any case.")
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


def _key(global_id: relay.GlobalID | None, type_name: str) -> int | None:
    return None if global_id is None else key_of(global_id, type_name)
