from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, cast

import strawberry
from graphql import GraphQLError
from strawberry import relay

from service.graphql.context import context_of
from service.graphql.recognitions.inputs import RecognitionFilter, RecognitionOrder
from service.graphql.recognitions.types import Recognition, recognition_type
from service.recognitions import services
from service.recognitions.rules import Status

MAX_PAGE_SIZE = 100


@strawberry.type
class RecognitionEdge:
    node: Recognition
    cursor: str


@strawberry.type
class RecognitionConnection:
    edges: list[RecognitionEdge]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="Recognitions matching the filter, on every page.")


def _encode_cursor(order: RecognitionOrder, value: Any, recognition_id: int) -> str:
    plain = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([order.value, plain, recognition_id]).encode()).decode()


def _decode_cursor(cursor: str, order: RecognitionOrder) -> tuple[Any, int]:
    try:
        order_name, value, recognition_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if order_name != order.value or not isinstance(recognition_id, int) or not isinstance(value, str):
            raise ValueError("cursor of another ordering")
        return (
            datetime.fromisoformat(value) if order.value.startswith("CREATED_AT") else value
        ), recognition_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise GraphQLError(
            "The cursor is not one this list gave out with this order.",
            extensions={"code": "INVALID_CURSOR", "field": ["after"]},
        ) from error


def _checked_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise GraphQLError(
            f"`first` must be between 1 and {MAX_PAGE_SIZE}.",
            extensions={"code": "INVALID_PAGE_SIZE", "field": ["first"]},
        )
    return first


@strawberry.type
class RecognitionQueries:
    @strawberry.field(description="The Recognition dashboard: ceremonies and certificate requests.")
    async def recognitions(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        filter: RecognitionFilter | None = None,
        order_by: RecognitionOrder = RecognitionOrder.CREATED_AT_DESC,
    ) -> RecognitionConnection:
        context = context_of(info)
        actor = await context.actor()
        wanted = filter or RecognitionFilter()
        rows, has_next, total = await services.dashboard_page(
            actor=actor,
            now=context.clock.now(),
            filter=services.DashboardFilter(
                kind=wanted.kind,
                statuses=[Status(status) for status in wanted.statuses or []],
                search=wanted.search,
                ceremony_date_from=wanted.ceremony_date_from,
                ceremony_date_to=wanted.ceremony_date_to,
            ),
            order_by=order_by.value,
            first=_checked_page_size(first),
            after=None if after is None else _decode_cursor(after, order_by),
        )
        edges = [
            RecognitionEdge(
                node=recognition_type(row),
                cursor=_encode_cursor(order_by, *services.cursor_value(row, order_by.value)),
            )
            for row in rows
        ]
        return RecognitionConnection(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )

    @strawberry.field(description="One ceremony or certificate request, for its details popup.")
    async def recognition(self, info: strawberry.Info, id: relay.GlobalID) -> Recognition | None:
        await context_of(info).actor()
        if id.type_name not in ("Ceremony", "CertificateRequest"):
            return None
        return cast(Recognition | None, await id.resolve_node(info, required=False))
