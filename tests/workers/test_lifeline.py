"""The processes `portal worker` starts end with their parent (workers/lifeline.py): Dramatiq's main
process stops gracefully (SIGTERM) when `portal worker` is killed, and what Dramatiq forked is
killed when Dramatiq's main process is."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux parent-death signal")

# A parent that forks a child the way Dramatiq forks its worker processes and metrics server.
FORKING_PARENT = textwrap.dedent(
    """
    import multiprocessing, os, time
    from workers.lifeline import end_with_dramatiq

    def child():
        print(end_with_dramatiq(), os.getpid(), flush=True)
        time.sleep(600)

    if __name__ == "__main__":
        multiprocessing.set_start_method("fork")
        multiprocessing.Process(target=child).start()
        time.sleep(600)
    """
)

# Dramatiq's main process (a stand-in that writes which signal ended it), asking to end with its parent.
DRAMATIQ_STAND_IN = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from workers.lifeline import end_with_supervisor

    def ended(number, _):
        Path(sys.argv[1]).write_text(signal.Signals(number).name)
        sys.exit(0)

    signal.signal(signal.SIGTERM, ended)
    print(end_with_supervisor(), os.getpid(), flush=True)
    time.sleep(600)
    """
)

# `portal worker` starting Dramatiq's main process, its pid in the variable the stand-in reads.
SUPERVISING_PARENT = textwrap.dedent(
    """
    import os, subprocess, sys, time
    from workers.lifeline import SUPERVISOR_VARIABLE

    environment = os.environ | {SUPERVISOR_VARIABLE: str(os.getpid())}
    subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], env=environment)
    time.sleep(600)
    """
)

# A process asking to end with a parent that is not its parent (pid 1 never is here).
ASKING_TOO_LATE = textwrap.dedent(
    """
    import signal
    from workers.lifeline import end_with

    end_with(1, signal.SIGKILL)
    print("lived")
    """
)


def test_a_process_dramatiq_forked_is_killed_when_dramatiq_s_main_process_is() -> None:
    # given a child forked by a parent, that asked to end with it
    parent = subprocess.Popen(
        [sys.executable, "-c", FORKING_PARENT], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        asked, child = _answer(parent)
        # when the parent is killed outright
        parent.kill()
        parent.wait()
        # then the child ends too, at once
        _until(lambda: not _running(child), 10, "the child ending")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)

    assert asked == "True"


def test_dramatiq_s_main_process_stops_gracefully_when_portal_worker_is_killed(tmp_path: Path) -> None:
    # given Dramatiq's main process (a stand-in) started by `portal worker`, asked to end with it
    ended_by = tmp_path / "ended-by"
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISING_PARENT, DRAMATIQ_STAND_IN, str(ended_by)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        asked, dramatiq = _answer(supervisor)
        # when `portal worker` is killed outright
        supervisor.kill()
        supervisor.wait()
        # then Dramatiq's main process is sent SIGTERM (its graceful stop), and ends
        _until(lambda: not _running(dramatiq), 10, "Dramatiq's main process ending")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(supervisor.pid, signal.SIGKILL)

    assert asked == "True"
    assert ended_by.read_text() == "SIGTERM"


def test_a_process_whose_parent_ended_before_it_asked_ends_at_once() -> None:
    # given a process that asks to end with a parent that ended already (it has another one now)
    # when it asks
    completed = subprocess.run(
        [sys.executable, "-c", ASKING_TOO_LATE], capture_output=True, text=True, timeout=60, check=False
    )

    # then it ends at once, by the signal asked for
    assert (completed.returncode, completed.stdout) == (-signal.SIGKILL, "")


def _answer(process: subprocess.Popen[str]) -> tuple[str, int]:
    """What the child says once it has asked: whether the kernel took the request, and its pid."""
    assert process.stdout is not None
    asked, pid = process.stdout.readline().split()
    return asked, int(pid)


def _running(pid: int) -> bool:
    """The process exists and has not ended (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def _until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.05)
