"""The shape every by-id loader shares: one service call per batch, the actor's view, None when unseen;
one loader of each class per request, kept on the request's Context."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Generic, Self, TypeVar, cast

from strawberry.dataloader import DataLoader

from service.graphql.core.context import Context
from service.users.actor import Actor

KeyT = TypeVar("KeyT")
ValueT = TypeVar("ValueT")
ResultT = TypeVar("ResultT")


class ScopedLoader(DataLoader[KeyT, ValueT | None], Generic[KeyT, ValueT]):
    """Loads a batch of keys through one service call (``fetch``) with the request's actor; keys it
    does not answer (unseen, or not the actor's to see) give None."""

    def __init__(self, context: Context) -> None:
        # The context keeps its loaders; a loader that kept its context too would make the request's
        # objects (every value loaded) a cycle, which only the garbage collector's passes free.
        self._context_ref = weakref.ref(context)
        super().__init__(load_fn=self.load_fn)
        del self.load_fn  # the class's method, bound when called: kept bound here, it was a cycle too
        self._shown: dict[tuple[Any, Callable[[Any], Any]], Any] = {}
        """What ``then`` made of each settled key, by key and conversion."""

    @property
    def _context(self) -> Context:
        context = self._context_ref()
        if context is None:  # only a batch dispatched after its request ended: no one waits for it
            raise ReferenceError("the loader's request has ended")
        return context

    @classmethod
    def for_context(cls, context: Context) -> Self:
        """This request's loader of this class, made on first use: every resolver shares its batches."""
        loader = context.loaders.get(cls)
        if loader is None:
            loader = context.loaders[cls] = cls(context)
        return cast(Self, loader)

    def load(self, key: KeyT) -> Awaitable[ValueT | None]:
        """Each caller waits on its own shield of the batch's shared future: graphql-core cancels the
        siblings of a field that failed inside a list, and a cancelled waiter must not cancel the
        future the other fields of the request wait on too (they would end in CancelledError). A
        future already done needs no shield: cancelling it does nothing."""
        future = super().load(key)
        return future if _settled(future) else asyncio.shield(future)

    def then(self, key: KeyT, convert: Callable[[ValueT | None], ResultT]) -> ResultT:
        """``convert`` of the key's value, for a resolver to return: the value itself when this
        request has it already (primed by another loader, or loaded at an earlier level), else an
        awaitable of it (graphql-core awaits what a resolver returns). A resolver that returns a
        value at once costs graphql-core no coroutine, task or future: per row, most of a field's
        cost. Made once per key and conversion in a request: the dashboard's 200 cohorts show 4
        programs (the objects it returns are read, never changed)."""
        shown = self._shown.get((key, convert))
        if shown is not None:
            return cast(ResultT, shown)
        future = super().load(key)
        if _settled(future):
            made: ResultT = convert(future.result())  # type: ignore[attr-defined]
            self._shown[(key, convert)] = made
            return made

        async def later() -> ResultT:
            return convert(await asyncio.shield(future))

        return cast(ResultT, later())

    def clear(self, key: KeyT) -> None:
        self._shown.clear()
        super().clear(key)

    def clear_many(self, keys: Iterable[KeyT]) -> None:
        self._shown.clear()
        super().clear_many(keys)

    def clear_all(self) -> None:
        self._shown.clear()
        super().clear_all()

    def prime_many(self, data: Mapping[KeyT, ValueT | None], force: bool = False) -> None:
        if force:
            self._shown.clear()
        super().prime_many(data, force)

    def known(self, keys: list[KeyT]) -> list[ValueT | None] | None:
        """The keys' values when this request has them all already, else None (the keys not yet
        asked for are queued for the next batch, as ``load`` would)."""
        cached = self.cache_map.cache_map  # type: ignore[attr-defined]  # DefaultCache's, by key itself
        values = []
        for key in keys:
            future = cached.get(key)
            if future is None or not _settled(future):
                return self._known_or_queued(keys)
            values.append(future.result())
        return values

    def _known_or_queued(self, keys: list[KeyT]) -> list[ValueT | None] | None:
        futures = [super(ScopedLoader, self).load(key) for key in keys]
        if all(_settled(future) for future in futures):
            return [future.result() for future in futures]  # type: ignore[attr-defined]
        return None

    def known_shown(self, keys: list[KeyT], convert: Callable[[ValueT], ResultT]) -> list[ResultT] | None:
        """``known``, each value there is made into what a resolver returns (once per key in a
        request, as ``then`` does), the keys without one left out."""
        values = self.known(keys)
        if values is None:
            return None
        shown = []
        for key, value in zip(keys, values, strict=True):
            if value is not None:
                made = self._shown.get((key, convert))
                if made is None:
                    made = self._shown[(key, convert)] = convert(value)
                shown.append(made)
        return shown

    async def fetch(self, actor: Actor, ids: list[KeyT]) -> dict[KeyT, ValueT]:
        """The values of the keys the actor may see, by key: one service call."""
        raise NotImplementedError

    async def load_fn(self, keys: list[KeyT]) -> list[ValueT | None]:
        found = await self.fetch(await self._context.actor(), keys)
        return [found.get(key) for key in keys]


def _settled(future: Awaitable[object]) -> bool:
    """Whether a loader's future holds a value already (not an error: awaiting raises that)."""
    return (
        isinstance(future, asyncio.Future)
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    )
