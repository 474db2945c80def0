"""Term-detection speed: build time, memory, latency and edit cost, against baselines.

Run: ``.venv/bin/python benchmarks/bench_matcher.py [--terms 100000] [--no-regex] [--no-icd] [--smoke]``.

``--smoke`` (what CI runs): 2,000 terms, no ICD-10-CM, short timings; it checks that the
script runs, its figures mean nothing.

For a 1,000-character mixed Chinese/English question it prints, at 100,000 synthetic
terms and then on the ICD-10-CM glossary (every code of the installed code set):

The synthetic glossary has every match mode on: Latin-script terms in ``inflected``
mode (the default), one in ten an upper-case case-sensitive abbreviation (exact, with
its "s" plural) and one in ten set to ``exact``; Chinese terms exact with their
traditional variants. The question holds plurals, upper-case forms and traditional
characters of them too.

* ``Matcher.detect``: the whole detection (normalisation, word boundaries,
  leftmost-longest selection, ambiguity, hits mapped back to the user's text);
* the libraries on the same normalised text, built from the same surface forms:
  ``ahocorasick_rs`` (the one used; overlapping as ``detect`` needs, and
  leftmost-longest), ``pyahocorasick`` (``iter`` and ``iter_long``), ``flashtext``,
  and one ``re`` alternation of every form, longest first (synthetic terms only,
  unless ``--icd-regex``);
* the GIL: how long another thread (the window's) waited at most while ``ahocorasick_rs``
  built its automaton in one piece, and in ``PIECES`` smaller automata searched one after
  the other with their matches merged (what building in pieces would cost each search);
* the cost of editing: one concept updated or removed until ``detect`` sees it,
  ``detect`` with edits pending in the overlay, and the full rebuild the overlay spares;
* loading ICD-10-CM into a glossary database, and building a matcher from it;
* the issue's targets, met or not.

Build is wall time; memory is the growth of the process's resident set; latency
is p50/p99 over repeated calls in this process. A script, not a test: about two
minutes, most of it compiling the regex and loading ICD-10-CM. Figures depend on
the machine and on what else runs on it (the load average is printed).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from glossary.matcher import Matcher  # noqa: E402
from glossary.model import Concept, MatchMode, Term, TermType  # noqa: E402
from glossary.normalize import norm  # noqa: E402

SYLLABLES = (
    "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu ga ge gi go gu ka ke ki ko ku la le li lo lu "
    "ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu"
).split()
HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
TARGET_P50_US = 50.0  # per 1,000 characters, at 100,000 terms
TARGET_BUILD_S = 1.5
TARGET_VS_REGEX = 100.0
PIECES = 4


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


def every_mode(i: int, text: str) -> Term:
    """Term ``i`` of the synthetic glossary, in the match mode its place gives it (see the docstring)."""
    if not text.isascii():
        return Term(text, "zh")
    if i % 10 == 0:
        return Term(text.upper(), "en", TermType.ABBREVIATION, case_sensitive=True)
    if i % 10 == 1:
        return Term(text, "en", match_mode=MatchMode.EXACT)
    return Term(text, "en")


def question(terms: list[str], rng: random.Random, length: int = 1000) -> str:
    """Mixed text: about a third glossary terms, the rest made-up words, Han runs and punctuation."""
    parts: list[str] = []
    size = 0
    while size < length:
        r = rng.random()
        if r < 0.3:
            p = rng.choice(terms)
            p = p.upper() if rng.random() < 0.1 else p
            if p.isascii() and rng.random() < 0.3:
                p += "s"  # a plural (found in inflected mode)
        elif r < 0.6:
            p = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
        else:
            p = "".join(rng.choice(HAN) for _ in range(rng.randint(1, 4))) + rng.choice(["，", "。", "", ""])
        parts.append(p)
        size += len(p) + 1
    return " ".join(parts)[:length]


SECONDS = 1.0  # timing budget per measurement (shorter with --smoke)


def latency(fn: Callable[[], object], *, seconds: float = 1.0, max_runs: int = 5000) -> tuple[float, float, int]:
    """(p50, p99) in microseconds and the number of runs."""
    seconds *= SECONDS
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


def longest_hold(fn: Callable[[], object]) -> tuple[object, float, float]:
    """(result, seconds, the longest another Python thread waited for the GIL meanwhile, in ms):
    a thread that wakes every millisecond stands for the window's event loop."""
    done = threading.Event()
    worst = [0.0]

    def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            worst[0] = max(worst[0], now - last - 0.001)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    t = time.perf_counter()
    out = fn()
    s = time.perf_counter() - t
    done.set()
    ticker.join()
    return out, s, worst[0] * 1000


