"""Partners, as the actor may see them."""

from __future__ import annotations

from collections.abc import Iterable

from service.certificates.rules import HAN_LANGUAGES, is_locale
from service.errors import DomainError, ErrorCode, NotFound
from service.partners.models import Partner
from service.users.actor import Actor


async def partners_by_ids(*, actor: Actor, ids: Iterable[int]) -> dict[int, Partner]:
    """The partners among ``ids`` the actor may see, by id."""
    wanted = {partner_id for partner_id in ids if actor.can_see_partner(partner_id)}
    return {partner.id: partner for partner in await Partner.filter(id__in=wanted)}


async def list_partners(*, actor: Actor) -> list[Partner]:
    """Every partner the actor may see, by name: their own, or all of them for staff."""
    return await actor.scope(Partner.all(), partner_field="id").order_by("name", "id")


async def set_default_locale(*, partner_slug: str, locale: str | None) -> Partner:
    """The locale a partner's Han-only names are printed in when the course-taker has none (e.g. ja,
    zh-Hant); None clears it."""
    partner = await Partner.get_or_none(slug=partner_slug)
    if partner is None:
        raise NotFound("Partner", field=("partner",))
    if locale is not None and not is_locale(locale):
        raise DomainError.of(
            ErrorCode.INVALID_LOCALE, f"{locale!r} is not a language tag such as ja, ko, zh-Hans or zh-Hant."
        )
    if locale is not None and locale.split("-")[0].lower() not in HAN_LANGUAGES:
        raise DomainError.of(
            ErrorCode.INVALID_LOCALE,
            f"{locale!r} would change nothing: the default locale only chooses how names written in Han "
            "characters alone print, so it is Japanese, Korean or Chinese (ja, ko, zh-Hans, zh-Hant, zh-HK).",
        )
    partner.default_locale = locale
    await partner.save(update_fields=["default_locale"])
    return partner
