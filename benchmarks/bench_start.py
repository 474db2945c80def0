"""Unlock -> interactive window, with ICD-10-CM loaded: the window first, against the old start.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_start.py [--runs 2] [--home DIR]``

The script makes a data folder (a throwaway one unless ``--home`` names one to keep between
runs; an in-process keyring) with the starter glossaries and the whole of ICD-10-CM, then
starts the window in fresh processes, each on that folder with no backup yet (so the daily
backup is due, as on the first start of a day), alternating:

* ``before``: the start as it was: the database checked, the daily backup taken, the matcher
  built, then the window shown (all on the GUI thread);
* ``after``: the start now (``desktop.app``): the database checked, the window shown at once;
  the matcher index and the backup run in the background (``desktop.ui.startup``);
* ``unfrozen``: ``after`` as it was before the index's objects were frozen out of the garbage
  collector (``gc.freeze`` made a no-op in that process): the first collection after the build
  then walks every object of the index on whichever thread allocates next.

Printed per run, in seconds from the moment the key is in hand (unlock): ``interactive``
(the window shown and a zero-delay timer on the GUI thread has run: the window answers
input), for ``after`` and ``unfrozen`` also ``detection`` (the index attached: terms are
found) and ``backup`` (the backup written), the longest the GUI thread was late for a 10 ms
timer while those ran and up to 3 s after detection became available, and the garbage
collections that took longer than 20 ms (on which thread). Then the medians. A script, not a
test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _prepare(home: Path) -> dict:
    """The data folder: starters and ICD-10-CM, its key in the in-process keyring (a key file
    here, so that child processes can unlock it: the keyring lives in one process only)."""
    from desktop.storage import appdata, security
    from glossary import icd10cm
    from glossary.errors import GlossaryError

    km = security.KeyManager(home, backend=None)
    if km.status() == "new":
        km.create("bench passphrase")
    key = km.unlock("bench passphrase")
    store = appdata.open_glossary(key=key)
    try:
        if store.count() < 90_000:
            started = time.perf_counter()
            try:
                icd10cm.load(store)
            except GlossaryError as exc:  # the store refused a title (e.g. over its term length limit)
                print(f"icd10cm.load refused the code set ({exc}); loading it without the terms the store "
                      "refuses", file=sys.stderr)
                _load_icd_keeping_what_fits(store)
            print(f"ICD-10-CM loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        n = store.count()
    finally:
        store.close()
    return {"concepts": n, "db_mb": (home / "termlens.db").stat().st_size / 1e6}


def _load_icd_keeping_what_fits(store) -> None:  # noqa: ANN001
    """The whole code set, each concept without the terms longer than the store takes."""
    from itertools import islice

    from glossary import icd10cm
    from glossary.model import MAX_TERM_CHARS

    concepts = icd10cm.iter_concepts()
    dropped = 0
    with store.transaction():
        while chunk := list(islice(concepts, 2000)):
            for c in chunk:
                kept = [t for t in c.terms if len(t.text) <= MAX_TERM_CHARS]
                dropped += len(c.terms) - len(kept)
                c.terms = kept
            store.add_concepts([c for c in chunk if c.terms])
    print(f"{dropped} terms over {MAX_TERM_CHARS} characters left out", file=sys.stderr)


def _child(mode: str) -> dict:
    """One start in this process; ``TERMLENS_HOME`` and ``TERMLENS_PASSPHRASE`` are set."""
    import gc
    import threading

    if mode == "unfrozen":
        gc.freeze = lambda: None  # the start as it was: the index's objects left to the collector
    collections: list[tuple[float, str]] = []
    began: dict[str, float] = {}

    def on_gc(phase: str, _info: dict) -> None:
        if phase == "start":
            began["t"] = time.perf_counter()
        elif time.perf_counter() - began.get("t", time.perf_counter()) > 0.020:
            collections.append((time.perf_counter() - began["t"], threading.current_thread().name))

    gc.callbacks.append(on_gc)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.storage import appdata
    from desktop.ui.app import make_app
    from tests.ui.fakes import FakeWorker

    app = make_app()
    key = appdata.data_key(os.environ["TERMLENS_PASSPHRASE"], ask=False)  # unlocked: the clock starts
    t0 = time.perf_counter()
    out: dict = {"mode": mode}
    late = [0.0]
    tick = {"last": None}

    def on_tick() -> None:
        now = time.perf_counter()
        if tick["last"] is not None and now - tick["last"] - 0.010 > late[0]:
            late[0] = now - tick["last"] - 0.010
            out["stall_ended_at_s"] = now - t0
        tick["last"] = now

    from desktop.app import build_matcher_for, open_context

    if mode == "before":
        from desktop.ui.main_window import MainWindow

        appdata.prepare(key=key, exclusive=None, backup=True)  # check, then the daily backup, here
        ctx = open_context(model="fake-model", key=key, worker=FakeWorker(), build_matcher=True)
        window = MainWindow(ctx)
        window.show()
    else:
        from desktop.ui.startup import show_window

        ctx = open_context(model="fake-model", key=key, worker=FakeWorker(), build_matcher=False)
        window = show_window(ctx, build_matcher=lambda: build_matcher_for(ctx.store, ctx.settings))
    answered = []
    QTimer.singleShot(0, lambda: answered.append(time.perf_counter()))
    while not answered:
        app.processEvents()
    out["interactive_s"] = answered[0] - t0
    timer = QTimer()
    timer.timeout.connect(on_tick)
    timer.start(10)
    if mode != "before":
        startup = window.startup
        deadline = time.perf_counter() + 300
        while time.perf_counter() < deadline:
            app.processEvents()
            if ctx.matcher is not None and "detection_s" not in out:
                out["detection_s"] = time.perf_counter() - t0
            job = startup.backup_job
            if job is not None and job.done.is_set() and "backup_s" not in out:
                out["backup_s"] = time.perf_counter() - t0
                out["backup_made"] = job.result is not None
            if "detection_s" in out and "backup_s" in out and time.perf_counter() - t0 > out["detection_s"] + 3:
                break
            time.sleep(0.001)
        out["longest_gui_stall_ms"] = late[0] * 1000
        out["collections_over_20ms"] = [f"{s * 1000:.0f} ms on {name}" for s, name in collections]
        hits = ctx.matcher.detect("Anemia in chronic kidney disease, stage 3 (moderate) with atrial fibrillation")
        out["hits_after_ready"] = len(hits)
    timer.stop()
    window.close()
    QApplication.processEvents()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=2, help="starts of each kind (default 2)")
    ap.add_argument("--home", help="data folder to make (or reuse) instead of a throwaway one")
    ap.add_argument("--child", choices=["before", "unfrozen", "after"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child)))
        return 0
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="termlens-bench-start-"))
    env = dict(os.environ, TERMLENS_HOME=str(home), TERMLENS_KEYRING="none", TERMLENS_PASSPHRASE="bench passphrase",
               QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    os.environ.update(TERMLENS_HOME=str(home), TERMLENS_KEYRING="none")
    try:
        info = _prepare(home)
        print(f"data folder: {info['concepts']:,} concepts, termlens.db {info['db_mb']:.0f} MB")
        results: dict[str, list[dict]] = {"before": [], "unfrozen": [], "after": []}
        for run in range(args.runs):
            for mode in results:
                shutil.rmtree(home / "backups", ignore_errors=True)  # the daily backup is due
                proc = subprocess.run([sys.executable, __file__, "--child", mode], cwd=ROOT, env=env,
                                      capture_output=True, text=True, timeout=900)
                if proc.returncode != 0:
                    print(proc.stderr[-3000:], file=sys.stderr)
                    return 1
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                results[mode].append(r)
                extra = ""
                if mode != "before":
                    extra = (f"  detection {r['detection_s']:.2f} s ({r['hits_after_ready']} hits)"
                             f"  backup {r.get('backup_s', float('nan')):.2f} s"
                             f"  longest GUI stall {r['longest_gui_stall_ms']:.0f} ms"
                             f" (ended at {r.get('stall_ended_at_s', float('nan')):.2f} s)"
                             f"  collections > 20 ms: {', '.join(r['collections_over_20ms']) or 'none'}")
                print(f"run {run + 1} {mode:<8}  interactive {r['interactive_s']:.2f} s{extra}", flush=True)
        before = statistics.median(r["interactive_s"] for r in results["before"])
        after = statistics.median(r["interactive_s"] for r in results["after"])
        print(f"median unlock -> interactive: before {before:.2f} s, after {after:.2f} s ({before / after:.1f}x sooner)")
        stalls = {m: statistics.median(r["longest_gui_stall_ms"] for r in results[m]) for m in ("unfrozen", "after")}
        print(f"median longest GUI stall while the index and the backup are made: unfrozen {stalls['unfrozen']:.0f} ms, "
              f"after {stalls['after']:.0f} ms")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"load average {load:.1f} at the end")
    finally:
        if not args.home:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
