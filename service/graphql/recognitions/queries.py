from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry import relay

from service.graphql.core.context import Info
from service.graphql.core.paging import (
    checked_page_size,
    decode_cursor,
    encode_cursor,
    integer,
    page_info,
    text,
)
from service.graphql.recognitions.inputs import RecognitionFilter, RecognitionOrder
from service.graphql.recognitions.types import Recognition, recognition_type
from service.recognitions import dashboard
from service.recognitions.commands import DashboardFilter
from service.recognitions.rules import Status


@strawberry.type
class RecognitionEdge:
    node: Recognition
    cursor: str


@strawberry.type
class RecognitionConnection:
    edges: list[RecognitionEdge]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="Recognitions matching the filter, on every page.")


def _cursor(order: RecognitionOrder, value: Any, recognition_id: int) -> str:
    return encode_cursor(
        order.value, value.isoformat() if isinstance(value, datetime) else value, recognition_id
    )


def _after(cursor: str, order: RecognitionOrder) -> tuple[Any, int]:
    by_time = order.value.startswith("CREATED_AT")
    value, recognition_id = decode_cursor(
        cursor, order.value, (datetime.fromisoformat if by_time else text, integer)
    )
    return value, recognition_id


@strawberry.type
class RecognitionQueries:
    @strawberry.field(description="The Recognition dashboard: ceremonies and certificate requests.")
    async def recognitions(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: RecognitionFilter | None = None,
        order_by: RecognitionOrder = RecognitionOrder.CREATED_AT_DESC,
    ) -> RecognitionConnection:
        context = info.context
        actor = await context.actor()
        wanted = filter or RecognitionFilter()
        page = await dashboard.dashboard_page(
            actor=actor,
            now=context.clock.now(),
            filter=DashboardFilter(
                kind=wanted.kind,
                statuses=[Status(status) for status in wanted.statuses or []],
                search=wanted.search,
                ceremony_date_from=wanted.ceremony_date_from,
                ceremony_date_to=wanted.ceremony_date_to,
            ),
            order_by=order_by.value,
            first=checked_page_size(first),
            after=None if after is None else _after(after, order_by),
        )
        assert page.total is not None, "the dashboard is counted"
        edges = [
            RecognitionEdge(
                node=recognition_type(row),
                cursor=_cursor(order_by, *dashboard.cursor_value(row, order_by.value)),
            )
            for row in page.items
        ]
        return RecognitionConnection(
            edges=edges,
            page_info=page_info(edges, has_next_page=page.has_next, after=after),
            total_count=page.total,
        )

    @strawberry.field(description="One ceremony or certificate request, for its details popup.")
    async def recognition(self, info: Info, id: relay.GlobalID) -> Recognition | None:
        await info.context.actor()
        if id.type_name not in ("Ceremony", "CertificateRequest"):
            return None
        return cast(Recognition | None, await id.resolve_node(info, required=False))
