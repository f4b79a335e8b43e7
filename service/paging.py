"""One page of a list read by keyset (the sort values of the last row seen), the same for every list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A page's rows in order, whether more follow, and how many rows match on every page (None for
    a list that is not counted)."""

    items: list[T]
    has_next: bool
    total: int | None = None

    @classmethod
    def of(cls, rows: list[T], first: int, *, total: int | None = None) -> Page[T]:
        """The page from ``first`` + 1 rows read: the one beyond the page only tells that more follow."""
        return cls(items=rows[:first], has_next=len(rows) > first, total=total)
