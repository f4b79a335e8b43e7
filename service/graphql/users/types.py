from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from service.graphql.context import context_of
from service.graphql.node import resolve_nodes_with
from service.graphql.partners.types import Partner
from service.users.models import Role as RoleValue
from service.users.models import User as UserModel

Role = strawberry.enum(
    RoleValue, name="Role", description="PARTNER_ADMIN sees only their partner; STAFF sees every partner."
)


@strawberry.type(description="Someone who signs in.")
class User(relay.Node):
    id: relay.NodeID[int]
    email: str
    name: str
    role: Role  # type: ignore[valid-type]
    partner_id: strawberry.Private[int | None]

    @strawberry.field(description="The user's institution; none for staff.")
    async def partner(self, info: strawberry.Info) -> Partner | None:
        if self.partner_id is None:
            return None
        partner = await context_of(info).loaders.partner_by_id.load(self.partner_id)
        return None if partner is None else Partner.from_model(partner)

    @classmethod
    def from_model(cls, model: UserModel) -> User:
        return cls(
            id=model.id,
            email=model.email,
            name=model.name,
            role=model.role,
            partner_id=model.partner_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes_with(
            info, node_ids, lambda context: context.loaders.user_by_id, cls.from_model
        )
