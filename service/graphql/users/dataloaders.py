from __future__ import annotations

from service.graphql.core.context import Context
from service.graphql.core.dataloader import ScopedLoader
from service.users.actor import Actor
from service.users.models import User
from service.users.services import users_by_ids


class UserByIdLoader(ScopedLoader[int, User]):
    def __init__(self, context: Context) -> None:
        super().__init__(context)
        user = context.signed_in_user
        if user is not None:  # every actor may see themselves (their partner's users, or anyone)
            self.prime(user.id, user)

    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, User]:
        return await users_by_ids(actor=actor, ids=ids)
