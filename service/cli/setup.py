"""Setting a service up: its database, demo data, sign-in tokens, credential keys, the printed schema."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

import typer

from service.cli.running import fail, progress, run_to_end, with_database
from service.database import migrate as apply_migrations
from service.settings import MAX_TOKEN_DAYS, get_settings


def migrate() -> None:
    """Apply the database migrations not applied yet."""
    settings = get_settings()
    if not settings.database_url:
        # The data folder is the service's own (a fresh checkout's `make run` starts here); a folder
        # named in PORTAL_DATABASE_URL is the operator's to make.
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            fail(f"Cannot make the data folder {settings.data_dir}: {error.strerror}.")
    applied = run_to_end(apply_migrations(settings.resolved_database_url))
    typer.echo(migrated(applied))
    from service.recognitions.dashboard import ceremonies_in_unknown_zones

    for ceremony in with_database(ceremonies_in_unknown_zones):
        typer.echo(
            f"Ceremony {ceremony.id} \u201c{ceremony.name}\u201d is kept in the time zone "
            f"{ceremony.time_zone!r}, which is not an IANA time zone: its day, and when it turns Past, "
            "depend on this machine. Give it its zone (ceremonyUpdate's start.timeZone).",
            err=True,
        )


def migrated(applied: list[str]) -> str:
    """What `portal migrate` did, in a line."""
    if not applied:
        return "Database is up to date."
    if len(applied) == 1:
        return f"Applied 1 migration ({applied[0]}); the database is up to date."
    return f"Applied {len(applied)} migrations ({applied[0]} … {applied[-1]}); the database is up to date."


def seed_demo() -> None:
    """Create (or refresh) the demo partners, users, programs, cohorts and course-takers."""
    from service.demo.seed import seed_demo as seed

    with progress("Seeding partners") as advance:
        counts = with_database(lambda: seed(today=date.today(), progress=advance))
    typer.echo(", ".join(f"{value} {name.replace('_', '-')}" for name, value in asdict(counts).items()))


def token(
    email: Annotated[str, typer.Option(help="Email of the user the token signs in.")],
    days: Annotated[
        int | None,
        typer.Option(
            min=1, max=MAX_TOKEN_DAYS, help="Days until the token expires; PORTAL_TOKEN_DAYS if left out."
        ),
    ] = None,
) -> None:
    """Print a bearer token for a user."""
    from service.errors import DomainError
    from service.users.services import token_for_email

    settings = get_settings()
    try:
        value = with_database(
            lambda: token_for_email(
                email=email,
                secret=settings.signing_secret(),
                days=settings.token_days if days is None else days,
            )
        )
    except DomainError as error:
        typer.echo(f"No user with the email {email!r}.", err=True)
        raise typer.Exit(1) from error
    typer.echo(value)


def rotate_credential_key() -> None:
    """Sign new credentials with a new key; the old key's public half stays published, so the
    credentials it signed still verify."""
    from service.credentials.keys import rotate_keys

    old, new = rotate_keys(get_settings().resolved_credential_keys_dir)
    typer.echo(f"Credentials are now signed with key {new}; key {old} stays published.")


def print_schema() -> None:
    """Print the GraphQL schema (what `schema.graphql` holds)."""
    from service.graphql.schema import printed_schema

    typer.echo(printed_schema(), nl=False)
