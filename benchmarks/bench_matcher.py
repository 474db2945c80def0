"""Term-detection speed: build time, memory and latency at 100,000 terms, against baselines.

Run: ``.venv/bin/python benchmarks/bench_matcher.py [--terms 100000] [--no-regex]``.
Prints, for a 1,000-character mixed Chinese/English question: the raw library calls
(``ahocorasick_rs`` and ``pyahocorasick``, overlapping and leftmost-longest), the full
``Matcher.detect`` (normalisation, boundaries, selection, ambiguity), ``flashtext`` and
one ``re`` alternation of every term (longest first), then the ratios. With
``glossary.icd10cm`` importable it repeats the detect figures on ICD-10-CM.
A script, not a test: it takes about half a minute, most of it building the regex.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from glossary.matcher import Matcher  # noqa: E402
from glossary.model import Concept, Term  # noqa: E402
from glossary.normalize import norm  # noqa: E402

SYLLABLES = (
    "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu ga ge gi go gu ka ke ki ko ku la le li lo lu "
    "ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu"
).split()
HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def synthetic_terms(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct terms: 60% Latin phrases of 1-3 made-up words, 40% Han strings of 2-5 characters."""

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))

    out: set[str] = set()
    while len(out) < n:
        if rng.random() < 0.6:
            out.add(" ".join(word() for _ in range(rng.randint(1, 3))))
        else:
            out.add("".join(rng.choice(HAN) for _ in range(rng.randint(2, 5))))
    return sorted(out)


def question(terms: list[str], rng: random.Random, length: int = 1000) -> str:
    """Mixed text: about a third glossary terms, the rest made-up words, Han runs and punctuation."""
    parts: list[str] = []
    size = 0
    while size < length:
        r = rng.random()
        if r < 0.3:
            p = rng.choice(terms)
            p = p.upper() if rng.random() < 0.1 else p
        elif r < 0.6:
            p = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
        else:
            p = "".join(rng.choice(HAN) for _ in range(rng.randint(1, 4))) + rng.choice(["，", "。", "", ""])
        parts.append(p)
        size += len(p) + 1
    return " ".join(parts)[:length]


def latency(fn: Callable[[], object], *, seconds: float = 1.0, max_runs: int = 5000) -> tuple[float, float, int]:
    """(p50, p99) in microseconds and the number of runs."""
    fn()
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times) < max_runs and (time.perf_counter() < deadline or len(times) < 3):
        t = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - t) / 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))], len(times)


def rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


def timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    """(result, seconds, RSS growth in MB)."""
    before = rss()
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t, (rss() - before) / 2**20


def row(name: str, build_s: float | None, mem_mb: float | None, lat: tuple[float, float, int]) -> None:
    b = f"{build_s:7.2f} s" if build_s is not None else "      -  "
    m = f"{mem_mb:7.1f} MB" if mem_mb is not None else "       -  "
    print(f"  {name:42s} build {b}  mem {m}  p50 {lat[0]:10.1f} µs  p99 {lat[1]:10.1f} µs  (n={lat[2]})")


