from __future__ import annotations

import strawberry

from service.graphql.context import context_of
from service.graphql.users.types import User


@strawberry.type
class UserQueries:
    @strawberry.field(description="The signed-in user.")
    async def viewer(self, info: strawberry.Info) -> User:
        context = context_of(info)
        actor = await context.actor()
        user = await context.loaders.user_by_id.load(actor.user_id)
        assert user is not None, "an authenticated actor always sees themselves"
        return User.from_model(user)
