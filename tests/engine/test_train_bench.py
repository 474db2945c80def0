"""The training benchmark: one process, and data parallel under ``accelerate launch`` (Gloo on CPUs,
the same code path as NCCL on several GPUs), with the scaling efficiency against a one-process run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--shape", "tiny", "--steps", "3", "--warmup", "1", "--batch", "2", "--seq", "128", "--paths", "liger"]


def _env() -> dict[str, str]:
    return dict(os.environ, OMP_NUM_THREADS="1")


@pytest.mark.slow
def test_two_processes_report_the_groups_tokens_once_with_the_scaling_against_one(tmp_path):
    launcher = Path(sys.executable).with_name("accelerate")
    if not launcher.exists():
        pytest.skip("accelerate is not installed")
    one = subprocess.run([sys.executable, "-m", "desktop.engine.train_bench", *TINY, "--json", str(tmp_path / "one.json")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, env=_env())
    assert one.returncode == 0, one.stderr[-2000:]
    base = json.loads((tmp_path / "one.json").read_text())
    assert base["processes"] == 1 and base["results"][0]["tokens_per_s"] > 0

    two = subprocess.run(
        [str(launcher), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision",
         "no", "--dynamo_backend", "no", "-m", "desktop.engine.train_bench", *TINY,
         "--baseline", str(tmp_path / "one.json"), "--json", str(tmp_path / "two.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=_env())
    assert two.returncode == 0, two.stderr[-3000:]
    assert two.stdout.count("parameters on") == 1 and "2 processes" in two.stdout  # only the first process prints
    rows = [json.loads(line) for line in two.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == 1
    r = rows[0]
    assert r["processes"] == 2 and r["tokens_per_s"] > 0
    # tokens/s counts both processes' rows: the efficiency is the pair's rate over twice one process's
    assert r["scaling_efficiency"] == pytest.approx(r["tokens_per_s"] / (2 * base["results"][0]["tokens_per_s"]),
                                                    abs=1e-3)
    assert "scaling" in two.stdout and f"{r['scaling_efficiency'] * 100:.1f}%" in two.stdout
    saved = json.loads((tmp_path / "two.json").read_text())
    assert saved["processes"] == 2 and saved["results"][0]["tokens_per_s"] == r["tokens_per_s"]


def test_an_unreadable_baseline_is_named_in_a_sentence(tmp_path):
    bad = tmp_path / "one.json"
    bad.write_text("{not json", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "desktop.engine.train_bench", *TINY, "--baseline", str(bad)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 2
    assert f"cannot read the baseline {bad}" in proc.stderr
