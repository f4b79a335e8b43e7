from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input(description="Which partners `progressSyncStart` reads.")
class ProgressSyncStartInput:
    partner_id: relay.GlobalID | None = strawberry.field(
        default=None, description="One partner; left out, every partner with a Canvas connection."
    )
