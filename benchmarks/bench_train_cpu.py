"""Training the default model on a CPU: memory and speed, before and after the CPU settings.

    python benchmarks/bench_train_cpu.py [--pairs 96] [--steps 6] [--runs before,after] [--json FILE]

Builds ``--pairs`` question-answer pairs from the shipped law starter glossary (English, as
the Training data page makes them), loads the default model on the CPU (float32) and
trains a LoRA adapter with the app's defaults for ``--steps`` steps, once per run:

``before``  as the app trained until now: every answer token's logits at once;
``after``   as it trains today: the logits a chunk at a time (``train.loss.chunked_cross_entropy``).

Each run is a separate process (so memory is measured from a fresh start) and prints the
resident memory after loading, its peak while training (sampled every 50 ms), the memory
left after training, and training tokens per second. Knows nothing of Qt.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _pairs(n: int) -> list[dict]:
    from glossary.dataset import build_pairs
    from glossary.importer import STARTER_DIR, read
    from glossary.model import Concept

    concepts = [c for c in read(STARTER_DIR / "law.jsonl", "jsonl") if isinstance(c, Concept)]
    pairs = build_pairs(concepts, langs=("en",), per_concept=4)
    for p in pairs:
        p["status"] = "accepted"
    return pairs[:n]


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def one_run(kind: str, n_pairs: int, steps: int, model_dir: str) -> dict:
    import torch

    from desktop.engine import train as training
    from desktop.engine.models import load_model
    from desktop.engine.train import loss

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    pairs = _pairs(n_pairs)
    lm = load_model(model_dir, device="cpu", fast=False)
    loaded = _rss()
    peak = [loaded]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    config = training.TrainConfig(max_steps=steps, epochs=0)
    if kind == "before":
        loss.CE_CHUNK = 1 << 30  # every answer token's logits at once, as before
    t0 = time.perf_counter()
    result = training.train(lm, pairs, config=config, out_name=f"bench-cpu-{kind}", resume=False)
    wall = time.perf_counter() - t0
    done.set()
    import gc

    gc.collect()
    after = _rss()
    return {"run": kind, "pairs": n_pairs, "steps": result.steps, "tokens_per_s": round(result.tokens_per_s, 1),
            "time_s": round(wall, 1), "rss_loaded_gb": round(loaded / 1e9, 2), "rss_peak_gb": round(peak[0] / 1e9, 2),
            "rss_above_loaded_gb": round((peak[0] - loaded) / 1e9, 2), "rss_after_gb": round(after / 1e9, 2),
            "train_loss": result.train_loss}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=96)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--runs", default="before,after")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # a run inside its own process
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if args.one:
        import tempfile

        from desktop.engine.models import default_model_dir

        model_dir = str(default_model_dir())  # found before the data folder moves
        os.environ["TERMLENS_HOME"] = tempfile.mkdtemp(prefix="termlens-bench-")  # adapters go nowhere real
        print(json.dumps(one_run(args.one, args.pairs, args.steps, model_dir)), flush=True)
        return 0
    results = []
    for kind in args.runs.split(","):
        env = dict(os.environ)
        out = subprocess.run([sys.executable, __file__, "--one", kind, "--pairs", str(args.pairs), "--steps",
                              str(args.steps)], capture_output=True, text=True, env=env)
        line = next((x for x in reversed(out.stdout.splitlines()) if x.startswith("{")), None)
        if line is None:
            print(f"{kind}: failed\n{out.stderr[-2000:]}")
            continue
        r = json.loads(line)
        results.append(r)
        print(f"{kind:>6}: {r['tokens_per_s']:7.1f} tok/s over {r['steps']} steps; RSS {r['rss_loaded_gb']:.2f} GB "
              f"loaded, peak {r['rss_peak_gb']:.2f} GB (+{r['rss_above_loaded_gb']:.2f}), after {r['rss_after_gb']:.2f} GB",
              flush=True)
    if len(results) == 2 and results[0]["tokens_per_s"]:
        print(f"speed {results[1]['tokens_per_s'] / results[0]['tokens_per_s']:.2f}x; memory above the loaded model "
              f"{results[0]['rss_above_loaded_gb']:.2f} -> {results[1]['rss_above_loaded_gb']:.2f} GB")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
