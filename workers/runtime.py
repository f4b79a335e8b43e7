"""Async domain services run from Dramatiq's worker threads.

Each worker thread keeps one event loop and its own Tortoise context for its whole life, so
database connections are made once per thread and never shared between event loops. Each message
runs in a fresh copy of the thread's context variables: it sees the request id the job middleware
set for it, and nothing a message before it left behind (asyncio.Runner alone would run every
message in one context of its own: the first message's request id for ever, and a transaction
connection Tortoise failed to reset when a database outage broke it).
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import dramatiq
from dramatiq.middleware import Middleware
from tortoise.context import TortoiseContext

from service.database import tortoise_config

ResultT = TypeVar("ResultT")

# Tortoise wires the models' relations the first time a context is set up in a process, marking each
# model done before wiring it: a second thread setting up at the same moment would skip the model
# and query it half-wired ("'NoneType' object has no attribute 'model_field_name'"). One at a time.
_SETTING_UP = threading.Lock()
_TURNS_TO_HEAR_THE_NETWORK = 3


class ThreadRuntime:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._local = threading.local()

    def run(self, work: Callable[[], Awaitable[ResultT]]) -> ResultT:
        """Run ``work()`` on this thread's loop, inside this thread's database context."""
        runner, context = self._state()
        return runner.run(self._within(context, work), context=contextvars.copy_context())

    @staticmethod
    async def _within(context: TortoiseContext, work: Callable[[], Awaitable[ResultT]]) -> ResultT:
        # The loop stands still between messages, so what the database said meanwhile (a restart
        # ending the pool's idle connections) waits unread in the sockets: a few turns of the loop
        # read it, and the pool then replaces those connections instead of failing the message.
        for _ in range(_TURNS_TO_HEAR_THE_NETWORK):
            await asyncio.sleep(0)
        with context:
            return await work()

    def _state(self) -> tuple[asyncio.Runner, TortoiseContext]:
        state: tuple[asyncio.Runner, TortoiseContext] | None = getattr(self._local, "state", None)
        if state is None:
            runner = asyncio.Runner()
            context = TortoiseContext()
            with _SETTING_UP:
                runner.run(self._init(context))
            state = self._local.state = (runner, context)
        return state

    async def _init(self, context: TortoiseContext) -> None:
        with context:
            await context.init(config=tortoise_config(self.database_url))

    def close_thread(self) -> None:
        """Close this thread's connections and loop (called as each worker thread stops)."""
        state = getattr(self._local, "state", None)
        if state is None:
            return
        runner, context = state
        runner.run(context.close_connections())
        runner.close()
        self._local.state = None


class CloseDatabaseOnThreadShutdown(Middleware):
    def __init__(self, runtime: ThreadRuntime) -> None:
        self.runtime = runtime

    def before_worker_thread_shutdown(self, broker: dramatiq.Broker, thread: Any) -> None:
        self.runtime.close_thread()


_frozen = threading.Event()


def freeze_long_lived_objects() -> None:
    """Once per process, after its first part of a combined file: what exists then (modules, the
    fonts and faces drawing loaded, the database's connections) lives as long as the process, so the
    garbage collector's full passes need not walk it again. Unfrozen, one full pass in three or four
    parts walked the whole ~170 MB heap: ~0.6 ms a page on average (issue 19). Garbage is collected
    first, so only what is alive is kept."""
    if not _frozen.is_set():
        _frozen.set()
        gc.collect()
        gc.freeze()
