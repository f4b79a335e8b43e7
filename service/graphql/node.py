"""Global ids: every Node type resolves its ids through a per-request, partner-scoped loader."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from service.graphql.context import Context, context_of

NodeT = TypeVar("NodeT")


def database_id(node_id: str) -> int | None:
    """The integer key inside a global id, or None when it holds none (it then matches nothing)."""
    return int(node_id) if node_id.isascii() and node_id.isdecimal() and len(node_id) < 19 else None


async def resolve_nodes_with(
    info: Any,
    node_ids: Iterable[str],
    loader: Callable[[Context], DataLoader[int, Any]],
    to_type: Callable[[Any], NodeT],
) -> list[NodeT | None]:
    """Load ids the actor may see; ids of other partners come back as None, like missing ones."""
    context = context_of(info)
    await context.actor()
    keys = [database_id(node_id) for node_id in node_ids]
    found = await loader(context).load_many([key for key in keys if key is not None])
    models = iter(found)
    return [None if key is None else _map(next(models), to_type) for key in keys]


def _map(model: Any, to_type: Callable[[Any], NodeT]) -> NodeT | None:
    return None if model is None else to_type(model)
