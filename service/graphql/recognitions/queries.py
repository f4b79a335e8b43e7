from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry import relay
from tortoise.exceptions import BaseORMException

from service.database import is_unreachable
from service.graphql.cohorts.dataloaders import CohortByIdLoader
from service.graphql.core.context import Context, Info
from service.graphql.core.errors import domain_errors_as_graphql
from service.graphql.core.paging import (
    CURSOR,
    EDGES,
    NODE,
    PAGE_INFO,
    After,
    First,
    checked_page_size,
    decode_cursor,
    encode_cursor,
    integer,
    page_info,
    text,
)
from service.graphql.core.selections import selects
from service.graphql.recognitions.dataloaders import CohortIdsByRecognitionIdLoader
from service.graphql.recognitions.inputs import RecognitionFilter, RecognitionOrder
from service.graphql.recognitions.types import Recognition, recognition_type
from service.recognitions import dashboard, rules
from service.recognitions.rules import Status


@strawberry.type(description="A recognition and its cursor.")
class RecognitionEdge:
    node: Recognition = strawberry.field(description=NODE)
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of the Recognition dashboard.")
class RecognitionConnection:
    edges: list[RecognitionEdge] = strawberry.field(description=EDGES)
    page_info: relay.PageInfo = strawberry.field(description=PAGE_INFO)
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


def left_to_the_rows(error: Exception) -> bool:
    """Whether a failure to load the rows' cohorts is the database's: the loaders' futures hold it,
    and each row's ``cohorts`` meets it where it always did (an error at that row). Anything else is
    a fault of this code, and fails the list."""
    return isinstance(error, BaseORMException) or is_unreachable(error)


async def selected_cohorts(context: Context, recognition_ids: list[int]) -> None:
    """The rows' cohorts (with their programs and types), in one batch each and before the rows are
    returned: each row's ``cohorts`` then resolves at once, without a coroutine, a task and a future
    per row, and plain execution completes the rows (the same statements the rows would have caused)."""
    try:
        # the links and the cohorts at once (two statements, one wait), as the loaders would answer
        cohort_ids, cohorts = await asyncio.gather(
            CohortIdsByRecognitionIdLoader.for_context(context).load_many(recognition_ids),
            dashboard.cohorts_selected_by(actor=await context.actor(), ids=recognition_ids),
        )
        loader = CohortByIdLoader.for_context(context)
        loader.prime_programs(cohorts.values())
        wanted = sorted({cohort_id for ids in cohort_ids for cohort_id in ids or []})
        loader.prime_many({cohort_id: cohorts.get(cohort_id) for cohort_id in wanted})
    except Exception as error:
        if not left_to_the_rows(error):
            raise


@strawberry.type
class RecognitionQueries:
    @strawberry.field(
        description="The Recognition dashboard: ceremonies and certificate requests of the signed-in "
        "partner (of every partner, for staff), paged by keyset so pages stay stable as rows are added."
    )
    async def recognitions(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            RecognitionFilter | None,
            strawberry.argument(description="Narrow the list; left out: every recognition you may see."),
        ] = None,
        order_by: Annotated[
            RecognitionOrder, strawberry.argument(description="The order; newest first by default.")
        ] = RecognitionOrder.CREATED_AT_DESC,
    ) -> RecognitionConnection:
        context = info.context
        actor = await context.actor()
        wanted = filter or RecognitionFilter()
        page = await dashboard.dashboard_page(
            actor=actor,
            now=context.clock.now(),
            filter=dashboard.DashboardFilter(
                kind=wanted.kind,
                statuses=None if wanted.statuses is None else [Status(status) for status in wanted.statuses],
                search=wanted.search,
                ceremony_date_from=wanted.ceremony_date_from,
                ceremony_date_to=wanted.ceremony_date_to,
            ),
            order_by=order_by.value,
            first=checked_page_size(first),
            after=None if after is None else _after(after, order_by),
        )
        assert page.total is not None, "the dashboard is counted"
        if selects(info, "edges", "node", "cohorts"):
            await selected_cohorts(context, [row.id for row in page.items])
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

    @strawberry.field(
        description="One ceremony or certificate request, for its details popup; null when there is none "
        "you may see (another partner's, or an id of another type)."
    )
    async def recognition(
        self,
        info: Info,
        id: Annotated[
            relay.GlobalID, strawberry.argument(description="A ceremony's or a certificate request's id.")
        ],
    ) -> Recognition | None:
        await info.context.actor()
        if id.type_name not in ("Ceremony", "CertificateRequest"):
            return None
        found = cast(Recognition | None, await id.resolve_node(info, required=False))
        if found is not None and selects(info, "cohorts"):
            await selected_cohorts(info.context, [found.model.id])
        return found

    @strawberry.field(
        description="The first day a ceremony may be on (14 calendar days from today in `timeZone`), so a "
        "date picker can grey out the days before it. An unknown zone is an INVALID_TIME_ZONE error."
    )
    async def earliest_ceremony_date(
        self,
        info: Info,
        time_zone: Annotated[str, strawberry.argument(description="IANA name, e.g. America/Chicago.")],
    ) -> date:
        context = info.context
        await context.actor()
        with domain_errors_as_graphql():
            return rules.earliest_ceremony_date(time_zone, context.clock.now())
