"""The benchmark scripts still run end to end (they print figures; the figures are not asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_gui_stream_bench_streams_a_random_model_through_the_real_worker(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TERMLENS_HOME": str(tmp_path / "home"),
           "TERMLENS_KEYRING": "memory"}
    proc = subprocess.run(
        [sys.executable, "benchmarks/bench_gui_stream.py", "--rates", "400", "--tokens", "60", "--shape", "tiny",
         "--weights", "int8"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert re.search(r"^\s+400\s+\d+\.\d", out, re.M)  # the fake engine's row
    assert "int8 weights" in out
    m = re.search(r"answer 1: engine ([\d.]+) tok/s, chat view ([\d.]+) tok/s \((\d+) tokens", out)
    assert m, out
    assert float(m.group(1)) > 0 and float(m.group(2)) > 0 and 0 < int(m.group(3)) <= 60
