"""Scoring workers end with the classification that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARENT = """
import os, sys, time
from pathlib import Path
from multiprocessing import get_context
from observatory.classify.local_scoring import die_with_parent

def worker(parent, pid_file, told):
    if told:
        die_with_parent(parent)
    Path(pid_file).write_text(str(os.getpid()))
    time.sleep(120)

if __name__ == "__main__":
    get_context("spawn").Process(
        target=worker, args=(os.getpid(), sys.argv[1], sys.argv[2] == "told")
    ).start()
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in state


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
@pytest.mark.parametrize("told", [True, False])
def test_a_worker_told_to_die_with_its_parent_ends_when_the_parent_is_killed(
    tmp_path: Path, told: bool
) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    pid_file = tmp_path / "worker.pid"
    parent = subprocess.Popen(
        [sys.executable, str(script), str(pid_file), "told" if told else "not told"]
    )
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the worker never started"
            time.sleep(0.1)
        worker = int(pid_file.read_text())
        parent.send_signal(signal.SIGKILL)  # as the out-of-memory killer does
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _alive(worker) is not told
    finally:
        parent.kill()
        if pid_file.exists() and pid_file.read_text() and _alive(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
