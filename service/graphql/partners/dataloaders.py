from __future__ import annotations

from typing import TYPE_CHECKING

from service.graphql.dataloader import ScopedLoader
from service.partners.models import Partner
from service.partners.services import partners_by_ids

if TYPE_CHECKING:
    from service.graphql.context import Context


class PartnerByIdLoader(ScopedLoader[int, Partner]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: partners_by_ids(actor=actor, ids=ids))
