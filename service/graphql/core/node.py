"""Global ids: the database keys inside them, and Node types that resolve their ids through a
per-request, partner-scoped loader."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Iterable
from typing import Any, ClassVar, Literal, Self, overload

from graphql import GraphQLError
from strawberry import relay

from service.database import storable_key
from service.graphql.core.context import Context, Info
from service.graphql.core.dataloader import ScopedLoader


def database_id(node_id: str) -> int | None:
    """The integer key inside a global id, or None when it holds none (it then matches nothing):
    only as the service writes it, so "01" is not 1 (an object has one id)."""
    canonical = node_id.isascii() and node_id.isdecimal() and len(node_id) < 19
    if not canonical or str(int(node_id)) != node_id or not storable_key(int(node_id)):
        return None
    return int(node_id)


INVALID_ID = "INVALID_ID"


def _canonical_global_id(cls: type[relay.GlobalID], value: str) -> relay.GlobalID:
    """Strawberry's parsing of a global id, strict: base64 that decodes leniently (junk appended,
    characters outside the alphabet skipped) names nothing. An object has one id."""
    if isinstance(value, str):
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except ValueError:  # not ASCII, not base64, not UTF-8
            decoded = ""
        type_name, separator, node_id = decoded.partition(":")
        if separator and relay.to_base64(type_name, node_id) == value:
            return cls(type_name=type_name, node_id=node_id)
    raise relay.GlobalIDValueError("not a global id as the service writes them")


# Strawberry parses every ID argument with GlobalID.from_id and offers no hook for it (the ID scalar
# is reserved and cannot be overridden), so its parser is replaced here, once, for the process.
relay.GlobalID.from_id = classmethod(_canonical_global_id)  # type: ignore[method-assign,assignment]


def key_of(global_id: relay.GlobalID, *type_names: str) -> int:
    """The database key of an id of one of these types; -1 (matching nothing) for any other id."""
    key = database_id(global_id.node_id) if global_id.type_name in type_names else None
    return -1 if key is None else key


class LoadedNode(relay.Node):
    """A Node type that names its loader (``loader``) and how a loaded model shows as it
    (``from_model``, or ``node_of`` to refuse some); ids resolve through that loader, so ids of other
    partners come back as None, like missing ones."""

    loader: ClassVar[type[ScopedLoader[int, Any]]]

    @classmethod
    def from_model(cls, model: Any) -> Self:
        raise NotImplementedError

    @classmethod
    def node_of(cls, model: Any) -> Self | None:
        """The node a loaded model shows as; None when the id names another type than this one."""
        return cls.from_model(model)

    # relay.Node's own overloads, so this is a true override of its resolve_nodes.
    @overload
    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: Literal[True]
    ) -> Awaitable[Iterable[Self]]: ...

    @overload
    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: Literal[False] = ...
    ) -> Awaitable[Iterable[Self | None]]: ...

    @overload
    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool
    ) -> Awaitable[Iterable[Self]] | Awaitable[Iterable[Self | None]]: ...

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> Awaitable[Iterable[Self | None]]:
        return cls._load_nodes(info.context, list(node_ids), required)

    @classmethod
    async def _load_nodes(cls, context: Context, node_ids: list[str], required: bool) -> list[Self | None]:
        await context.actor()
        keys = [database_id(node_id) for node_id in node_ids]
        found = iter(
            await cls.loader.for_context(context).load_many([key for key in keys if key is not None])
        )
        models = [None if key is None else next(found) for key in keys]
        nodes = [None if model is None else cls.node_of(model) for model in models]
        if required and any(node is None for node in nodes):
            raise GraphQLError(f"No {cls.__name__} with this id.", extensions={"code": "NOT_FOUND"})
        return nodes
