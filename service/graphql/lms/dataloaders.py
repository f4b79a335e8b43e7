from __future__ import annotations

from typing import TYPE_CHECKING

from service.graphql.dataloader import ScopedLoader
from service.lms.models import ProgressSyncRun
from service.lms.services import runs_by_ids

if TYPE_CHECKING:
    from service.graphql.context import Context


class ProgressSyncRunByIdLoader(ScopedLoader[int, ProgressSyncRun]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: runs_by_ids(actor=actor, ids=list(ids)))
