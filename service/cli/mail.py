"""The outbox: the mail the service wrote, for a person without an SMTP server (the demo) to read."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.running import fail, with_database


def outbox(
    show: Annotated[
        int | None, typer.Option(help="Print this message (its number in the list) whole.")
    ] = None,
    last: Annotated[int, typer.Option(min=1, max=500, help="How many of the newest messages to list.")] = 20,
) -> None:
    """List the newest mail (sent, or kept in the outbox without PORTAL_SMTP_URL), or print one."""
    from service.mail import services as mail

    if show is not None:
        found = with_database(lambda: mail.message(show))
        if found is None:
            fail(f"No message {show} in the outbox.")
        typer.echo(mail.readable_text(found.message))
        return
    for row in with_database(lambda: mail.latest(last)):
        when = row.created_at.strftime("%Y-%m-%d %H:%M UTC")
        typer.echo(f"{row.id:>6}  {row.status.value:<7}  {when}  {row.recipient}  {row.subject}")
