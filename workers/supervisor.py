"""`portal worker` keeps its Dramatiq processes running: Dramatiq stops all of its worker processes
when one dies (killed, out of memory), so `portal worker` starts Dramatiq again, and the work the
dead one held is finished by the new ones (its messages come back when its broker heartbeats stop;
its chunk's lease lapses). A stop asked for (SIGTERM, SIGINT) is passed on and ends it."""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Sequence
from types import FrameType

# Dramatiq's exit statuses that no restart mends: a module that does not import, a bad command line;
# a PID file in the way.
NOT_MENDED_BY_A_RESTART = {2, 4}

logger = logging.getLogger("workers.supervisor")


def supervise(
    command: Sequence[str],
    *,
    pause_seconds: float = 1.0,
    quick_seconds: float = 30.0,
    quick_exits_allowed: int = 5,
) -> int:
    """Run ``command`` until it ends cleanly or a stop is asked for, starting it again after
    ``pause_seconds`` whenever it ends otherwise; give up (its status) after ``quick_exits_allowed``
    exits in a row each within ``quick_seconds`` of its start (it cannot run here at all)."""
    child: subprocess.Popen[bytes] | None = None
    stopping = False

    def pass_on(signal_number: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal_number)

    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, pass_on)
    quick_exits = 0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(list(command))
        status = child.wait()
        if stopping or status == 0 or status in NOT_MENDED_BY_A_RESTART:
            return 0 if stopping else status
        quick_exits = quick_exits + 1 if time.monotonic() - started < quick_seconds else 1
        if quick_exits >= quick_exits_allowed:
            logger.critical("portal worker: Dramatiq keeps exiting (status %s); giving up", status)
            return status
        logger.error("portal worker: Dramatiq exited (status %s); starting it again", status)
        time.sleep(pause_seconds)
        if stopping:
            return 0
