from __future__ import annotations

from service.graphql.core.dataloader import ScopedLoader
from service.lms.models import ProgressSyncRun
from service.lms.services import runs_by_ids
from service.users.actor import Actor


class ProgressSyncRunByIdLoader(ScopedLoader[int, ProgressSyncRun]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, ProgressSyncRun]:
        return await runs_by_ids(actor=actor, ids=ids)
