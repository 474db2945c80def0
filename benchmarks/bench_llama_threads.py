"""How llama.cpp's OpenMP threads should wait, measured: decode speed of the default model on
the llama.cpp engine (``generate.stream``, greedy, the chat's repetition penalty) for each
waiting policy, on an idle machine and with ``--busy`` processes keeping the cores busy.

Each policy runs in a new process (libgomp reads its environment once, when it loads):
``PASSIVE`` (sleep at once), libgomp's default, ``GOMP_SPINCOUNT`` 10,000 and 100,000 (spin,
then sleep; TermLens sets 100,000), ``ACTIVE`` (spin until work comes), and one thread.

    .venv/bin/python benchmarks/bench_llama_threads.py [--busy 2] [--tokens 128] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICIES = {"PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"}, "libgomp default": {},
            "spin 10k": {"GOMP_SPINCOUNT": "10000"}, "spin 100k": {"GOMP_SPINCOUNT": "100000"},
            "ACTIVE": {"OMP_WAIT_POLICY": "ACTIVE"}, "1 thread": {"TERMLENS_BENCH_THREADS": "1"}}

CHILD = """
import os, statistics, sys
import llama_cpp  # loads libgomp with this process's environment, before TermLens sets its default
sys.path.insert(0, {root!r}); sys.path.insert(0, {root!r} + "/benchmarks")
from desktop.engine import engines, generate, llama_engine, models
from bench_engines import MESSAGES
if os.environ.get("TERMLENS_BENCH_THREADS"):
    llama_engine.threads = lambda: int(os.environ["TERMLENS_BENCH_THREADS"])
lm = engines.load(models.default_model_dir(), device="cpu", engine="llama.cpp")
rates = []
for _ in range({runs} + 1):
    lm.model.llm.reset()
    g = generate.generate(lm, MESSAGES, settings=generate.GenerationSettings(max_new_tokens={tokens}, repetition_penalty=1.2))
    rates.append(g.stats.tok_s)
print(f"{{statistics.median(rates[1:]):.1f}}")
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--busy", type=int, default=2, help="busy processes for the loaded column (default 2)")
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    code = CHILD.format(root=str(ROOT), runs=args.runs, tokens=args.tokens)
    print(f"decode tokens/s, medians of {args.runs}; {os.cpu_count()} CPU threads; load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    print(f"{'policy':<16} {'idle':>8} {f'{args.busy} busy':>8}")
    rows: dict[str, list[str]] = {name: [] for name in POLICIES}
    for busy in (0, args.busy):
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
        try:
            for name, extra in POLICIES.items():
                env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
                proc = subprocess.run([sys.executable, "-c", code], env={**env, **extra}, capture_output=True,
                                      text=True, timeout=300)
                rows[name].append(proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 else "failed")
        finally:
            for hog in hogs:
                hog.kill()
                hog.wait(10)
    for name, cells in rows.items():
        print(f"{name:<16} {cells[0]:>8} {cells[1]:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
