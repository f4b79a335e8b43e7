"""Who is acting, as the domain services see it, and what they may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from service.users.models import Role

ModelT = TypeVar("ModelT", bound=Model)


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    role: Role
    partner_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF

    def can_see_partner(self, partner_id: int) -> bool:
        return self.is_staff or self.partner_id == partner_id

    @property
    def seen_partner_id(self) -> int | None:
        """The one partner whose rows the actor sees; None for staff, who see every partner's."""
        return None if self.is_staff else self.partner_id

    def scope(self, queryset: QuerySet[ModelT], *, partner_field: str = "partner_id") -> QuerySet[ModelT]:
        """Limit a query to the partner's rows; staff see every partner."""
        return scoped(queryset, self.seen_partner_id, partner_field=partner_field)


def scoped(
    queryset: QuerySet[ModelT], partner_id: int | None, *, partner_field: str = "partner_id"
) -> QuerySet[ModelT]:
    """``Actor.scope`` by the actor's ``seen_partner_id``: what a ``Prepared`` read builds with."""
    return queryset if partner_id is None else queryset.filter(**{partner_field: partner_id})
