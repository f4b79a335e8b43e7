from __future__ import annotations

import datetime
from typing import cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from service.audit.models import AuditAction as ActionModel
from service.audit.models import AuditEntry as EntryModel
from service.graphql.core.context import Info
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.graphql.partners.types import Partner
from service.graphql.users.dataloaders import UserByIdLoader
from service.graphql.users.types import User

AuditAction = strawberry.enum(
    ActionModel,
    name="AuditAction",
    description="Security-relevant actions: refused sign-ins (counted per address, reason and hour), "
    "staff overrides of the 14-day notice, pins marked mailed, certificates revoked or re-issued, files "
    "downloaded (a certificate, a combined file, a CSV export).",
)


@strawberry.type(description="One audited action (staff only).")
class AuditEntry:
    model: strawberry.Private[EntryModel]

    @strawberry.field
    def action(self) -> AuditAction:  # type: ignore[valid-type]
        return self.model.action

    @strawberry.field(description="Who acted; null for a refused sign-in.")
    async def actor(self, info: Info) -> User | None:
        if self.model.actor_id is None:
            return None
        user = await UserByIdLoader.for_context(info.context).load(self.model.actor_id)
        return None if user is None else User.from_model(user)

    @strawberry.field(description="Whose data it concerned; null for a refused sign-in.")
    async def partner(self, info: Info) -> Partner | None:
        if self.model.partner_id is None:
            return None
        partner = await PartnerByIdLoader.for_context(info.context).load(self.model.partner_id)
        return None if partner is None else Partner.from_model(partner)

    @strawberry.field(description="What was acted on, as `Type:id` (database ids); empty for a sign-in.")
    def subject(self) -> str:
        return self.model.subject

    @strawberry.field(description="The client's address, where the action came over HTTP.")
    def address(self) -> str:
        return self.model.address

    @strawberry.field(description="Action-specific facts: a reason, a certificate code.")
    def details(self) -> JSON:
        return cast(JSON, self.model.details)

    @strawberry.field(description="When it first happened.")
    def occurred_at(self) -> datetime.datetime:
        return self.model.occurred_at

    @strawberry.field(description="When it last happened (differs from `occurredAt` when counted).")
    def last_occurred_at(self) -> datetime.datetime:
        return self.model.last_occurred_at

    @strawberry.field(description="How many times it happened; above 1 only for refused sign-ins.")
    def count(self) -> int:
        return self.model.count


@strawberry.type
class AuditEntryEdge:
    node: AuditEntry
    cursor: str


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: relay.PageInfo
