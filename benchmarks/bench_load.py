"""Model load time: the embedded default model loaded in fresh processes, one after another.

Run: ``.venv/bin/python benchmarks/bench_load.py [--model DIR] [--runs 3]``.

Each run is a new Python process (as when the app starts) that imports the engine and
calls ``desktop.engine.models.load_model`` on the CPU; the script prints, per run, the
time ``load_model`` took (model and tokenizer, checks included), the time to the first
generated token after it, the time to import torch and transformers (which the app does
while its window opens), and the whole process's wall time. The first run reads the files from disk; later runs find them in the operating
system's file cache, which is what the second start of the app sees. Each process then
unloads the model and loads it again ("again"): the time a second load takes once
transformers' model code is imported. A script, not a test: it prints figures and
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import torch, transformers
from transformers import AutoModelForCausalLM, AutoTokenizer
from desktop.engine import models
from desktop.engine.generate import GenerationSettings, generate
t_import = time.perf_counter() - t0
t1 = time.perf_counter()
lm = models.load_model(sys.argv[1], device="cpu")
t_load = time.perf_counter() - t1
g = generate(lm, [{"role": "user", "content": "Hello"}], settings=GenerationSettings(max_new_tokens=1, temperature=0.0))
models.unload(lm)
t2 = time.perf_counter()
lm = models.load_model(sys.argv[1], device="cpu")
t_again = time.perf_counter() - t2
print(json.dumps({"import_s": t_import, "load_s": t_load, "ttft_s": g.stats.ttft_s, "again_s": t_again}))
"""


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from desktop import paths

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=str(paths.default_model_dir()), help="model folder (default: the embedded model)")
    ap.add_argument("--runs", type=int, default=3, help="fresh processes, one after another (default 3)")
    args = ap.parse_args(argv)
    if not (Path(args.model) / "config.json").is_file():
        print(f"error: no model at {args.model}; run `python main.py models fetch-default` first", file=sys.stderr)
        return 2
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    print(f"model {args.model}, {os.cpu_count()} CPU cores, python {sys.version.split()[0]}")
    print(f"{'run':>3}  {'load_model s':>12}  {'again s':>7}  {'first token s':>13}  {'imports s':>9}  {'process s':>9}")
    rows = []
    for i in range(args.runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _CHILD, args.model], env=env, cwd=ROOT, capture_output=True,
                             text=True, check=False)
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            print(out.stderr[-2000:], file=sys.stderr)
            return 1
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(f"{i + 1:>3}  {r['load_s']:>12.2f}  {r['again_s']:>7.2f}  {r['ttft_s'] or 0:>13.3f}  {r['import_s']:>9.2f}  "
              f"{wall:>9.2f}")
    print(f"first load in a fresh process: {rows[0]['load_s']:.2f} s; the same model loaded again in that process "
          f"(model manager, after an unload): {rows[0]['again_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
