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
    m = re.search(r"answer 1 \(\d+ prompt tokens\): first token (\d+) ms \(Send to first text \d+ ms\), "
                  r"engine ([\d.]+) tok/s, chat view ([\d.]+) tok/s \((\d+) tokens", out)
    assert m, out
    assert float(m.group(2)) > 0 and float(m.group(3)) > 0 and 0 < int(m.group(4)) <= 60
    engine_log = (tmp_path / "home" / "logs" / "termlens.log").read_text(encoding="utf-8")
    assert "model loaded: tiny shape" in engine_log  # where a start's time went, as the app logs it


def test_the_gui_benchmarks_word_tokenizer_shows_words_it_does_not_know():
    """Prompt words outside its vocabulary become an ordinary word, so a random model that copies
    them still puts text on screen (a special unknown token would decode to nothing)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_gui_stream import word_tokenizer
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    tok = word_tokenizer(1000)
    ids = tok("What does CKD-EPI estimate? w17 w999").input_ids
    assert ids[-2:] == [17, 999]
    assert tok.decode(ids, skip_special_tokens=True).split() == ["w3"] * (len(ids) - 2) + ["w17", "w999"]


@pytest.mark.slow
def test_gui_stream_bench_gives_up_on_an_answer_that_takes_too_long_and_says_where_it_was(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TERMLENS_HOME": str(tmp_path / "home"),
           "TERMLENS_KEYRING": "memory"}
    proc = subprocess.run(
        [sys.executable, "benchmarks/bench_gui_stream.py", "--rates", "", "--tokens", "2000", "--shape", "tiny",
         "--answer-timeout", "0.3"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1
    assert "no answer after 0 s" in proc.stderr
    assert "_do_generate" in proc.stderr  # the model thread's stack, where it was answering


@pytest.mark.slow
def test_warm_start_bench_runs_starts_that_share_one_data_folder(tmp_path):
    home = tmp_path / "home"
    proc = subprocess.run(
        [sys.executable, "benchmarks/bench_warm_start.py", "--starts", "2", "--home", str(home), "--",
         "--new", "8", "--turns", "1", "--repeat", "1"],
        cwd=ROOT, env={**os.environ, "TERMLENS_HOME": "/nowhere"}, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = re.findall(r"^\s+(\d)\s+[\d.]+\s+\d+\s+([\d.]+)\s", proc.stdout, re.M)
    assert [r[0] for r in rows] == ["1", "2"], proc.stdout
    assert all(float(r[1]) > 0 for r in rows)  # tokens per second of each start
    assert proc.stdout.startswith(f"data folder {home};")
