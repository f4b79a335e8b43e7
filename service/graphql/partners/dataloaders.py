from __future__ import annotations

from service.graphql.core.dataloader import ScopedLoader
from service.partners.models import Partner
from service.partners.services import partners_by_ids
from service.users.actor import Actor


class PartnerByIdLoader(ScopedLoader[int, Partner]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Partner]:
        return await partners_by_ids(actor=actor, ids=ids)
