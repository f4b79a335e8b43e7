"""Partners, as the actor may see them."""

from __future__ import annotations

from collections.abc import Iterable

from service.partners.models import Partner
from service.users.actor import Actor


async def partners_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, Partner]:
    """The partners among ``ids`` the actor may see, by id."""
    wanted = {partner_id for partner_id in ids if actor.can_see_partner(partner_id)}
    return {partner.id: partner for partner in await Partner.filter(id__in=wanted)}


async def list_partners(*, actor: Actor) -> list[Partner]:
    """Every partner the actor may see: their own, or all of them for staff."""
    return await actor.scope(Partner.all(), partner_field="id")
