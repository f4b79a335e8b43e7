from __future__ import annotations

from service.graphql.core.dataloader import ScopedLoader
from service.users.actor import Actor
from service.users.models import User
from service.users.services import users_by_ids


class UserByIdLoader(ScopedLoader[int, User]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, User]:
        return await users_by_ids(actor=actor, ids=ids)
