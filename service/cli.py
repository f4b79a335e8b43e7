"""The `portal` command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import date
from typing import Annotated, TypeVar

import typer

from service.database import migrate as apply_migrations
from service.database import open_database
from service.settings import get_settings

ResultT = TypeVar("ResultT")

app = typer.Typer(
    help="Recognition service: pinning ceremonies and certificates.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _with_database(work: Callable[[], Awaitable[ResultT]]) -> ResultT:
    async def run() -> ResultT:
        database = await open_database(get_settings().resolved_database_url)
        try:
            return await work()
        finally:
            await database.close_connections()

    return asyncio.run(run())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(help="API processes (several need the at-scale settings).")] = 1,
) -> None:
    """Start the API server (uvicorn)."""
    import uvicorn

    settings = get_settings()
    if workers > 1:
        missing = [
            name
            for name, ready in (
                ("PORTAL_DATABASE_URL=postgres://…", settings.resolved_database_url.startswith("postgres")),
                ("PORTAL_BROKER_URL", bool(settings.broker_url)),
                ("PORTAL_PUBSUB_URL", bool(settings.pubsub_url)),
            )
            if not ready
        ]
        if missing:
            typer.echo(
                f"Several API processes share one database, one job queue and one event bus: set "
                f'{", ".join(missing)} (see the README\'s "At scale").',
                err=True,
            )
            raise typer.Exit(2)
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=False,
    )


@app.command()
def worker(
    processes: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    threads: Annotated[int, typer.Option(help="Threads in each process.")] = 2,
) -> None:
    """Run job workers (Dramatiq) for the broker in PORTAL_BROKER_URL; any number, on any machine."""
    import os
    import sys

    if not get_settings().broker_url:
        typer.echo(
            "Set PORTAL_BROKER_URL (redis://… or amqp://…); without it jobs run inside `portal serve`.",
            err=True,
        )
        raise typer.Exit(2)
    arguments = ["dramatiq", "workers.main:broker", "--processes", str(processes), "--threads", str(threads)]
    os.execvp(sys.executable, [sys.executable, "-m", *arguments])


@app.command()
def migrate() -> None:
    """Apply the database migrations not applied yet."""
    asyncio.run(apply_migrations(get_settings().resolved_database_url))
    typer.echo("Database is up to date.")


@app.command("seed-demo")
def seed_demo() -> None:
    """Create (or refresh) the demo partners, users, programs, cohorts and course-takers."""
    from service.demo.seed import seed_demo as seed

    counts = _with_database(lambda: seed(today=date.today()))
    typer.echo(", ".join(f"{value} {name.replace('_', '-')}" for name, value in asdict(counts).items()))


@app.command()
def token(
    email: Annotated[str, typer.Option(help="Email of the user the token signs in.")],
    days: Annotated[int | None, typer.Option(help="Days until the token expires.")] = None,
) -> None:
    """Print a bearer token for a user."""
    from service.errors import DomainError
    from service.users.services import token_for_email

    settings = get_settings()
    try:
        value = _with_database(
            lambda: token_for_email(
                email=email, secret=settings.signing_secret(), days=days or settings.token_days
            )
        )
    except DomainError as error:
        typer.echo(f"No user with the email {email!r}.", err=True)
        raise typer.Exit(1) from error
    typer.echo(value)


@app.command("sync-progress")
def sync_progress(
    partner: Annotated[
        str | None, typer.Option(help="Slug of one partner; every partner with Canvas if left out.")
    ] = None,
) -> None:
    """Read course progress from Canvas now (it also runs daily on its own), and say what changed."""
    from datetime import UTC, datetime

    from service.errors import DomainError
    from service.lms import services as lms
    from service.lms.models import SyncStatus

    async def run() -> lms.ProgressSyncRun | None:
        recorded = await lms.command_run(partner_slug=partner, now=datetime.now(UTC))
        return await lms.run_sync(run_id=recorded.id, clock=lambda: datetime.now(UTC))

    try:
        finished = _with_database(run)
    except DomainError as error:
        typer.echo(f"No partner with the slug {partner!r}.", err=True)
        raise typer.Exit(2) from error
    assert finished is not None  # a run just recorded is nobody else's
    typer.echo(
        f"{finished.status.value}: {finished.courses} courses ({finished.courses_failed} failed), "
        f"{finished.enrollments_seen} enrolments read, {finished.enrollments_changed} changed, "
        f"{finished.enrollments_created} new"
    )
    for failure in finished.errors:
        typer.echo(f"course {failure['courseId']}: {failure['message']}", err=True)
    if finished.status is not SyncStatus.SUCCEEDED:
        raise typer.Exit(1)


@app.command("connect-canvas")
def connect_canvas(
    partner: Annotated[str, typer.Option(help="Slug of the partner.")],
    url: Annotated[str, typer.Option(help="Canvas's base URL, e.g. https://canvas.example.edu.")],
    token_variable: Annotated[str, typer.Option(help="Environment variable that will hold the API token.")],
) -> None:
    """Connect a partner to its Canvas (the token itself stays in the environment, never stored)."""
    from service.errors import DomainError
    from service.lms import services as lms

    try:
        _with_database(
            lambda: lms.connect_canvas(partner_slug=partner, base_url=url, token_variable=token_variable)
        )
    except DomainError as error:
        typer.echo(error.problems[0].message, err=True)
        raise typer.Exit(2) from error
    typer.echo(f"{partner} reads progress from {url.rstrip('/')} with the token in ${token_variable}.")


@app.command("print-schema")
def print_schema() -> None:
    """Print the GraphQL schema (what `schema.graphql` holds)."""
    from service.graphql.schema import printed_schema

    typer.echo(printed_schema(), nl=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
