"""benchmarks/bench_matcher.py still runs end to end (CI smoke run; its figures are not asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_matcher_benchmark_runs_with_its_baselines():
    proc = subprocess.run([sys.executable, "benchmarks/bench_matcher.py", "--smoke"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for name in ("Matcher.detect (the whole detection)", "flashtext extract_keywords", "re alternation, longest first"):
        assert re.search(rf"{re.escape(name)}\s+build\s+[\d.]+ s .* p50\s+[\d.]+ µs", out), out
    hits = int(re.search(r"hits: (\d+)", out).group(1))
    assert hits > 10  # the synthetic question holds terms in every mode, and they are found
    assert "p50 at most 50 µs per 1,000 characters" in out and "build at most 1.5 s" in out
