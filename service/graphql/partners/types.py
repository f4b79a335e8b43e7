from __future__ import annotations

import strawberry
from strawberry import relay

from service.graphql.core.node import LoadedNode
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.partners.models import Partner as PartnerModel


@strawberry.type(description="An institution whose course-takers we recognise.")
class Partner(LoadedNode):
    loader = PartnerByIdLoader

    id: relay.NodeID[int]
    name: str
    slug: str
    time_zone: str = strawberry.field(description="IANA time zone, e.g. America/Chicago.")
    default_locale: str | None = strawberry.field(
        description="The locale Han-only names are printed in when the course-taker's is unknown "
        "(`portal partner-locale`)."
    )

    @classmethod
    def from_model(cls, model: PartnerModel) -> Partner:
        return cls(
            id=model.id,
            name=model.name,
            slug=model.slug,
            time_zone=model.time_zone,
            default_locale=model.default_locale,
        )
