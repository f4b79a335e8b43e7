from __future__ import annotations

import datetime
from typing import cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from service.audit.models import AuditAction as ActionModel
from service.audit.models import AuditEntry as EntryModel
from service.graphql.core.context import Info
from service.graphql.core.enums import described_enum
from service.graphql.core.paging import CURSOR, EDGES, NODE, PAGE_INFO
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.graphql.partners.types import Partner
from service.graphql.users.dataloaders import UserByIdLoader
from service.graphql.users.types import User

AuditAction = described_enum(
    ActionModel,
    name="AuditAction",
    description="A security-relevant action the audit log records.",
    meanings={
        ActionModel.SIGN_IN_FAILED: "A token was refused (malformed, wrongly signed, expired, or naming no "
        "user); counted: one entry per client address, reason and hour.",
        ActionModel.MINIMUM_NOTICE_OVERRIDDEN: "Staff scheduled a ceremony sooner than 14 days ahead; "
        "`details` has their reason.",
        ActionModel.PINS_MARKED_MAILED: "Staff marked a ceremony's pins mailed.",
        ActionModel.CERTIFICATE_REVOKED: "A certificate was revoked, by staff (or by `portal certificates "
        "repair`, with no actor); `details` has the code and the reason.",
        ActionModel.CERTIFICATE_REISSUED: "A certificate was re-issued; `details` has its code and the new "
        "one (`newCode`).",
        ActionModel.FILE_DOWNLOADED: "A certificate's PDF, a combined file or a CSV export was downloaded, "
        "by the user its signed link was made for (a HEAD or a range request is not another download).",
        ActionModel.TEMPLATE_CREATED: "Staff created a certificate template.",
        ActionModel.TEMPLATE_EDITED: "A template was edited: a new version of its design.",
        ActionModel.TEMPLATE_ASSIGNED: "Staff made a template print the partner's next certificates.",
        ActionModel.TEMPLATE_UNASSIGNED: "Staff stopped a template printing the partner's next certificates.",
        ActionModel.TEMPLATE_IMAGE_UPLOADED: "A logo or signature image was uploaded for a partner's "
        "templates.",
        ActionModel.TEMPLATE_PREVIEWED: "A template's preview PDF was asked for; `details` has the version "
        "and how many sample names (not the names). Counted per user, template and hour.",
    },
)


@strawberry.type(description="One audited action (staff only).")
class AuditEntry:
    model: strawberry.Private[EntryModel]

    @strawberry.field(description="What was done.")
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


@strawberry.type(description="An audit entry and its cursor.")
class AuditEntryEdge:
    node: AuditEntry = strawberry.field(description=NODE)
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of the audit log, newest first.")
class AuditEntryConnection:
    edges: list[AuditEntryEdge] = strawberry.field(description=EDGES)
    page_info: relay.PageInfo = strawberry.field(description=PAGE_INFO)
