"""`portal worker`'s supervisor, with a stand-in for Dramatiq: a main process that starts two more in
its process group (one stops on SIGTERM, one ignores it), as Dramatiq forks its worker processes and
metrics server. When the main process is killed outright, none of the others may be running when the
command is started again, nor after `portal worker` is stopped."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.processes import stop

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")

# Each start: its pid, its two processes' pids, and which pids of the start before it were running
# then (the supervisor must have stopped them all before starting it).
STAND_IN = textwrap.dedent(
    """
    import json, os, subprocess, sys, time
    from pathlib import Path

    def running(pid):
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
        except OSError:
            return False

    starts = Path(sys.argv[1])
    before = [json.loads(line) for line in starts.read_text().splitlines()] if starts.exists() else []
    left = [pid for pid in before[-1]["group"] if running(pid)] if before else []
    stops_on_term = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    ignores_term = subprocess.Popen(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
         "print(flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE,
    )
    ignores_term.stdout.readline()  # it ignores SIGTERM from now on
    group = [os.getpid(), stops_on_term.pid, ignores_term.pid]
    with starts.open("a") as output:
        output.write(json.dumps({"group": group, "left_of_the_one_before": left}) + "\\n")
    time.sleep(600)
    """
)

SUPERVISOR = textwrap.dedent(
    """
    import logging, sys
    from workers.supervisor import supervise

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    command = [sys.executable, "-c", sys.argv[1], sys.argv[2]]
    sys.exit(supervise(command, pause_seconds=0, grace_seconds=0.5))
    """
)


def test_what_is_left_of_a_killed_command_is_stopped_before_it_starts_again_and_when_it_is_stopped(
    tmp_path: Path,
) -> None:
    # given the stand-in for Dramatiq under the supervisor, started once
    starts = tmp_path / "starts.jsonl"
    log = tmp_path / "supervisor.log"
    with log.open("wb") as output:
        supervisor = subprocess.Popen(
            [sys.executable, "-c", SUPERVISOR, STAND_IN, str(starts)],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _until(lambda: len(_starts(starts)) == 1, 30, "the first start", log)
        [first] = _starts(starts)
        # when its main process is killed outright
        main, stops_on_term, ignores_term = first["group"]
        subprocess.run(["kill", "-KILL", str(main)], check=True)
        # then it is started again, once the two others are gone (SIGTERM, then SIGKILL for the one
        # that ignores it)
        _until(lambda: len(_starts(starts)) == 2, 30, "the second start", log)
        second = _starts(starts)[1]
        still_running = _running(supervisor.pid)
        # and when the supervisor is stopped, its second start stops, and all of it with it
        supervisor.send_signal(signal.SIGTERM)
        status = supervisor.wait(timeout=30)
    finally:
        stop(supervisor, signal.SIGKILL)
        for start in _starts(starts):  # each start is a process group of its own
            with contextlib.suppress(ProcessLookupError):
                os.killpg(start["group"][0], signal.SIGKILL)

    assert still_running
    assert second["left_of_the_one_before"] == []
    assert [pid for pid in first["group"] + second["group"] if _running(pid)] == []
    assert status == 0
    lines = log.read_text().splitlines()
    assert lines == [
        f"WARNING portal worker: processes of the Dramatiq that ended are still running "
        f"({' '.join(map(str, sorted((stops_on_term, ignores_term))))}); stopping them",
        f"ERROR portal worker: processes {ignores_term} did not stop within 0.5 s of SIGTERM; killing them",
        "ERROR portal worker: Dramatiq exited (status -9); starting it again",
        # (the second start's main process ended on the SIGTERM passed on; its other two were left)
        f"WARNING portal worker: processes of the Dramatiq that ended are still running "
        f"({' '.join(map(str, sorted(second['group'][1:])))}); stopping them",
        f"ERROR portal worker: processes {second['group'][2]} did not stop within 0.5 s of SIGTERM; "
        "killing them",
    ]


def _starts(starts: Path) -> list[dict[str, list[int]]]:
    if not starts.exists():
        return []
    return [json.loads(line) for line in starts.read_text().splitlines() if line.endswith("}")]


def _running(pid: int) -> bool:
    """The process exists and has not ended (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def _until(check: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s:\n{log.read_text()}"
        time.sleep(0.05)
