from __future__ import annotations

import strawberry
from strawberry import relay

from service.graphql.core.context import Info
from service.graphql.core.enums import described_enum
from service.graphql.core.node import LoadedNode
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.graphql.partners.types import Partner
from service.graphql.users.dataloaders import UserByIdLoader
from service.users.models import Role as RoleValue
from service.users.models import User as UserModel

Role = described_enum(
    RoleValue,
    name="Role",
    description="What a user may see and do.",
    meanings={
        RoleValue.PARTNER_ADMIN: "A partner's administrator: sees and acts on their partner's records only.",
        RoleValue.STAFF: "The certifying organisation's staff: every partner's records, and the staff-only "
        "actions (overriding the notice, marking pins mailed, revoking, templates).",
    },
)


@strawberry.type(description="Someone who signs in.")
class User(LoadedNode):
    loader = UserByIdLoader

    id: relay.NodeID[int]
    email: str = strawberry.field(description="Their email address.")
    name: str = strawberry.field(description="Their name.")
    role: Role = strawberry.field(description="PARTNER_ADMIN or STAFF.")  # type: ignore[valid-type]
    partner_id: strawberry.Private[int | None]

    @strawberry.field(description="The user's institution; none for staff.")
    async def partner(self, info: Info) -> Partner | None:
        if self.partner_id is None:
            return None
        partner = await PartnerByIdLoader.for_context(info.context).load(self.partner_id)
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
