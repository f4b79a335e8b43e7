"""Dramatiq's command line, logging as the service does (PORTAL_LOG_FORMAT, PORTAL_LOG_LEVEL): its
main process's lines ("exited unexpectedly", the one to alert on) included, and its worker
processes', which configure the same when they import ``workers.main``. `portal worker` runs this
with ``--skip-logging``, so Dramatiq's own format never takes over."""

from __future__ import annotations

import sys

from dramatiq.cli import main as dramatiq_main

from service.observability.logs import configure_logging
from service.settings import get_settings
from workers.lifeline import end_with_supervisor

if __name__ == "__main__":
    end_with_supervisor()  # a `portal worker` killed outright leaves no Dramatiq behind
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    sys.exit(dramatiq_main())  # type: ignore[no-untyped-call]
