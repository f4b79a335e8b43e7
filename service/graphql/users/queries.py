from __future__ import annotations

import strawberry

from service.graphql.core.context import Info
from service.graphql.users.dataloaders import UserByIdLoader
from service.graphql.users.types import User


@strawberry.type
class UserQueries:
    @strawberry.field(description="The signed-in user.")
    async def viewer(self, info: Info) -> User:
        context = info.context
        actor = await context.actor()
        user = await UserByIdLoader.for_context(context).load(actor.user_id)
        assert user is not None, "an authenticated actor always sees themselves"
        return User.from_model(user)
