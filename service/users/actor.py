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

    def scope(self, queryset: QuerySet[ModelT], *, partner_field: str = "partner_id") -> QuerySet[ModelT]:
        """Limit a query to the partner's rows; staff see every partner."""
        if self.is_staff:
            return queryset
        return queryset.filter(**{partner_field: self.partner_id})
