from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input
class CertificateFileRequestInput:
    recognition_id: relay.GlobalID
    enrollment_ids: list[relay.GlobalID] = strawberry.field(
        description="1 to 5,000 candidates' `enrollmentId`s, in the page's order; repeats are dropped."
    )


@strawberry.input
class CertificateFileRegenerateInput:
    recognition_id: relay.GlobalID
