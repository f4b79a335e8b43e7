"""`portal serve` and `portal worker`: the long-running processes."""

from __future__ import annotations

import contextlib
from typing import Annotated, Literal

import typer

from service.cli.running import fail, run_to_end, with_database
from service.database import reachable
from service.events import redis_problem
from service.observability.logs import logging_config
from service.observability.metrics import MULTIPROCESS_VARIABLE
from service.settings import get_settings


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
                f'{", ".join(missing)} (see docs/operations.md, "At scale").',
                err=True,
            )
            raise typer.Exit(2)
    # What the server cannot start without, asked first: a sentence, not the lifespan's traceback.
    with_database(reachable)
    if settings.pubsub_url and (problem := run_to_end(redis_problem(settings.pubsub_url))):
        fail(f"Cannot reach Redis at PORTAL_PUBSUB_URL ({problem}); is it running, is the URL right?")
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
            # X-Forwarded-For only from the load balancers named, never from anyone else.
            proxy_headers=bool(settings.trusted_proxies),
            forwarded_allow_ips=settings.trusted_proxies or None,
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
    # Every job reads and writes the database: a worker that cannot use it says so in one line, as
    # `portal serve` does, instead of starting processes whose every job fails.
    with_database(reachable)
    from service.observability.logs import configure_logging
    from workers.supervisor import supervise

    configure_logging(settings.log_format, settings.log_level)  # its own lines, as Dramatiq's are

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
            "workers.dramatiq_cli",
            "workers.main:broker",
            "--skip-logging",
            "--processes",
            str(processes),
            "--threads",
            str(threads),
        ]
        # Not exec'd: Dramatiq stops every worker process when one dies, and this one starts it again.
        status = supervise([sys.executable, "-m", *arguments])
    raise typer.Exit(status)
