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
