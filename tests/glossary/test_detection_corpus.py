"""The labelled detection corpus and its scoring script (a CI smoke run of benchmarks/score_detection.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "detection_corpus.json"


def test_the_corpus_is_large_enough_and_its_labels_point_into_their_sentences():
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    sentences = data["sentences"]
    assert len(sentences) >= 300
    assert {s["lang"] for s in sentences} == {"en", "zh"}
    assert {"inflected", "hyphenated", "possessive", "traditional", "negative"} <= {s["category"] for s in sentences}
    keys = {c["key"] for c in data["glossary"]}
    for s in sentences:
        for e in s["expected"]:
            assert e["concept"] in keys and 0 <= e["start"] < e["end"] <= len(s["text"])
    negatives = " ".join(s["text"] for s in sentences if s["category"] == "negative")
    for tricky in ("cellar", "AFTER", "it", "Cellular"):
        assert tricky in negatives


def test_the_scoring_script_prints_precision_recall_and_f1_per_mode():
    proc = subprocess.run([sys.executable, "benchmarks/score_detection.py"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r"^all\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", proc.stdout, re.M)
    assert m, proc.stdout
    exact_p, exact_r, exact_f, p, r, f = map(float, m.groups())
    # What the match modes are for: plurals, possessives and variants found, without losing precision.
    assert r > exact_r and f > exact_f
    assert p >= 0.95 and r >= 0.95, proc.stdout
    assert re.search(r"^category inflected\s+[\d.]+\s+0\.000", proc.stdout, re.M)  # exact mode finds no plural
