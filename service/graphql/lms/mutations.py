from __future__ import annotations

import strawberry

from service.graphql.core.context import Info
from service.graphql.core.node import key_of
from service.graphql.core.payloads import ERRORS, UserError, attempt
from service.graphql.lms.inputs import ProgressSyncStartInput
from service.graphql.lms.types import ProgressSyncRun
from service.lms.services import request_sync


@strawberry.type(description="What `progressSyncStart` did.")
class ProgressSyncStartPayload:
    run: ProgressSyncRun | None = strawberry.field(
        description="The run queued, or the one of the same scope already QUEUED or RUNNING; null when "
        "refused."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class LmsMutations:
    @strawberry.mutation(
        description="Staff: read course progress from Canvas now rather than at the next daily run; a run "
        "of the same scope already waiting or running is answered instead. FORBIDDEN for anyone else; "
        "NOT_FOUND or CANVAS_NOT_CONFIGURED at `partnerId` for a partner unknown or without Canvas."
    )
    async def progress_sync_start(
        self, info: Info, input: ProgressSyncStartInput
    ) -> ProgressSyncStartPayload:
        context = info.context
        run, errors = await attempt(
            request_sync(
                actor=await context.actor(),
                partner_id=None if input.partner_id is None else key_of(input.partner_id, "Partner"),
                now=context.clock.now(),
            )
        )
        return ProgressSyncStartPayload(
            run=None if run is None else ProgressSyncRun.from_model(run), errors=errors
        )
