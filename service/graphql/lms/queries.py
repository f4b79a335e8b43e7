from __future__ import annotations

import strawberry

from service.graphql.core.context import Info
from service.graphql.core.errors import domain_errors_as_graphql
from service.graphql.core.paging import First, checked_page_size
from service.graphql.lms.types import ProgressSyncRun
from service.lms.services import runs


@strawberry.type
class LmsQueries:
    @strawberry.field(
        description="Staff: the newest progress sync runs, newest first (by when each was asked for); "
        "FORBIDDEN for anyone else."
    )
    async def progress_sync_runs(self, info: Info, first: First = 20) -> list[ProgressSyncRun]:
        context = info.context
        with domain_errors_as_graphql():
            found = await runs(actor=await context.actor(), limit=checked_page_size(first))
        return [ProgressSyncRun.from_model(run) for run in found]
