"""A second TermLens on the same data directory is refused politely."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.errors import StorageError
from desktop.storage.instance import SingleInstance

REPO = Path(__file__).resolve().parents[2]


def test_second_instance_is_refused_and_the_first_can_reopen(home: Path) -> None:
    first = SingleInstance(home).acquire()
    assert first.held and (home / "termlens.lock").exists()
    with pytest.raises(StorageError, match="TermLens is already open on this data directory"):
        SingleInstance(home).acquire()
    first.release()
    with SingleInstance() as again:  # the default is paths.home()
        assert again.held
    assert not again.held


def test_another_directory_is_not_blocked(tmp_path: Path, home: Path) -> None:
    with SingleInstance(home):
        with SingleInstance(tmp_path / "elsewhere") as other:
            assert other.held


def test_another_process_holds_it_until_it_dies(home: Path) -> None:
    code = (
        "import sys, time\n"
        "from desktop.storage.instance import SingleInstance\n"
        "lock = SingleInstance(sys.argv[1]).acquire()  # kept alive: a collected lock is released\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(home)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(StorageError, match="already open"):
            SingleInstance(home).acquire()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc.stdout:
            proc.stdout.close()
    with SingleInstance(home) as lock:  # a killed app leaves no stale lock
        assert lock.held
