"""Evaluation through llama.cpp in process gives the transformers engine's
accuracy on the sample test set, within the 95% interval.

The sample set's multiple-choice items (33 of 36) are scored: they are where the engines'
log-likelihoods are compared; the 3 free-text items only add greedy generation time."""

from __future__ import annotations

import pytest

from desktop.engine import engines, models
from desktop.engine.evaluate import SAMPLE_TESTSET, run_eval
from desktop.engine.evaluate.request import starter_concepts
from glossary.testset import read_testset
from tests.engine.llama_server import default_gguf, needs_llama

METHODS = "base,inject"
pytestmark = pytest.mark.timeout(1500)  # two evaluations of 2 x 33 items on a CPU


def _items():
    return [it for it in read_testset(SAMPLE_TESTSET) if it.choices]


def _scores(lm, items) -> dict[str, tuple[int, int, tuple[float, float]]]:
    report = run_eval(lm, items, methods=METHODS, glossary_concepts=starter_concepts())
    return {m: (s.correct, s.n, s.ci) for m, s in report.summaries.items()}


@pytest.fixture(scope="module")
def transformers_scores(installed_default_model):
    items = _items()
    lm = models.load_model(installed_default_model, device="cpu")
    try:
        return _scores(lm, items)
    finally:
        models.unload(lm)


def _within(scores: dict, reference: dict) -> None:
    for method, (correct, n, (lo, hi)) in reference.items():
        got, got_n, _ = scores[method]
        assert got_n == n
        assert lo <= got / n <= hi, f"{method}: {got}/{n} outside [{lo:.3f}, {hi:.3f}] of transformers' {correct}/{n}"


def test_eval_base_inject_on_llama_cpp_matches_transformers(installed_default_model, transformers_scores):
    needs_llama()
    default_gguf(installed_default_model)
    items = _items()
    lm = engines.load(installed_default_model, device="cpu")
    try:
        assert lm.engine == "llama.cpp"
        scores = _scores(lm, items)
    finally:
        models.unload(lm)
    _within(scores, transformers_scores)


# --- the same evaluation through llama.cpp's server ----------------------------------------

SERVER_ITEMS = 3  # a few multiple-choice items: the server scores each option in its own request


def _eval_cli(testset, report, *extra: str) -> dict:
    """``main.py eval --methods base,inject --json`` as a person runs it; its summaries by method."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "main.py", "eval", "--testset", str(testset), "--methods", METHODS,
                           "--json", "--report", str(report), *extra], cwd=root, capture_output=True, text=True,
                          timeout=400)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {m: (s["correct"], s["n"], (s["ci_low"], s["ci_high"])) for m, s in data["summaries"].items()}


@pytest.mark.slow
def test_eval_through_llama_cpp_server_matches_in_process(installed_default_model, tmp_path):
    """``eval --server URL`` against llama.cpp's server on 127.0.0.1 gives the in-process llama.cpp
    result on the same items, within its interval (both score options from llama.cpp's log-probabilities)."""
    from glossary.testset import read_testset

    from tests.engine.llama_server import running_server

    needs_llama()
    gguf = default_gguf(installed_default_model)
    lines = [line for line in SAMPLE_TESTSET.read_text(encoding="utf-8").splitlines() if '"choices"' in line]
    testset = tmp_path / "few.jsonl"
    testset.write_text("\n".join(lines[:SERVER_ITEMS]) + "\n", encoding="utf-8")
    lm = engines.load(installed_default_model, device="cpu", engine="llama.cpp")
    try:
        here = _scores(lm, list(read_testset(testset)))
    finally:
        models.unload(lm)
    with running_server(gguf, n_ctx=4096) as server:
        try:
            served = _eval_cli(testset, tmp_path / "server", "--server", server.url,
                               "--server-tokenizer", str(installed_default_model))
        except AssertionError:
            if not server.ensure_up():  # the evaluation failed with the server up: a real failure
                raise
            served = _eval_cli(testset, tmp_path / "server-again", "--server", server.url,  # it had died: once more
                               "--server-tokenizer", str(installed_default_model))
    assert set(served) == set(here) == set(METHODS.split(","))
    _within(served, here)
