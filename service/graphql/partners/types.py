from __future__ import annotations

import datetime

import strawberry
from strawberry import relay

from service.graphql.core.context import Info
from service.graphql.core.node import LoadedNode
from service.graphql.partners.dataloaders import PartnerByIdLoader, ProgressSyncedAtByPartnerIdLoader
from service.partners.models import Partner as PartnerModel


@strawberry.type(description="An institution whose course-takers we recognise.")
class Partner(LoadedNode):
    loader = PartnerByIdLoader

    id: relay.NodeID[int]
    name: str = strawberry.field(description='Its name, e.g. "Riverside University".')
    slug: str = strawberry.field(description="Its short unique name, as `portal` commands take it.")
    time_zone: str = strawberry.field(description="IANA time zone, e.g. America/Chicago.")
    default_locale: str | None = strawberry.field(
        description="The locale Han-only names are printed in when the course-taker's is unknown "
        "(`portal partner-locale`)."
    )

    @strawberry.field(
        description="When the LMS last reported its course-takers' progress (it is read once a day); "
        "null before the first read."
    )
    async def progress_synced_at(self, info: Info) -> datetime.datetime | None:
        return await ProgressSyncedAtByPartnerIdLoader.for_context(info.context).load(self.id)

    @classmethod
    def from_model(cls, model: PartnerModel) -> Partner:
        return cls(
            id=model.id,
            name=model.name,
            slug=model.slug,
            time_zone=model.time_zone,
            default_locale=model.default_locale,
        )
