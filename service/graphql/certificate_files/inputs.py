from __future__ import annotations

import strawberry
from strawberry import relay

from service.graphql.certificates.inputs import (
    EXCEPT_ENROLLMENT_IDS,
    RECOGNITION_ID,
    CertificateCandidateFilter,
)


@strawberry.input(
    description="The selected course-takers, in the page's order, or else every candidate a filter "
    'matches ("select all"), as the CSV export takes them.'
)
class CertificateFileRequestInput:
    recognition_id: relay.GlobalID = strawberry.field(description=RECOGNITION_ID)
    enrollment_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description="1 to 5,000 candidates' `enrollmentId`s, in the page's order; repeats are dropped. "
        "When left out, every candidate the filter matches (1 to 5,000).",
    )
    filter: CertificateCandidateFilter | None = strawberry.field(
        default=None,
        description="Without `enrollmentIds`: every candidate it matches, 1 to 5,000 (EMPTY_SELECTION, "
        "SELECTION_TOO_LARGE, counted after `exceptEnrollmentIds`); left out, everyone listed. Those whose "
        "certificate staff revoked are left out (`leftOut`).",
    )
    except_enrollment_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description=EXCEPT_ENROLLMENT_IDS,
    )


@strawberry.input(description="Make the recognition's last combined file again.")
class CertificateFileRegenerateInput:
    recognition_id: relay.GlobalID = strawberry.field(description=RECOGNITION_ID)
    without_dropped_out: bool = strawberry.field(
        default=False,
        description="When some of the last file's course-takers are no longer listed (e.g. their course "
        "closed without completion), make the file without them; by default the answer is a "
        "SELECTION_CHANGED error at this field, and `droppedOut` says who and why.",
    )
