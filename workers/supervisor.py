"""`portal worker` keeps its Dramatiq processes running: Dramatiq stops all of its worker processes
when one dies (killed, out of memory), so `portal worker` starts Dramatiq again, and the work the
dead one held is finished by the new ones (its messages come back when its broker heartbeats stop;
its chunk's lease lapses). A stop asked for (SIGTERM, SIGINT) is passed on and ends it.

Dramatiq runs in a process group (and session) of its own, and whatever is left of that group when
its main process has ended is stopped before anything else happens: SIGTERM, up to
``grace_seconds``, then SIGKILL. Otherwise Dramatiq's main process killed outright would leave its
worker processes consuming beside the next Dramatiq's, and its metrics server holding the port the
next one's needs. Each of those processes also ends by itself when its parent does
(workers/lifeline.py); this is what holds where that cannot.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from workers.lifeline import SUPERVISOR_VARIABLE

# Dramatiq's exit statuses that no restart mends: a module that does not import, a bad command line;
# a PID file in the way.
NOT_MENDED_BY_A_RESTART = {2, 4}

# How long the processes left of a Dramatiq that ended are given to end by themselves before SIGTERM.
SETTLING_SECONDS = 1.0

logger = logging.getLogger("workers.supervisor")


def supervise(
    command: Sequence[str],
    *,
    pause_seconds: float = 1.0,
    quick_seconds: float = 30.0,
    quick_exits_allowed: int = 5,
    grace_seconds: float = 10.0,
) -> int:
    """Run ``command`` until it ends cleanly or a stop is asked for, starting it again after
    ``pause_seconds`` whenever it ends otherwise; give up (its status) after ``quick_exits_allowed``
    exits in a row each within ``quick_seconds`` of its start (it cannot run here at all). Each time
    it ends, what is left of its process group is stopped first (``grace_seconds`` for SIGTERM)."""
    child: subprocess.Popen[bytes] | None = None
    stopping = False

    def pass_on(signal_number: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        # To Dramatiq's main process alone, which stops its own processes: a second SIGTERM
        # would make each of them stop at once, dropping what it was doing.
        if child is not None and child.poll() is None:
            child.send_signal(signal_number)

    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, pass_on)
    environment = os.environ | {SUPERVISOR_VARIABLE: str(os.getpid())}
    quick_exits = 0
    while True:
        started = time.monotonic()
        # A session of its own: a terminal's Ctrl-C reaches only this process (which passes it on
        # once), and the group's id is the child's pid, to find and stop all of it by.
        child = subprocess.Popen(list(command), env=environment, start_new_session=True)
        if stopping:  # asked while it was being started, before `pass_on` could see it
            child.send_signal(signal.SIGTERM)
        status = child.wait()
        end_group(child.pid, grace_seconds)
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


def end_group(group: int, grace_seconds: float) -> None:
    """Stop every process left in process group ``group``: SIGTERM, then SIGKILL to those still
    there after ``grace_seconds``; returns once none is left."""
    # Each ends by itself when Dramatiq's main process does (workers/lifeline.py), if not at once:
    # a process with many threads takes a moment to die.
    if _until_gone(group, SETTLING_SECONDS):
        return
    left = alive_in_group(group)
    logger.warning(
        "portal worker: processes of the Dramatiq that ended are still running (%s); stopping them",
        " ".join(map(str, left)),
    )
    _signal_group(group, signal.SIGTERM)
    if _until_gone(group, grace_seconds):
        return
    left = alive_in_group(group)
    logger.error(
        "portal worker: processes %s did not stop within %g s of SIGTERM; killing them",
        " ".join(map(str, left)),
        grace_seconds,
    )
    _signal_group(group, signal.SIGKILL)
    if not _until_gone(group, grace_seconds):
        left = alive_in_group(group)
        logger.critical("portal worker: processes %s outlived SIGKILL", " ".join(map(str, left)))


def alive_in_group(group: int) -> list[int]:
    """The processes of process group ``group`` that have not ended (read from /proc; a zombie has
    ended). Without /proc: ``[group]`` while the group has any process at all."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [group]
    alive = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        # After the command's name, which may hold spaces and parentheses: state, ppid, pgrp, …
        state, _, process_group = stat.rsplit(")", 1)[1].split()[:3]
        if int(process_group) == group and state not in ("Z", "X"):
            alive.append(int(entry.name))
    return sorted(alive)


def _signal_group(group: int, signal_number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # all gone meanwhile
        os.killpg(group, signal_number)


def _until_gone(group: int, seconds: float) -> bool:
    """Wait up to ``seconds`` for the group to be empty (reaping those that are this process's
    children: it may be a container's init, which orphans are given to)."""
    deadline = time.monotonic() + seconds
    while True:
        _reap(group)
        if not alive_in_group(group):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _reap(group: int) -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-group, os.WNOHANG)[0] > 0:
            pass
