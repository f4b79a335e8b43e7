"""The shape every by-id loader shares: one service call per batch, the actor's view, None when unseen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

from strawberry.dataloader import DataLoader

from service.users.actor import Actor

if TYPE_CHECKING:
    from service.graphql.context import Context

KeyT = TypeVar("KeyT")
ValueT = TypeVar("ValueT")


class ScopedLoader(DataLoader[KeyT, ValueT | None], Generic[KeyT, ValueT]):
    """Loads through a service ``fetch(actor=..., ids=...) -> {id: value}``; unseen keys give None."""

    def __init__(
        self, context: Context, fetch: Callable[[Actor, Iterable[KeyT]], Awaitable[dict[KeyT, ValueT]]]
    ):
        async def load(keys: list[KeyT]) -> list[ValueT | None]:
            found = await fetch(await context.actor(), keys)
            return [found.get(key) for key in keys]

        super().__init__(load_fn=load)
