from __future__ import annotations

import strawberry

from service.graphql.core.context import Info
from service.graphql.partners.types import Partner
from service.partners.services import list_partners


@strawberry.type
class PartnerQueries:
    @strawberry.field(
        description="The partners the viewer may see, by name: their own, or every partner for staff "
        "(e.g. to choose whose templates to design)."
    )
    async def partners(self, info: Info) -> list[Partner]:
        return [Partner.from_model(model) for model in await list_partners(actor=await info.context.actor())]
