"""The `portal` command: every command it has, in the order its help lists them (each group of
commands in a module of its own)."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from service.cli import mail, partners, processes, setup
from service.cli.certificates import certificates
from service.cli.processes import WEBSOCKET_COMPRESSION, WEBSOCKETS
from service.cli.running import settings_problems
from service.settings import Settings

__all__ = ["WEBSOCKETS", "WEBSOCKET_COMPRESSION", "app", "main"]

app = typer.Typer(
    help="Recognition service: pinning ceremonies and certificates.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(processes.serve)
app.command()(processes.worker)
app.command()(setup.migrate)
app.command("seed-demo")(setup.seed_demo)
app.command()(setup.token)
app.command("sync-progress")(partners.sync_progress)
app.command("connect-canvas")(partners.connect_canvas)
app.command("disconnect-canvas")(partners.disconnect_canvas)
app.command("partner-locale")(partners.partner_locale)
app.add_typer(certificates, name="certificates")
app.command()(mail.outbox)
app.command("rotate-credential-key")(setup.rotate_credential_key)
app.command("print-schema")(setup.print_schema)


def main() -> None:
    try:
        app()
    except ValidationError as error:  # the settings, read by the command
        if error.title != Settings.__name__:
            raise
        typer.echo(settings_problems(error), err=True)
        raise SystemExit(2) from None
