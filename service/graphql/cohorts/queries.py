from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from service.cohorts import services
from service.graphql.cohorts.inputs import DateRangeInput
from service.graphql.cohorts.types import Program
from service.graphql.core.context import Info
from service.graphql.core.errors import domain_errors_as_graphql
from service.graphql.core.node import key_of


@strawberry.type
class CohortQueries:
    @strawberry.field(
        description="Step 1 of both wizards: the programs with cohorts whose end date lies in the "
        "range, each with exactly those cohorts, by program name (cohorts by end date). A partner admin sees "
        "their partner's; staff see every partner's, or one they name."
    )
    async def programs(
        self,
        info: Info,
        cohorts_ending_between: Annotated[
            DateRangeInput,
            strawberry.argument(
                description="The end dates to look for, both days included: at most 366 days. Refused "
                "with INVALID_DATE_RANGE or DATE_RANGE_TOO_LONG at its `start` or `end`."
            ),
        ],
        partner_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="Only this partner's programs; left out: every partner you may see. An "
                "unknown partner, or another partner to a partner admin, is NOT_FOUND."
            ),
        ] = None,
    ) -> list[Program]:
        actor = await info.context.actor()
        with domain_errors_as_graphql():
            found = await services.programs_with_cohorts_ending_between(
                actor=actor,
                start=cohorts_ending_between.start,
                end=cohorts_ending_between.end,
                partner_id=None if partner_id is None else key_of(partner_id, "Partner"),
            )
        return [Program.from_model(entry.program, matched_cohorts=entry.cohorts) for entry in found]
