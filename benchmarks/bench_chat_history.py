"""Does a long conversation make each streamed frame slower?

Run (headless): ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_chat_history.py``
``[--history 0,4,8,16] [--words 600] [--frames 40]``.

The real chat view holds N earlier questions and answers of ``--words`` words each; a new
answer then streams in, 15 words a frame, and each frame's event processing (layout and
painting, where the window cannot answer the user) is timed. Printed per N: the median and
longest frame with the view's labels (``chat_bubble.TextLabel``, which remember their height)
and, as the baseline measured in the same run, with plain ``QLabel`` bodies. A script, not
a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def frame_times(app, history: int, words: int, frames: int, seed: int = 0) -> list[float]:
    from desktop.ui.chat_view import ChatView

    rnd = random.Random(seed)
    vocab = [f"w{i}" for i in range(2000)]

    def para(n: int) -> str:
        return " ".join(rnd.choice(vocab) for _ in range(n))

    view = ChatView()
    view.resize(1000, 700)
    view.show()
    messages = []
    for i in range(history):
        messages += [{"role": "user", "content": f"Question {i + 1}?"}, {"role": "assistant", "content": para(words)}]
    view.set_messages(messages)
    app.processEvents()
    view.begin_answer()
    times = []
    for _ in range(frames):
        view.append_delta(" " + para(15))
        view._flush()  # what the render timer does each frame
        t0 = time.perf_counter()
        app.processEvents()
        times.append(time.perf_counter() - t0)
    view.close()
    view.deleteLater()
    app.processEvents()
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--history", default="0,4,8,16", help="earlier answers in the conversation (default 0,4,8,16)")
    ap.add_argument("--words", type=int, default=600, help="words in each earlier answer (default 600)")
    ap.add_argument("--frames", type=int, default=40, help="frames streamed into the new answer (default 40)")
    args = ap.parse_args(argv)

    from PySide6.QtWidgets import QLabel

    from desktop.ui import chat_bubble
    from desktop.ui.app import make_app

    app = make_app()
    ours = chat_bubble.TextLabel
    print(f"{'earlier answers':>15}  {'QLabel median ms':>16}  {'max ms':>7}  {'TextLabel median ms':>19}  {'max ms':>7}  "
          f"{'median ratio':>12}", flush=True)
    for n in (int(x) for x in args.history.split(",") if x.strip()):
        chat_bubble.TextLabel = QLabel  # the baseline: labels that lay their text out at every ask
        try:
            base = frame_times(app, n, args.words, args.frames)
        finally:
            chat_bubble.TextLabel = ours
        new = frame_times(app, n, args.words, args.frames)
        bm, nm = statistics.median(base), statistics.median(new)
        print(f"{n:>15}  {1e3 * bm:>16.1f}  {1e3 * max(base):>7.1f}  {1e3 * nm:>19.1f}  {1e3 * max(new):>7.1f}  "
              f"{bm / nm:>11.1f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
