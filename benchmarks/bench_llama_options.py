"""llama.cpp's options for the default model on this CPU: flash attention, and the size of the
pieces a prompt is decoded in.

Prints, for flash attention off and on, prompt tokens/s and decode tokens/s at three context
lengths (a new ``Llama`` each, the app's threads and batch); then prompt tokens/s when a
480-token prompt is decoded in one batch or in pieces of 128, 64, 32 and 16 tokens (what
``LlamaRuntime.prefill`` does, ``PREFILL_CHUNK``). Best of ``--runs`` for prompts, each run
printed for decoding. A script, not a test: it prints figures and asserts nothing.

    flock /tmp/termlens-heavy.lock .venv/bin/python benchmarks/bench_llama_options.py [--model DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.engine import llama_engine  # noqa: E402

TEXT = "The patient has atrial fibrillation and chronic kidney disease; eGFR fell below sixty. " * 200


def _llama(gguf: Path, *, flash: bool):
    Llama = llama_engine._import_llama().Llama  # noqa: SLF001 - with the app's thread settings
    return Llama(model_path=str(gguf), n_ctx=4096, n_threads=llama_engine.threads(), n_batch=512, verbose=False,
                 flash_attn=flash)


def main() -> int:
    from desktop.engine import models
    from desktop.engine.fetch import GGUF_NAME

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="model folder with its GGUF (default: the installed default model)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    folder = Path(args.model) if args.model else models.default_model_dir()
    gguf = llama_engine.find_gguf(folder) or folder / GGUF_NAME
    if not gguf.is_file():
        print(f"error: no GGUF model in {folder}", file=sys.stderr)
        return 1
    print(f"{gguf.name}, {llama_engine.threads()} threads")
    for flash in (False, True):
        llm = _llama(gguf, flash=flash)
        toks = llm.tokenize(TEXT.encode())
        cells = []
        for ctx in (50, 700, 1200):
            best = float("inf")
            for _ in range(args.runs):
                llm.reset()
                t = time.perf_counter()
                llm.eval(toks[:ctx])
                best = min(best, time.perf_counter() - t)
            rates = []
            for _ in range(args.runs):
                llm.reset()
                llm.eval(toks[:ctx])
                t = time.perf_counter()
                for i in range(64):
                    llm.eval([toks[ctx + i]])
                rates.append(64 / (time.perf_counter() - t))
            cells.append(f"context {ctx}: prompt {ctx / best:.0f}, decode {' '.join(f'{r:.1f}' for r in rates)}")
        print(f"flash attention {'on ' if flash else 'off'}: " + "; ".join(cells) + " (tokens/s)", flush=True)
        llm.close()
    llm = _llama(gguf, flash=True)
    toks = llm.tokenize(TEXT.encode())[:480]
    cells = []
    for piece in (512, 128, 64, 32, 16):
        best = float("inf")
        for _ in range(args.runs):
            llm.reset()
            t = time.perf_counter()
            for s in range(0, len(toks), piece):
                llm.eval(toks[s:s + piece])
            best = min(best, time.perf_counter() - t)
        cells.append(f"{'one batch' if piece >= len(toks) else f'pieces of {piece}'} {len(toks) / best:.0f}")
    print("480-token prompt, flash attention on: " + ", ".join(cells) + " tokens/s")
    llm.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
