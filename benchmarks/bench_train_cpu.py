"""Training the default model on a CPU: memory and speed of today's code against the code
the issue measured, in the same run.

    flock /tmp/termlens-heavy.lock python benchmarks/bench_train_cpu.py [--pairs 96] [--steps 3]
        [--runs before,after] [--before REV] [--json FILE]

Builds ``--pairs`` question-answer pairs from the shipped law starter glossary (English, as
the Training data page makes them, all accepted), loads the default model on the CPU as
``main.py train`` does (transformers, float32) and runs the Training page's job
(``desktop.workers.lora_jobs.train_job``) with the app's default settings, for ``--steps``
steps (the default run of 96 pairs is 9 steps: 3 epochs of 3), once per run:

``before``  the code at ``--before`` (default: the commit before the CPU training work:
            every answer token's logits at once, 4 packed rows of 1,024 tokens forward and
            backward together, float32 arithmetic, nothing given back after), checked out
            into a temporary ``git worktree`` that is removed afterwards;
``after``   the code of this checkout.

Each run is its own process (memory measured from a fresh start) on the same pairs, and
prints the resident memory (RSS) after loading, its peak while training (sampled every
20 ms), the RSS right after the job returns (what the status bar's "in use" reads),
training tokens per second, and the speed ratio. Run it under the heavy-job lock so that
no other benchmark shares the CPU. Knows nothing of Qt.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "2c5313a"  # the last commit before the chunked loss, grouped steps and bfloat16 on a CPU


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


def one_run(kind: str, pairs_file: str, steps: int, model_dir: str) -> dict:
    """Load, train through the Training page's job, measure; in the process of ``kind``'s code."""
    import desktop
    from desktop.engine.models import load_model
    from desktop.workers import lora_jobs

    pairs = [json.loads(line) for line in Path(pairs_file).read_text(encoding="utf-8").splitlines()]
    lm = load_model(model_dir, device="cpu", fast=False)
    loaded = _rss()
    peak = [loaded]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()
    config = lora_jobs.train_defaults()
    config.update(max_steps=steps, epochs=0)
    first: list[float] = []
    t0 = time.perf_counter()
    job = lora_jobs.train_job(pairs, config=config, out_name=f"bench-cpu-{kind}", resume=False)
    result = job.fn(lm, on_progress=lambda p: first or first.append(time.perf_counter() - t0),
                    should_stop=lambda: False)
    wall = time.perf_counter() - t0
    after = _rss()  # no collection or trim here: what the app holds once the job has returned
    done.set()
    return {"run": kind, "code": str(Path(desktop.__file__).parents[1]), "pairs": len(pairs), "steps": result.steps,
            "tokens_per_s": round(result.tokens_per_s, 1), "time_s": round(wall, 1),
            "first_step_s": round(first[0], 1) if first else None, "train_loss": result.train_loss,
            "rss_loaded_gb": round(loaded / 1e9, 2), "rss_peak_gb": round(peak[0] / 1e9, 2),
            "rss_above_loaded_gb": round((peak[0] - loaded) / 1e9, 2), "rss_after_gb": round(after / 1e9, 2)}


def _worktree(rev: str) -> Path:
    where = Path(tempfile.mkdtemp(prefix="termlens-before-"))
    where.rmdir()
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(where), rev], check=True)
    return where


def _drop_worktree(where: Path) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], check=False)
    shutil.rmtree(where, ignore_errors=True)


def _child(kind: str, code: Path, pairs_file: str, steps: int, model_dir: str) -> dict | None:
    out = subprocess.run([sys.executable, __file__, "--one", kind, "--code", str(code), "--pairs-file", pairs_file,
                          "--steps", str(steps), "--model", model_dir], capture_output=True, text=True)
    line = next((x for x in reversed(out.stdout.splitlines()) if x.startswith("{")), None)
    if line is None:
        print(f"{kind}: failed\n{out.stderr[-3000:]}", flush=True)
        return None
    return json.loads(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=96)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--runs", default="before,after")
    ap.add_argument("--before", default=BEFORE, help="the commit whose code the 'before' run trains with")
    ap.add_argument("--json")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # a run inside its own process
    ap.add_argument("--code", help=argparse.SUPPRESS)
    ap.add_argument("--pairs-file", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        sys.path.insert(0, args.code)  # ahead of the editable install: this run's code
        os.environ["TERMLENS_HOME"] = tempfile.mkdtemp(prefix="termlens-bench-")  # adapters go nowhere real
        print(json.dumps(one_run(args.one, args.pairs_file, args.steps, args.model)), flush=True)
        return 0

    sys.path.insert(0, str(ROOT))
    from desktop.engine.models import default_model_dir

    model_dir = str(default_model_dir())
    pairs_file = Path(tempfile.mkdtemp(prefix="termlens-bench-pairs-")) / "pairs.jsonl"
    pairs_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in _pairs(args.pairs)),
                          encoding="utf-8")
    try:
        import psutil

        print(f"load average {os.getloadavg()[0]:.2f}, {psutil.cpu_count(logical=False)} cores, "
              f"{args.pairs} pairs, {args.steps} steps", flush=True)
    except Exception:  # noqa: BLE001 - informative only
        pass
    results = []
    for kind in args.runs.split(","):
        code = _worktree(args.before) if kind == "before" else ROOT
        try:
            r = _child(kind, code, str(pairs_file), args.steps, model_dir)
        finally:
            if kind == "before":
                _drop_worktree(code)
        if r is None:
            continue
        results.append(r)
        print(f"{kind:>6}: {r['tokens_per_s']:7.1f} tok/s over {r['steps']} steps (first step after "
              f"{r['first_step_s']} s); RSS {r['rss_loaded_gb']:.2f} GB loaded, peak {r['rss_peak_gb']:.2f} GB "
              f"(+{r['rss_above_loaded_gb']:.2f}), after training {r['rss_after_gb']:.2f} GB; "
              f"loss {r['train_loss']:.4f}", flush=True)
    shutil.rmtree(pairs_file.parent, ignore_errors=True)
    by = {r["run"]: r for r in results}
    if "before" in by and "after" in by and by["before"]["tokens_per_s"]:
        b, a = by["before"], by["after"]
        print(f"speed {a['tokens_per_s'] / b['tokens_per_s']:.2f}x; memory above the loaded model "
              f"{b['rss_above_loaded_gb']:.2f} -> {a['rss_above_loaded_gb']:.2f} GB; held after training "
              f"{b['rss_after_gb'] - b['rss_loaded_gb']:+.2f} -> {a['rss_after_gb'] - a['rss_loaded_gb']:+.2f} GB")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
