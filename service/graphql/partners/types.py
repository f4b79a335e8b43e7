from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from service.graphql.node import resolve_nodes_with
from service.partners.models import Partner as PartnerModel


@strawberry.type(description="An institution whose course-takers we recognise.")
class Partner(relay.Node):
    id: relay.NodeID[int]
    name: str
    slug: str
    time_zone: str = strawberry.field(description="IANA time zone, e.g. America/Chicago.")

    @classmethod
    def from_model(cls, model: PartnerModel) -> Partner:
        return cls(id=model.id, name=model.name, slug=model.slug, time_zone=model.time_zone)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes_with(
            info, node_ids, lambda context: context.loaders.partner_by_id, cls.from_model
        )
