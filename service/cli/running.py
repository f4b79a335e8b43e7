"""What the `portal` commands share: database work run to its end, an expected failure as one line,
a progress bar for a person at a terminal."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from service.database import DatabaseNotReady, check_schema, is_unreachable, missing_database, open_database
from service.settings import get_settings

ResultT = TypeVar("ResultT")


def with_database(work: Callable[[], Awaitable[ResultT]]) -> ResultT:
    """Run ``work`` with the configured database open, and close it after; a database that is
    missing, not migrated or behind this version stops it first, in one line."""

    async def run() -> ResultT:
        settings = get_settings()
        database_url = settings.resolved_database_url
        database = await open_database(database_url, migrate_makes_folder=not settings.database_url)
        try:
            await check_schema(database_url)
            return await work()
        finally:
            await database.close_connections()

    return run_to_end(run())


def run_to_end(work: Coroutine[Any, Any, ResultT]) -> ResultT:
    """Run database work; a database that cannot be reached or used is one line, not a traceback."""
    try:
        return asyncio.run(work)
    except DatabaseNotReady as error:
        fail(str(error))
    except Exception as error:
        if missing := missing_database(error, get_settings().resolved_database_url):
            fail(missing)
        if is_unreachable(error):
            fail(f"Cannot reach the database ({type(error).__name__}); is it running, is the URL right?")
        raise


def settings_problems(error: ValidationError) -> str:
    """Settings that cannot work, a line each, named as they are set (never their values: a secret)."""
    lines = ["portal: these settings cannot work:"]
    for problem in error.errors():
        name = "PORTAL_" + "_".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"  {name}: {problem['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


def fail(reason: str) -> NoReturn:
    """An expected failure: one line on stderr, no traceback, exit status 1."""
    typer.echo(reason, err=True)
    raise typer.Exit(1)


@contextlib.contextmanager
def progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (stdout stays the command's answer); yields `advance(done, total)`."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # Only for a person at a terminal: in a log or a pipe a bar is noise.
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
