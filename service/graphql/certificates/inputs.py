from __future__ import annotations

import strawberry
from strawberry import relay

from service.graphql.certificates.types import CandidateKind


@strawberry.input
class CertificateCandidateFilter:
    kind: CandidateKind | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(default=None, description="Part of the name or email, any case.")
    program_id: relay.GlobalID | None = None
    cohort_id: relay.GlobalID | None = None
    certificate_type_id: relay.GlobalID | None = None
