"""Precision, recall and F1 of term detection on the labelled corpus, per match mode.

Run: ``.venv/bin/python benchmarks/score_detection.py [--corpus tests/data/detection_corpus.json] [--errors]``.

The corpus holds a glossary (medicine and law, English and Chinese, with abbreviations
and a deprecated term) and sentences with the spans a person would mark as its terms:
plain, inflected (plurals), possessive, hyphenated (hyphen, en dash, slash),
abbreviation plurals ("AFs"), traditional characters, several terms at once, and
tricky negatives ("cellar", "AFTER", "it" for "IT", "tortoise", "被告知").

Each mode is scored with the same matcher on the same sentences:

* ``exact``: every term in exact mode (detection as it was before match modes);
* ``inflected``: every term in its automatic mode (inflected for Latin-script words,
  exact for abbreviations, case-sensitive and Chinese terms), as a new glossary has.

A hit counts as correct when its span and concept are those of a label. Prints the
figures overall, per category and per language; ``--errors`` lists the misses and
the false hits.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from glossary.matcher import Matcher  # noqa: E402
from glossary.model import Concept, MatchMode, Term  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "detection_corpus.json"
MODES = ("exact", "inflected")


def load(path: Path) -> tuple[list[Concept], dict[int, str], list[dict]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    concepts, keys = [], {}
    for i, c in enumerate(data["glossary"], 1):
        keys[i] = c["key"]
        concepts.append(Concept(id=i, subject_fields=c["subject_fields"],
                                terms=[Term(t["text"], t["lang"], t["type"], t["case_sensitive"]) for t in c["terms"]]))
    return concepts, keys, data["sentences"]


def with_mode(concepts: list[Concept], mode: str) -> list[Concept]:
    out = [c.copy() for c in concepts]
    if mode == "exact":
        for c in out:
            for t in c.terms:
                t.match_mode = MatchMode.EXACT
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(concepts: list[Concept], keys: dict[int, str], sentences: list[dict], mode: str) -> dict:
    """{group: [tp, fp, fn]} for "all", each category and each language, plus the errors."""
    m = Matcher(with_mode(concepts, mode))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    errors: list[str] = []
    for s in sentences:
        gold = {(e["start"], e["end"], e["concept"]) for e in s["expected"]}
        got = {(h.start, h.end, keys[h.concept_id]) for h in m.detect(s["text"])}
        tp, fp, fn = len(gold & got), len(got - gold), len(gold - got)
        for group in ("all", f"category {s['category']}", f"language {s['lang']}"):
            c = counts[group]
            c[0] += tp
            c[1] += fp
            c[2] += fn
        for a, b, k in sorted(gold - got):
            errors.append(f"  missed  {s['text'][a:b]!r} ({k}) in {s['text']!r}")
        for a, b, k in sorted(got - gold):
            errors.append(f"  false   {s['text'][a:b]!r} ({k}) in {s['text']!r}")
    return {"counts": dict(counts), "errors": errors}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--errors", action="store_true", help="list the misses and false hits of each mode")
    args = ap.parse_args(argv)
    concepts, keys, sentences = load(args.corpus)
    labels = sum(len(s["expected"]) for s in sentences)
    print(f"Corpus: {len(sentences)} sentences, {labels} labelled terms, {len(concepts)} concepts ({args.corpus.name})")
    results = {mode: score(concepts, keys, sentences, mode) for mode in MODES}
    groups = list(results["inflected"]["counts"])
    print(f"{'':28}" + "".join(f"{mode + ' P/R/F1':>26}" for mode in MODES))
    for g in ["all"] + sorted(x for x in groups if x != "all"):
        cells = []
        for mode in MODES:
            p, r, f = prf(*results[mode]["counts"].get(g, [0, 0, 0]))
            cells.append(f"{p:8.3f}{r:8.3f}{f:8.3f}  ")
        print(f"{g:28}" + "".join(f"{c:>26}" for c in cells))
    if args.errors:
        for mode in MODES:
            print(f"\n{mode}: {len(results[mode]['errors'])} errors")
            print("\n".join(results[mode]["errors"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
