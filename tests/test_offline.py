"""Nothing leaves the machine: `ask` and opening the window make no network connection.

Each flow runs in a subprocess whose ``sitecustomize`` makes every internet socket
fail loudly and records the attempt; where the kernel allows it, the same flow also
runs inside a network namespace with no interface at all (``unshare -n``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GUARD = '''
import socket, os
_log = os.environ["TERMLENS_NET_LOG"]
def _refuse(*args, **kwargs):
    with open(_log, "a") as f:
        f.write(repr(args[:2]) + "\\n")
    raise OSError("network disabled by the offline test")
_orig_connect = socket.socket.connect
_orig_connect_ex = socket.socket.connect_ex
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse(self, address)
    return _orig_connect(self, address)
def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _refuse(self, address)
    return _orig_connect_ex(self, address)
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
'''


def _env(tmp_path: Path, home: Path) -> dict:
    guard = tmp_path / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(GUARD)
    env = dict(os.environ)
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        env.pop(key, None)  # the app must set these itself
    env.update(PYTHONPATH=f"{guard}{os.pathsep}{ROOT}", TERMLENS_HOME=str(home),
               TERMLENS_NET_LOG=str(tmp_path / "net.log"), QT_QPA_PLATFORM="offscreen")
    return env


def _attempts(tmp_path: Path) -> str:
    log = tmp_path / "net.log"
    return log.read_text() if log.exists() else ""


def test_ask_makes_no_network_connection(tmp_path, termlens_home, default_model_dir) -> None:
    proc = subprocess.run(
        [sys.executable, "main.py", "ask", "What does CKD-EPI estimate?", "--json", "--max-new-tokens", "12"],
        cwd=ROOT, env=_env(tmp_path, termlens_home), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["new_tokens"] > 0
    assert _attempts(tmp_path) == ""


def test_opening_the_window_makes_no_network_connection(tmp_path, termlens_home, default_model_dir) -> None:
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(shot)],
        cwd=ROOT, env=_env(tmp_path, termlens_home), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.stat().st_size > 10_000
    assert _attempts(tmp_path) == ""


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="unshare -n is not permitted here")
def test_ask_works_inside_a_network_namespace_without_interfaces(tmp_path, termlens_home, default_model_dir) -> None:
    env = _env(tmp_path, termlens_home)
    proc = subprocess.run(
        ["unshare", "-n", sys.executable, "main.py", "ask", "What is AF?", "--json", "--max-new-tokens", "8"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1])["new_tokens"] > 0
