"""Each process `portal worker` starts ends with the process that started it, so nothing it started
lives on consuming once its parent is gone (Linux's parent-death signal, ``PR_SET_PDEATHSIG``).

- Dramatiq's main process gets SIGTERM when `portal worker` ends, even by SIGKILL: its graceful
  stop, as if `portal worker` had passed a stop on (messages in hand finish, then it exits).
- Dramatiq's worker processes and its metrics server get SIGKILL when Dramatiq's main process ends
  without stopping them (killed): nothing would stop, restart or log for them any more, and the one
  `portal worker` starts next must have the consumers and the metrics port to itself. Their messages
  in hand go back to the queue (RabbitMQ at once; Redis when their heartbeats stop) and their chunk's
  lease lapses.

The kernel's signal rather than a watchdog thread that looks for a new parent: it comes at once,
with no thread in any process, and cannot be missed by a process too busy to look. Elsewhere than
Linux there is none: `portal worker` still stops what is left of a Dramatiq before starting the next
one (workers/supervisor.py), but a SIGKILLed `portal worker` leaves its Dramatiq running.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable

import dramatiq
from dramatiq.middleware import Middleware

# The variable that tells Dramatiq's main process the pid of the `portal worker` that started it.
SUPERVISOR_VARIABLE = "portal_worker_pid"

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def end_with(parent: int, signal_number: signal.Signals) -> bool:
    """Have the kernel send ``signal_number`` to this process when its parent, ``parent``, ends;
    sent at once if it has ended already. False where the kernel cannot (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal_number), 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    # Asked too late: the parent ended before, and this process has another one (init) already.
    if os.getppid() != parent:
        os.kill(os.getpid(), signal_number)
    return True


def end_with_supervisor() -> bool:
    """In Dramatiq's main process: a graceful stop when `portal worker` ends."""
    supervisor = os.environ.get(SUPERVISOR_VARIABLE)
    return supervisor is not None and end_with(int(supervisor), signal.SIGTERM)


def end_with_dramatiq() -> bool:
    """In a process Dramatiq's main process forked: killed when that one ends."""
    parent = multiprocessing.parent_process()
    return parent is not None and parent.pid is not None and end_with(parent.pid, signal.SIGKILL)


class EndWithDramatiq(Middleware):
    """Each worker process ends with Dramatiq's main process (as it boots: before it consumes)."""

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        end_with_dramatiq()


def serve_metrics() -> int:
    """Dramatiq's Prometheus exposition server (a process Dramatiq forks), ending with Dramatiq's
    main process: one left behind would hold the port and the next one's server could not start."""
    end_with_dramatiq()
    from dramatiq.middleware.prometheus import _run_exposition_server

    status: int = _run_exposition_server()  # type: ignore[no-untyped-call]
    return status


def metrics_middleware() -> Middleware:
    """Dramatiq's Prometheus middleware, with its server run by :func:`serve_metrics`. Imported only
    when called: Dramatiq's module reads its address from the environment `portal worker` prepared."""
    from dramatiq.middleware.prometheus import Prometheus

    class PrometheusEndingWithDramatiq(Prometheus):
        @property
        def forks(self) -> list[Callable[[], int]]:
            return [serve_metrics]

    return PrometheusEndingWithDramatiq()
