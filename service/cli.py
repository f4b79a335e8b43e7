"""The `portal` command."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TypeVar

import typer

from service.database import is_unreachable, open_database
from service.database import migrate as apply_migrations
from service.observability.logs import logging_config
from service.observability.metrics import MULTIPROCESS_VARIABLE
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

    return _run(run())


def _run(work: Coroutine[Any, Any, ResultT]) -> ResultT:
    """Run database work; a database that cannot be reached is one line, not a traceback."""
    try:
        return asyncio.run(work)
    except Exception as error:
        if is_unreachable(error):
            _fail(f"Cannot reach the database ({type(error).__name__}); is it running, is the URL right?")
        raise


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
    with contextlib.ExitStack() as cleanup:
        if workers > 1:
            # Each process keeps its counts in files there, and /metrics in any of them adds them up.
            _metrics_folder("portal-api-metrics-", cleanup)
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            proxy_headers=False,
            log_config=logging_config(settings.log_format, settings.log_level),
            access_log=False,  # our own request lines replace it (with the request id)
            ws=WEBSOCKETS,
            ws_per_message_deflate=WEBSOCKET_COMPRESSION,
        )


# uvicorn's sans-I/O WebSocket protocol: no background tasks or stream buffers of its own per
# connection (its default, the older websockets protocol, keeps three tasks per socket): thousands
# of idle subscriptions hold less memory (issue 19).
WEBSOCKETS: Literal["websockets-sansio"] = "websockets-sansio"
# Without per-message compression: a compressor and a decompressor per socket were ~90 KB of an idle
# subscription's ~110 KB (tracemalloc), for messages of a few hundred bytes.
WEBSOCKET_COMPRESSION = False


def _metrics_folder(prefix: str, cleanup: contextlib.ExitStack | None = None) -> str:
    """prometheus-client's multiprocess folder: the operator's PROMETHEUS_MULTIPROC_DIR, or a fresh
    one (counts left by an earlier run would be added to this run's), removed by ``cleanup``."""
    import os
    import shutil
    import tempfile

    folder = os.environ.get(MULTIPROCESS_VARIABLE)
    if not folder:
        folder = tempfile.mkdtemp(prefix=prefix)
        if cleanup is not None:
            cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
    os.environ[MULTIPROCESS_VARIABLE] = folder
    return folder


@app.command()
def worker(
    processes: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    threads: Annotated[int, typer.Option(help="Threads in each process.")] = 2,
) -> None:
    """Run job workers (Dramatiq) for the broker in PORTAL_BROKER_URL; any number, on any machine."""
    import os
    import sys

    settings = get_settings()
    if not settings.broker_url:
        typer.echo(
            "Set PORTAL_BROKER_URL (redis://… or amqp://…); without it jobs run inside `portal serve`.",
            err=True,
        )
        raise typer.Exit(2)
    from workers.supervisor import supervise

    with contextlib.ExitStack() as cleanup:
        if settings.worker_metrics_port is not None:
            # Dramatiq's Prometheus middleware reads these when workers.main imports it; our job metrics
            # share its folder, so its page shows both.
            folder = _metrics_folder("portal-worker-metrics-", cleanup)
            os.environ["dramatiq_prom_db"] = folder  # noqa: SIM112 (its spelling)
            os.environ["dramatiq_prom_host"] = settings.worker_metrics_host  # noqa: SIM112 (its spelling)
            os.environ["dramatiq_prom_port"] = str(settings.worker_metrics_port)  # noqa: SIM112 (its spelling)
        # Each process takes from the queue only as many messages as it has threads (Dramatiq's default
        # is twice as many): a process holding a second chunk's message while another process idles
        # makes a file wait. And an idle process looks at the queue at least every 250 ms (its
        # default backs off to a second), so a file's first message and its chunks start sooner. A
        # busy one takes its next message as soon as a thread is free (workers/redis_broker.py).
        os.environ.setdefault("dramatiq_queue_prefetch", str(threads))
        os.environ.setdefault("dramatiq_worker_timeout", "250")
        # One malloc arena per process, not one per thread (glibc's default, up to 8 a core: Dramatiq's
        # threads and the drawing thread each kept the free pages of their own). A worker's peak
        # after 4,100 certificates: 247–250 MB → 241 MB, with no cost in time we could measure
        # (bench/README, the job path's third round).
        os.environ.setdefault("MALLOC_ARENA_MAX", "1")
        arguments = [
            "dramatiq",
            "workers.main:broker",
            "--processes",
            str(processes),
            "--threads",
            str(threads),
        ]
        # Not exec'd: Dramatiq stops every worker process when one dies, and this one starts it again.
        status = supervise([sys.executable, "-m", *arguments])
    raise typer.Exit(status)


@app.command()
def migrate() -> None:
    """Apply the database migrations not applied yet."""
    _run(apply_migrations(get_settings().resolved_database_url))
    typer.echo("Database is up to date.")


@app.command("seed-demo")
def seed_demo() -> None:
    """Create (or refresh) the demo partners, users, programs, cohorts and course-takers."""
    from service.demo.seed import seed_demo as seed

    with _progress("Seeding partners") as advance:
        counts = _with_database(lambda: seed(today=date.today(), progress=advance))
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
    from service.lms.models import ProgressSyncRun, SyncStatus

    async def run() -> ProgressSyncRun | None:
        recorded = await lms.command_run(partner_slug=partner, now=datetime.now(UTC))
        return await lms.run_sync(run_id=recorded.id, clock=lambda: datetime.now(UTC), progress=advance)

    try:
        with _progress("Reading courses from Canvas") as advance:
            finished = _with_database(run)
    except DomainError:
        _fail(f"No partner with the slug {partner!r}.")
    assert finished is not None  # a run just recorded is nobody else's
    typer.echo(
        f"{finished.status.value}: {finished.courses} courses ({finished.courses_failed} failed), "
        f"{finished.enrollments_seen} enrolments read, {finished.enrollments_changed} changed, "
        f"{finished.enrollments_created} new"
    )
    for failure in finished.errors:
        typer.echo(f"course {failure['courseId']}: {failure['message']}", err=True)
    if finished.status is SyncStatus.NO_COURSES:
        typer.echo("No course to read: no open cohort has an LMS course id.", err=True)
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
        _fail(error.problems[0].message)
    typer.echo(f"{partner} reads progress from {url.rstrip('/')} with the token in ${token_variable}.")


@app.command("partner-locale")
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
        _with_database(lambda: set_default_locale(partner_slug=partner, locale=locale or None))
    except DomainError as error:
        _fail(error.problems[0].message)
    typer.echo(
        f"{partner} prints Han-only names in {locale}." if locale else f"{partner} has no default locale."
    )


certificates = typer.Typer(help="Certificates from the command line (for staff).", no_args_is_help=True)
app.add_typer(certificates, name="certificates")


def _recognition_key(value: str) -> int:
    """A recognition's number, or its global id as the API shows it."""
    from strawberry.relay import from_base64

    if value.isdigit():
        return int(value)
    try:
        type_name, key = from_base64(value)
    except ValueError:
        _fail(f"No recognition {value!r}: give its number or its id from the API.")
    if type_name not in ("Ceremony", "CertificateRequest") or not key.isdigit():
        _fail(f"No recognition {value!r}: give its number or its id from the API.")
    return int(key)


@certificates.command("build")
def certificates_build(
    recognition: Annotated[str, typer.Option(help="The recognition: its number or its API id.")],
    output: Annotated[Path, typer.Option(help="Where to write the combined PDF.")],
    course_taker: Annotated[
        list[str] | None, typer.Option(help="Email of a course-taker to include (repeat it).")
    ] = None,
    all_completers: Annotated[bool, typer.Option(help="Every completer of the recognition.")] = False,
    staff: Annotated[
        str | None, typer.Option(help="Email of the staff user it is made for (default: the first).")
    ] = None,
) -> None:
    """Make one PDF of a recognition's certificates now, as the background job would."""
    import shutil
    from datetime import UTC, datetime, timedelta

    from service.certificate_files.build import FileNotMade, FileWork, build_file_now
    from service.certificates.candidates import selection_of
    from service.errors import DomainError
    from service.users.services import staff_actor

    if all_completers == bool(course_taker):
        _fail("Choose the course-takers: --course-taker EMAIL (repeatable) or --all-completers.")
    recognition_id = _recognition_key(recognition)
    settings = get_settings()
    work = FileWork(
        files_dir=settings.resolved_files_dir,
        public_url=settings.public_url,
        mail_config=settings.mail_config(),
        lease=timedelta(seconds=settings.job_lease_seconds),
        stall=settings.job_stall,
    )

    def clock() -> datetime:
        return datetime.now(UTC)

    async def build(advance: Callable[[int, int], None]) -> tuple[int, Path]:
        actor = await staff_actor(email=staff)
        selection = await selection_of(
            actor=actor,
            recognition_id=recognition_id,
            emails=course_taker or [],
            all_completers=all_completers,
            now=clock(),
        )
        job, path = await build_file_now(
            actor=actor,
            recognition_id=recognition_id,
            enrollment_ids=selection,
            clock=clock,
            work=work,
            progress=advance,
        )
        return job.page_count or 0, path

    try:
        with _progress("Drawing certificates") as advance:
            pages, path = _with_database(lambda: build(advance))
    except (DomainError, FileNotMade) as error:
        _fail(str(error))
    try:
        shutil.copyfile(path, output)
    except OSError as error:
        _fail(f"Cannot write {output}: {error.strerror or error}.")
    typer.echo(f"{pages} pages written to {output}")


@certificates.command("repair")
def certificates_repair() -> None:
    """Draw the PDF of every valid certificate left without one (issued before issuing drew it
    first); revoke, saying why, those whose name still cannot be printed. Safe to run again."""
    from datetime import UTC, datetime

    from service.certificates.repair import repair_missing_files

    files_dir = get_settings().resolved_files_dir
    repaired = _with_database(lambda: repair_missing_files(files_dir=files_dir, now=datetime.now(UTC)))
    for code, reason in repaired.revoked.items():
        typer.echo(f"{code} revoked: {reason}", err=True)
    typer.echo(f"PDFs drawn: {len(repaired.drawn)}; certificates revoked: {len(repaired.revoked)}")


def _fail(reason: str) -> NoReturn:
    """An expected failure: one line on stderr, no traceback, exit status 1."""
    typer.echo(reason, err=True)
    raise typer.Exit(1)


@app.command("rotate-credential-key")
def rotate_credential_key() -> None:
    """Sign new credentials with a new key; the old key's public half stays published, so the
    credentials it signed still verify."""
    from service.credentials.keys import rotate_keys

    old, new = rotate_keys(get_settings().resolved_credential_keys_dir)
    typer.echo(f"Credentials are now signed with key {new}; key {old} stays published.")


@contextlib.contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int], None]]:
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


@app.command("print-schema")
def print_schema() -> None:
    """Print the GraphQL schema (what `schema.graphql` holds)."""
    from service.graphql.schema import printed_schema

    typer.echo(printed_schema(), nl=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