def row(name: str, build_s: float | None, mem_mb: float | None, lat: tuple[float, float, int]) -> None:
    b = f"{build_s:6.2f} s" if build_s is not None else "     -  "
    m = f"{mem_mb:6.1f} MB" if mem_mb is not None else "      -  "
    print(f"  {name:38s} build {b}  mem {m}  p50 {lat[0]:9.1f} µs  p99 {lat[1]:9.1f} µs  (n={lat[2]})", flush=True)


def bench(label: str, concepts: list[Concept], text: str, *, regex: bool) -> dict[str, float]:
    import ahocorasick
    import ahocorasick_rs
    from flashtext import KeywordProcessor

    forms = sorted({norm(t.text) for c in concepts for t in c.terms if norm(t.text)})
    terms = sum(len(c.terms) for c in concepts)
    print(f"\n{label}: {len(concepts):,} concepts, {terms:,} terms, {len(forms):,} surface forms; "
          f"question of {len(text)} characters", flush=True)
    normalised = norm(text)
    r: dict[str, float] = {}

    m, s, mb = timed(lambda: Matcher(concepts))
    lat = latency(lambda: m.detect(text))
    row("Matcher.detect (the whole detection)", s, mb, lat)
    r.update(detect=lat[0], detect_p99=lat[1], build=s)
    print(f"    hits: {len(m.detect(text))}", flush=True)

    ac, s, mb = timed(lambda: ahocorasick_rs.AhoCorasick(forms, matchkind=ahocorasick_rs.MatchKind.Standard))
    lat = latency(lambda: ac.find_matches_as_indexes(normalised, overlapping=True))
    row("ahocorasick_rs, overlapping (used)", s, mb, lat)
    r.update(rs=lat[0], rs_build=s, rs_mem=mb)
    del ac
    ac, s, hold = longest_hold(lambda: ahocorasick_rs.AhoCorasick(forms, matchkind=ahocorasick_rs.MatchKind.Standard))
    print(f"    built in one piece: {s:.2f} s, another thread waited up to {hold:.0f} ms for the GIL", flush=True)
    del ac
    bounds = [len(forms) * i // PIECES for i in range(PIECES + 1)]

    def in_pieces() -> list:
        out = []
        for lo, hi in zip(bounds, bounds[1:]):
            out.append((lo, ahocorasick_rs.AhoCorasick(forms[lo:hi], matchkind=ahocorasick_rs.MatchKind.Standard)))
            time.sleep(0)  # the other thread runs between pieces
        return out

    pieces, s, hold = longest_hold(in_pieces)

    def search_pieces() -> list:
        found = pieces[0][1].find_matches_as_indexes(normalised, overlapping=True)
        for lo, a in pieces[1:]:
            found += [(i + lo, b, e) for i, b, e in a.find_matches_as_indexes(normalised, overlapping=True)]
        found.sort(key=lambda f: f[2])  # by end again, as one automaton reports them
        return found

    lat = latency(search_pieces)
    row(f"ahocorasick_rs in {PIECES} pieces, merged", s, None, lat)
    print(f"    built in {PIECES} pieces: another thread waited up to {hold:.0f} ms for the GIL", flush=True)
    r["rs_pieces"] = lat[0]
    del pieces
    ll, s, mb = timed(lambda: ahocorasick_rs.AhoCorasick(forms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest))
    lat = latency(lambda: ll.find_matches_as_indexes(normalised))
    row("ahocorasick_rs, leftmost-longest", s, mb, lat)
    r["rs_ll"] = lat[0]
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
    r.update(py=lat[0], py_build=s, py_mem=mb)
    lat = latency(lambda: list(pa.iter_long(normalised)))
    row("pyahocorasick iter_long", None, None, lat)
    r["py_ll"] = lat[0]
    del pa

    def ft_build() -> object:
        kp = KeywordProcessor()
        for f in forms:
            kp.add_keyword(f)
        return kp

    kp, s, mb = timed(ft_build)
    lat = latency(lambda: kp.extract_keywords(normalised, span_info=True))
    row("flashtext extract_keywords", s, mb, lat)
    r["flashtext"] = lat[0]
    del kp

    if regex:
        pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        rx, s, mb = timed(lambda: re.compile(pattern))
        lat = latency(lambda: list(rx.finditer(normalised)), seconds=3.0, max_runs=20)
        row("re alternation, longest first", s, mb, lat)
        r["regex"] = lat[0]
        del rx

    edits(m, concepts, text)

    print("  ratios (p50):")
    print(f"    detect / ahocorasick_rs overlapping   {r['detect'] / r['rs']:8.1f}x")
    print(f"    {PIECES} pieces / one automaton              {r['rs_pieces'] / r['rs']:8.1f}x  "
          f"(+{r['rs_pieces'] - r['rs']:.1f} µs a search, {(r['rs_pieces'] - r['rs']) / r['detect']:.0%} of detect)")
    print(f"    pyahocorasick / ahocorasick_rs        {r['py'] / r['rs']:8.1f}x  (overlapping)"
          f"   {r['py_ll'] / r['rs_ll']:6.1f}x  (leftmost-longest)")
    print(f"    flashtext / detect                    {r['flashtext'] / r['detect']:8.1f}x")
    if "regex" in r:
        print(f"    regex / detect                        {r['regex'] / r['detect']:8.0f}x")
    return r


def edits(m: Matcher, concepts: list[Concept], text: str) -> None:
    """What one edit costs until ``detect`` sees it, and what the overlay spares."""
    rng = random.Random(1)
    picks = rng.sample(range(len(concepts)), min(400, len(concepts)))

    def edited(i: int) -> Concept:
        c = concepts[i].copy()
        c.terms = [*c.terms, Term(f"edited term {i}")]
        return c

    times: list[float] = []
    for i in picks[:200]:
        c = edited(i)
        t = time.perf_counter_ns()
        m.update(c)
        times.append((time.perf_counter_ns() - t) / 1000)
    first = times.pop(0)
    times.sort()
    assert [h.concept_id for h in m.detect(f"x edited term {picks[0]} y")] == [concepts[picks[0]].id]
    print(f"  edit one concept (update; visible to the next detect, no rebuild): first {first / 1000:.1f} ms "
          f"(indexes the automaton's entries by concept), then {len(times)} more: "
          f"p50 {times[len(times) // 2]:.0f} µs, p99 {times[int(len(times) * 0.99)]:.0f} µs", flush=True)
    lat = latency(lambda: m.detect(text))
    print(f"  detect with {len(times) + 1} edited concepts in the overlay: p50 {lat[0]:.1f} µs, p99 {lat[1]:.1f} µs")
    times = []
    for i in picks[200:300]:
        t = time.perf_counter_ns()
        m.remove(concepts[i].id)  # type: ignore[arg-type]
        times.append((time.perf_counter_ns() - t) / 1000)
    times.sort()
    print(f"  remove one concept: p50 {times[len(times) // 2]:.0f} µs, p99 {times[int(len(times) * 0.99)]:.0f} µs")
    t = time.perf_counter()
    m.rebuild()
    print(f"  a full rebuild instead (what each edit would cost without the overlay): {time.perf_counter() - t:.2f} s",
          flush=True)


def icd() -> tuple[list[Concept], float, float] | None:
    """The ICD-10-CM concepts as a store holds them, the load time, and the store-to-matcher time."""
    try:
        from glossary import icd10cm
        from glossary.store import GlossaryStore
    except ImportError as e:
        print(f"\nICD-10-CM: skipped ({e}).")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "glossary.db"
        try:
            with GlossaryStore(path) as store:
                t = time.perf_counter()
                n = icd10cm.load(store)
                load_s = time.perf_counter() - t
                size = path.stat().st_size / 2**20
                t = time.perf_counter()
                concepts = list(store.iter_concepts())
                Matcher(concepts)
                open_s = time.perf_counter() - t
        except Exception as e:  # noqa: BLE001 - a benchmark reports and goes on
            print(f"\nICD-10-CM: skipped ({type(e).__name__}: {e}).")
            return None
    print(f"\nICD-10-CM: loaded {n:,} concepts into a new glossary database in {load_s:.1f} s ({size:.0f} MB); "
          f"reading them back and building a matcher: {open_s:.1f} s", flush=True)
    return concepts, load_s, open_s


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--terms", type=int, default=100_000)
    ap.add_argument("--no-regex", action="store_true", help="skip the slow regex baseline")
    ap.add_argument("--no-icd", action="store_true", help="skip the ICD-10-CM glossary")
    ap.add_argument("--icd-regex", action="store_true", help="also time a regex of every ICD-10-CM form (slow)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--smoke", action="store_true", help="a quick run that only checks the script works (CI)")
    args = ap.parse_args()
    if args.smoke:
        global SECONDS
        SECONDS = 0.05
        args.terms, args.no_icd = min(args.terms, 2000), True
    rng = random.Random(args.seed)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f} at start")
    terms = synthetic_terms(args.terms, rng)
    concepts = [Concept(id=i + 1, terms=[every_mode(i, t)]) for i, t in enumerate(terms)]
    text = question([c.terms[0].text for c in concepts], rng)
    print(f"Question sample: {text[:80]!r}...")
    syn = bench("Synthetic", concepts, text, regex=not args.no_regex)
    del concepts

    if not args.no_icd:
        loaded = icd()
        if loaded:
            icd_concepts = loaded[0]
            icd_terms = [t.text for c in icd_concepts for t in c.terms]
            bench("ICD-10-CM", icd_concepts, question(icd_terms, rng), regex=args.icd_regex)

    per_k = 1000 / len(text)
    print(f"\nTargets at {args.terms:,} synthetic terms:")
    print(f"  p50 at most {TARGET_P50_US:.0f} µs per 1,000 characters: "
          f"the automaton {syn['rs'] * per_k:.0f} µs ({verdict(syn['rs'] * per_k <= TARGET_P50_US)}); "
          f"the whole detection {syn['detect'] * per_k:.0f} µs ({verdict(syn['detect'] * per_k <= TARGET_P50_US)})")
    print(f"  build at most {TARGET_BUILD_S:.1f} s: the automaton {syn['rs_build']:.2f} s "
          f"({verdict(syn['rs_build'] <= TARGET_BUILD_S)}); the Matcher {syn['build']:.2f} s "
          f"({verdict(syn['build'] <= TARGET_BUILD_S)})")
    if "regex" in syn:
        print(f"  at least {TARGET_VS_REGEX:.0f}x faster than the regex: {syn['regex'] / syn['detect']:.0f}x "
              f"({verdict(syn['regex'] / syn['detect'] >= TARGET_VS_REGEX)})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Load average {load:.1f} at the end.")


if __name__ == "__main__":
    main()
