"""How long the fast path takes to get ready on a cold start and on the starts after it.

Run (on a GPU): ``python benchmarks/bench_warm_start.py [--starts 3] [--series 1] [--home DIR] [-- BENCH ARGS]``.

Each start is a fresh process running ``python -m desktop.engine.bench decode --json``
with the same ``TERMLENS_HOME`` (a new temporary folder unless ``--home`` names one), so
the first start compiles everything and the later ones find the compiled kernels in that
folder's ``cache/``, as the app's second start does. The first start also runs the plain
path (the baseline); the later ones skip it. Printed per start: the warm-up (compiling or
loading the kernels and capturing the CUDA graphs), graphs compiled, decode tokens/s, its
fraction of the bandwidth bound measured in the same process, time to first token,
recompiles across ten turns, and where the compile time went. Arguments after ``--`` go to
every start (``-- --weights int8``, ``-- --prompt 1024``). A script, not a test: it prints
figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_start(home: str, extra: list[str], *, plain: bool, timeout_s: float) -> dict:
    cmd = [sys.executable, "-m", "desktop.engine.bench", "decode", "--json", *([] if plain else ["--no-plain"]), *extra]
    env = dict(os.environ, TERMLENS_HOME=home)
    env.pop("TORCHINDUCTOR_CACHE_DIR", None)  # the app's own cache folder, as a user's start has it
    env.pop("TRITON_CACHE_DIR", None)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        raise SystemExit(f"start failed (exit {proc.returncode}):\n" + "\n".join(tail))
    r = json.loads(proc.stdout[proc.stdout.index("{"):])
    r["process_s"] = wall
    return r


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--starts", type=int, default=3, help="fresh processes, one after the other (default 3)")
    ap.add_argument("--home", help="data folder shared by the starts (default: a new temporary one: a cold start)")
    ap.add_argument("--no-plain", action="store_true", help="skip the plain path on the first start too")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed for one start (default 900)")
    ap.add_argument("--series", type=int, default=1,
                    help="independent series, each in a new data folder, to see how cold starts vary (default 1)")
    args = ap.parse_args(argv)
    if args.home and args.series > 1:
        ap.error("--series needs a new data folder for each series: leave out --home")
    for _ in range(max(1, args.series)):
        series(args, extra)
    return 0


def series(args: argparse.Namespace, extra: list[str]) -> None:
    home = args.home or tempfile.mkdtemp(prefix="termlens-warm-")
    print(f"data folder {home}; bench arguments: {' '.join(extra) or '(defaults)'}", flush=True)
    print(f"{'start':>5}  {'warm-up s':>9}  {'compiled':>8}  {'tok/s':>7}  {'bound':>6}  {'of bound':>8}  "
          f"{'TTFT ms':>7}  {'plain tok/s':>11}  {'recompiles':>10}  {'process s':>9}", flush=True)
    for n in range(1, args.starts + 1):
        r = one_start(home, extra, plain=(n == 1 and not args.no_plain), timeout_s=args.timeout)
        plain = f"{r['plain_tok_s']:.1f}" if "plain_tok_s" in r else ""
        print(f"{n:>5}  {r['warmup_s']:>9.1f}  {r['graphs_compiled_in_warmup']:>8}  {r['fast_tok_s']:>7.1f}  "
              f"{r['bound_tok_s']:>6.1f}  {100 * r['bound_fraction']:>7.0f}%  {r['fast_ttft_ms']:>7.1f}  {plain:>11}  "
              f"{r['recompiles_in_turns']:>10}  {r['process_s']:>9.1f}", flush=True)
        phases = ", ".join(f"{k} {v:.1f}" for k, v in (r.get("compile_times") or {}).items())
        print(f"       runs {', '.join(f'{x:.1f}' for x in r['fast_tok_s_runs'])} tok/s; by graph "
              f"{r.get('warmup_by_graph_s')}; prepare {r.get('prepare_s', 0):.1f} s; "
              f"{r.get('tuning_benchmarks', 0)} tuning benchmarks"
              + (f"; compile phases (s): {phases}" if phases else ""), flush=True)
        if r.get("step_tuning_changed") is not None:
            print(f"       step tuning: {r.get('step_tuning')}"
                  + (f" ({', '.join(r['step_tuning_changed'])})" if r["step_tuning_changed"] else ""), flush=True)


if __name__ == "__main__":
    sys.exit(main())