def bench(label: str, concepts: list[Concept], text: str, *, regex: bool) -> None:
    import ahocorasick
    import ahocorasick_rs
    from flashtext import KeywordProcessor

    forms = sorted({norm(t.text) for c in concepts for t in c.terms if norm(t.text)})
    print(f"\n{label}: {len(concepts):,} concepts, {len(forms):,} surface forms, question of {len(text)} characters")
    normalised = norm(text)
    results: dict[str, float] = {}

    m, s, mb = timed(lambda: Matcher(concepts))
    lat = latency(lambda: m.detect(text))
    row("Matcher.detect (full)", s, mb, lat)
    results["detect"] = lat[0]
    print(f"    hits: {len(m.detect(text))}")

    ac, s, mb = timed(lambda: ahocorasick_rs.AhoCorasick(forms, matchkind=ahocorasick_rs.MatchKind.Standard))
    lat = latency(lambda: ac.find_matches_as_indexes(normalised, overlapping=True))
    row("ahocorasick_rs overlapping (used)", s, mb, lat)
    results["rs"] = lat[0]
    ll, s, mb = timed(lambda: ahocorasick_rs.AhoCorasick(forms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest))
    row("ahocorasick_rs leftmost-longest", s, mb, latency(lambda: ll.find_matches_as_indexes(normalised)))
    del ll

    def py_build() -> object:
        a = ahocorasick.Automaton()
        for i, f in enumerate(forms):
            a.add_word(f, (i, len(f)))
        a.make_automaton()
        return a

    pa, s, mb = timed(py_build)
    lat = latency(lambda: list(pa.iter(normalised)))
    row("pyahocorasick iter (overlapping)", s, mb, lat)
    results["py"] = lat[0]
    row("pyahocorasick iter_long", None, None, latency(lambda: list(pa.iter_long(normalised))))
    del pa

    def ft_build() -> object:
        kp = KeywordProcessor()
        for f in forms:
            kp.add_keyword(f)
        return kp

    kp, s, mb = timed(ft_build)
    lat = latency(lambda: kp.extract_keywords(normalised, span_info=True))
    row("flashtext extract_keywords", s, mb, lat)
    results["flashtext"] = lat[0]
    del kp

    if regex:
        pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        rx, s, mb = timed(lambda: re.compile(pattern))
        lat = latency(lambda: list(rx.finditer(normalised)), seconds=3.0, max_runs=20)
        row("re alternation, longest first", s, mb, lat)
        results["regex"] = lat[0]
        del rx

    # An edit goes to the overlay: no full rebuild.
    c = concepts[len(concepts) // 2].copy()
    c.terms = [*c.terms, Term("freshly added term")]
    t = time.perf_counter()
    m.update(c)
    edit_ms = (time.perf_counter() - t) * 1000
    assert any(h.text == "freshly added term" for h in m.detect(text + " freshly added term"))
    print(f"  one concept edited: {edit_ms:.2f} ms until visible (overlay; no rebuild)")

    print("  ratios (p50):")
    print(f"    detect / raw ahocorasick_rs         {results['detect'] / results['rs']:8.1f}x")
    print(f"    pyahocorasick / ahocorasick_rs      {results['py'] / results['rs']:8.1f}x")
    print(f"    flashtext / ahocorasick_rs          {results['flashtext'] / results['rs']:8.1f}x")
    print(f"    flashtext / detect                  {results['flashtext'] / results['detect']:8.1f}x")
    if "regex" in results:
        print(f"    regex / ahocorasick_rs              {results['regex'] / results['rs']:8.0f}x")
        print(f"    regex / detect                      {results['regex'] / results['detect']:8.0f}x")


def icd_concepts() -> list[Concept] | None:
    try:
        from glossary import icd10cm
        from glossary.store import GlossaryStore
    except ImportError as e:
        print(f"\nICD-10-CM: skipped ({e}).")
        return None
    store = GlossaryStore(":memory:")
    try:
        icd10cm.load(store)
        return list(store.iter_concepts())
    except Exception as e:  # noqa: BLE001 - a benchmark reports and goes on
        print(f"\nICD-10-CM: skipped ({type(e).__name__}: {e}).")
        return None
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--terms", type=int, default=100_000)
    ap.add_argument("--no-regex", action="store_true", help="skip the slow regex baseline")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    terms = synthetic_terms(args.terms, rng)
    concepts = [Concept(id=i + 1, terms=[Term(t, "zh" if not t.isascii() else "en")]) for i, t in enumerate(terms)]
    text = question(terms, rng)
    print(f"Python {sys.version.split()[0]}; text sample: {text[:80]!r}...")
    bench("Synthetic", concepts, text, regex=not args.no_regex)

    icd = icd_concepts()
    if icd:
        icd_terms = [t.text for c in icd for t in c.terms]
        en = question(icd_terms, rng)
        bench("ICD-10-CM", icd, en, regex=False)


if __name__ == "__main__":
    main()
