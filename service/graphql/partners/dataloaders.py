from __future__ import annotations

from datetime import datetime

from service.graphql.core.context import Context
from service.graphql.core.dataloader import ScopedLoader
from service.lms.services import progress_synced_at_by_partner_ids
from service.partners.models import Partner
from service.partners.services import partners_by_ids
from service.users.actor import Actor


class PartnerByIdLoader(ScopedLoader[int, Partner]):
    def __init__(self, context: Context) -> None:
        super().__init__(context)
        user = context.signed_in_user
        if user is not None and user.partner_id is not None:  # read with the user at sign-in
            self.prime(user.partner_id, user.partner)

    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Partner]:
        return await partners_by_ids(actor=actor, ids=ids)


class ProgressSyncedAtByPartnerIdLoader(ScopedLoader[int, datetime]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, datetime]:
        return await progress_synced_at_by_partner_ids(actor=actor, ids=ids)
