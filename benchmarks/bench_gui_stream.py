"""Streaming into the window: does the GUI thread keep up, and does it stay responsive?

Run (headless): ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui_stream.py``
``[--rates 50,200,1000] [--tokens 1000] [--model DIR]``.

The real main window (sample glossary and conversations, nothing written to disk) asks a
question; the answer comes from the tests' fake engine (``tests/ui/fakes.py``) on the
model thread, which produces tokens at a fixed rate and hands them to the GUI the way the
real worker does (batched, about one signal per 16 ms frame). A 5 ms timer on the GUI thread records how late it fires:
its worst lateness is the longest the window was unresponsive while text streamed in
(Markdown rendering included). Printed per rate: tokens/s reaching the chat view
against the engine's rate, signals per second, the longest and the 99th-percentile
stall of the GUI thread.

``--model DIR`` also streams one answer from a real model through the real worker
(CUDA when present) and prints the engine's own tokens/s next to the rate at which text
reached the chat view. A script, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


ANSWER = ("The CKD-EPI equation estimates the **glomerular filtration rate** from serum creatinine, age and "
          "sex; a value below 60 mL/min/1.73 m² for three months defines chronic kidney disease.\n\n"
          "- stage G3a: 45–59\n- stage G3b: 30–44\n\n")
ONE_PARAGRAPH = "CKD-EPI estimates the **glomerular filtration rate** from serum creatinine. "


def _measure(win, app, question: str, *, timeout_s: float = 600.0) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer

    ticks: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer()
    timer.setInterval(5)
    signals: list[tuple[float, int]] = []
    done: dict = {}

    def tick() -> None:
        ticks.append(clock.nsecsElapsed() / 1e9)

    def delta(text: str) -> None:
        signals.append((time.perf_counter(), len(text)))

    def finished(message: dict) -> None:
        done["msg"] = message

    def failed(sentence: str) -> None:
        done["error"] = sentence

    timer.timeout.connect(tick)
    win.session.answer_delta.connect(delta)
    win.session.answer_finished.connect(finished)
    win.session.answer_failed.connect(failed)
    win.chat.input.setPlainText(question)
    timer.start()
    t0 = time.perf_counter()
    win.chat.send_btn.click()
    while "msg" not in done and "error" not in done and time.perf_counter() - t0 < timeout_s:
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    if "error" in done:
        raise SystemExit(f"generation failed: {done['error']}")
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    stalls = sorted(max(0.0, g - 0.005) for g in gaps) or [0.0]
    span = (signals[-1][0] - signals[0][0]) if len(signals) > 1 else 0.0
    stats = done["msg"].get("stats") or {}
    n = stats.get("new_tokens") or 0
    ttft = stats.get("ttft_s") or 0.0
    shown = (signals[-1][0] - t0 - ttft) if signals else 0.0  # from the first token to the last text shown
    return {"tokens": n, "engine_tok_s": stats.get("tok_s", 0.0),
            "view_tok_s": n / shown if shown > 0 else 0.0,
            "signals_per_s": (len(signals) - 1) / span if span > 0 else 0.0,
            "max_stall_ms": stalls[-1] * 1e3, "p99_stall_ms": stalls[int(0.99 * (len(stalls) - 1))] * 1e3,
            "median_tick_ms": statistics.median(gaps) * 1e3 if gaps else 0.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rates", default="50,200,1000", help="fake engine rates, tokens/s (default 50,200,1000)")
    ap.add_argument("--tokens", type=int, default=1000, help="tokens per answer (default 1000)")
    ap.add_argument("--model", help="also stream one answer from this model folder through the real worker")
    ap.add_argument("--one-paragraph", dest="answer", action="store_const", const=ONE_PARAGRAPH, default=ANSWER,
                    help="stream one long paragraph (the worst case: it is rendered again whole each frame)")
    args = ap.parse_args(argv)

    import tempfile

    os.environ.setdefault("TERMLENS_HOME", tempfile.mkdtemp(prefix="termlens-bench-"))
    from desktop.ui.app import make_app
    from desktop.ui.context import open_context
    from desktop.ui.main_window import MainWindow

    app = make_app()
    question = "What does CKD-EPI estimate?"
    print(f"{'engine tok/s':>12}  {'view tok/s':>10}  {'signals/s':>9}  {'max stall ms':>12}  {'p99 stall ms':>12}")
    for rate in [float(r) for r in args.rates.split(",") if r.strip()]:
        from tests.ui.fakes import FakeWorker

        ctx = open_context(model="fake-engine", sample=True, worker=FakeWorker(rate=rate, answer=args.answer))
        ctx.settings.max_new_tokens = args.tokens
        win = MainWindow(ctx)
        win.resize(1280, 800)
        win.show()
        loaded: list = []

        def on_loaded(info: dict, loaded=loaded) -> None:
            loaded.append(info)

        ctx.worker.loaded.connect(on_loaded)
        win.session.open(0)
        ctx.worker.request_load("fake-engine")
        while not loaded:
            app.processEvents()
            time.sleep(0.001)
        r = _measure(win, app, question)
        print(f"{rate:>12.0f}  {r['view_tok_s']:>10.1f}  {r['signals_per_s']:>9.1f}  {r['max_stall_ms']:>12.1f}  "
              f"{r['p99_stall_ms']:>12.1f}")
        win.close()
        app.processEvents()

    if args.model:
        ctx = open_context(model=args.model, sample=True)
        ctx.settings.max_new_tokens = args.tokens
        win = MainWindow(ctx)
        win.resize(1280, 800)
        win.show()
        info: list = []

        def on_model(result: dict) -> None:
            info.append(result)

        def on_model_failed(sentence: str) -> None:
            info.append({"error": sentence})

        ctx.worker.loaded.connect(on_model)
        ctx.worker.load_failed.connect(on_model_failed)
        win.start()
        while not info:
            app.processEvents()
            time.sleep(0.005)
        if "error" in info[0]:
            print(f"error: {info[0]['error']}", file=sys.stderr)
            return 1
        r = _measure(win, app, "Explain in detail what the CKD-EPI equation estimates and how it is used.")
        print(f"real model {info[0].get('name')} on {info[0].get('device')}: engine {r['engine_tok_s']:.1f} tok/s, "
              f"chat view {r['view_tok_s']:.1f} tok/s ({r['tokens']} tokens), max stall {r['max_stall_ms']:.1f} ms")
        win.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
