from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from service.audit.services import audit_page
from service.graphql.audit.types import AuditAction, AuditEntry, AuditEntryConnection, AuditEntryEdge
from service.graphql.core.context import Info
from service.graphql.core.errors import domain_errors_as_graphql
from service.graphql.core.node import key_of
from service.graphql.core.paging import (
    After,
    First,
    checked_page_size,
    decode_cursor,
    encode_cursor,
    integer,
    page_info,
)

ORDERING = "OCCURRED_AT_DESC"


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="Staff: the audit log, newest first (by when each entry first happened); FORBIDDEN "
        "for anyone else."
    )
    async def audit_entries(
        self,
        info: Info,
        first: First = 50,
        after: After = None,
        actions: Annotated[
            list[AuditAction] | None,  # type: ignore[valid-type]
            strawberry.argument(
                description="Only entries of these actions; left out or null: every action; an empty "
                "list: none."
            ),
        ] = None,
        partner_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only entries concerning this partner; left out: every one."),
        ] = None,
    ) -> AuditEntryConnection:
        context = info.context
        size = checked_page_size(first)
        before = None
        if after is not None:
            at, entry_id = decode_cursor(after, ORDERING, (datetime.fromisoformat, integer))
            before = (at, entry_id)
        with domain_errors_as_graphql():
            page = await audit_page(
                actor=await context.actor(),
                first=size,
                before=before,
                actions=actions,
                partner_id=None if partner_id is None else key_of(partner_id, "Partner"),
            )
        edges = [
            AuditEntryEdge(
                node=AuditEntry(model=row),
                cursor=encode_cursor(ORDERING, row.occurred_at.isoformat(), row.id),
            )
            for row in page.items
        ]
        return AuditEntryConnection(
            edges=edges,
            page_info=page_info(edges, has_next_page=page.has_next, after=after),
        )
