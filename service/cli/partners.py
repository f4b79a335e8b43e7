"""A partner's settings and its Canvas: connect it, read progress now, the locale of its names."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.running import fail, progress, with_database


def sync_progress(
    partner: Annotated[
        str | None, typer.Option(help="Slug of one partner; every partner with Canvas if left out.")
    ] = None,
) -> None:
    """Read course progress from Canvas now (it also runs daily on its own), and say what changed."""
    from datetime import UTC, datetime

    from service.errors import DomainError, NotFound
    from service.lms import services as lms
    from service.lms.models import ProgressSyncRun, SyncStatus

    async def run() -> ProgressSyncRun | None:
        recorded = await lms.command_run(partner_slug=partner, now=datetime.now(UTC))
        return await lms.run_sync(run_id=recorded.id, clock=lambda: datetime.now(UTC), progress=advance)

    try:
        with progress("Reading courses from Canvas") as advance:
            finished = with_database(run)
    except NotFound:
        fail(f"No partner with the slug {partner!r}.")
    except DomainError as error:  # not connected to Canvas
        fail(error.problems[0].message)
    assert finished is not None  # a run just recorded is nobody else's
    typer.echo(
        f"{finished.status.value}: {finished.courses} courses ({finished.courses_failed} failed), "
        f"{finished.enrollments_seen} enrolments read, {finished.enrollments_changed} changed, "
        f"{finished.enrollments_created} new, {finished.names_changed} "
        f"{'name' if finished.names_changed == 1 else 'names'} changed"
    )
    for failure in finished.errors:
        typer.echo(f"course {failure['courseId']}: {failure['message']}", err=True)
    # What was read only in part or changed on the way: students matching no one, names changed,
    # mended or blank.
    for warning in finished.warnings:
        typer.echo(f"course {warning['courseId']}: {warning['message']}", err=True)
    if finished.status is SyncStatus.NO_COURSES:
        typer.echo("No course to read: no open cohort has an LMS course id.", err=True)
    if finished.status is not SyncStatus.SUCCEEDED:
        raise typer.Exit(1)


def connect_canvas(
    partner: Annotated[str, typer.Option(help="Slug of the partner.")],
    url: Annotated[str, typer.Option(help="Canvas's base URL, e.g. https://canvas.example.edu.")],
    token_variable: Annotated[str, typer.Option(help="Environment variable that will hold the API token.")],
) -> None:
    """Connect a partner to its Canvas (the token itself stays in the environment, never stored)."""
    from service.errors import DomainError
    from service.lms import services as lms

    try:
        with_database(
            lambda: lms.connect_canvas(partner_slug=partner, base_url=url, token_variable=token_variable)
        )
    except DomainError as error:
        fail(error.problems[0].message)
    typer.echo(f"{partner} reads progress from {url.rstrip('/')} with the token in ${token_variable}.")


def disconnect_canvas(partner: Annotated[str, typer.Option(help="Slug of the partner.")]) -> None:
    """Stop reading a partner's progress from Canvas (what was read stays)."""
    from service.errors import NotFound
    from service.lms import services as lms

    try:
        was_connected = with_database(lambda: lms.disconnect_canvas(partner_slug=partner))
    except NotFound:
        fail(f"No partner with the slug {partner!r}.")
    typer.echo(
        f"{partner} no longer reads progress from Canvas."
        if was_connected
        else f"{partner} was not connected to Canvas; nothing changed."
    )


def partner_locale(
    partner: Annotated[str, typer.Option(help="Slug of the partner.")],
    locale: Annotated[
        str, typer.Option(help='BCP 47 tag, e.g. ja, ko, zh-Hans, zh-Hant, zh-HK; "" to clear it.')
    ],
) -> None:
    """The locale a partner's Han-only names are printed in when the course-taker's own is unknown."""
    from service.errors import DomainError
    from service.partners.services import set_default_locale

    try:
        with_database(lambda: set_default_locale(partner_slug=partner, locale=locale or None))
    except DomainError as error:
        fail(error.problems[0].message)
    typer.echo(
        f"{partner} prints Han-only names in {locale}." if locale else f"{partner} has no default locale."
    )
