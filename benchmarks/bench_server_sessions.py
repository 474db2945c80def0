"""N concurrent TermLens-style sessions against an OpenAI-compatible server.

Each session sends ``--turns`` questions in a row, each with a system prompt carrying
injected glossary definitions, streamed through TermLens's server backend (the path the
window and ``ask --server`` take). Prints, for 1..N sessions, tokens/s per session (median over
sessions of the session's tokens over its whole time, queueing included),
tokens/s in total (all tokens over the wall time) and time to first token p50 / p99.

Against llama.cpp's server on this machine (started here on 127.0.0.1, serving the default
model's GGUF; llama-cpp-python's server answers one request at a time, so sessions queue):

    .venv/bin/python benchmarks/bench_server_sessions.py --sessions 1,2,4 --turns 3

Against a department's vLLM server (see docs/server-admin.md):

    TERMLENS_SERVER_KEY=... .venv/bin/python benchmarks/bench_server_sessions.py \\
        --url http://gpu-server:8000/v1 --model Qwen2.5-7B-Instruct --sessions 1,8,32 --turns 3 --tokens 256

Every request goes to the one address given (or to 127.0.0.1); the loops are bounded by
``--sessions`` × ``--turns``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.engine import offline  # noqa: E402,F401
from desktop.engine import generate, models, server_backend  # noqa: E402 - imported once, before sessions are timed

SYSTEM = ("You are TermLens, a careful assistant for professionals.\n\nGlossary definitions for this question:\n"
          "- force majeure: a clause that frees both parties from liability when an extraordinary event beyond "
          "their control prevents them from fulfilling the contract.\n"
          "- eGFR: estimated glomerular filtration rate, how much blood the kidneys filter per minute.\n")
QUESTIONS = ["What does a force majeure clause do in a supply contract?",
             "How is eGFR used to stage chronic kidney disease?",
             "Explain the difference between a warranty and a condition in contract law."]


def session(url: str, model: str, turns: int, tokens: int, out: list, errors: list, start: threading.Event,
            rates: list) -> None:
    """One person's questions in a row; a failure is recorded, never left to end the thread silently.
    The time limit is per event (120 s): a session queued behind others waits for its first token."""
    try:
        lm = server_backend.connect(server_backend.ServerConfig(url=url, model=model, timeout_s=120,
                                                                api_key=os.environ.get("TERMLENS_SERVER_KEY", "")))
    except Exception as exc:  # noqa: BLE001
        errors.append(str(exc))
        return
    start.wait(60)
    t0, done = time.perf_counter(), 0
    try:
        for i in range(turns):
            msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTIONS[i % len(QUESTIONS)]}]
            g = generate.generate(lm, msgs, settings=generate.GenerationSettings(max_new_tokens=tokens))
            out.append((g.stats.new_tokens, g.stats.ttft_s, g.stats.tok_s))
            done += g.stats.new_tokens
        rates.append(done / (time.perf_counter() - t0))  # what this person saw: tokens over the session's time
    except Exception as exc:  # noqa: BLE001
        errors.append(str(exc))
    finally:
        models.unload(lm)


def run(url: str, model: str, n: int, turns: int, tokens: int, limit_s: float) -> str:
    results: list = []
    errors: list = []
    rates: list = []
    start = threading.Event()
    threads = [threading.Thread(target=session, args=(url, model, turns, tokens, results, errors, start, rates),
                                daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    t0 = time.perf_counter()
    start.set()
    deadline = t0 + limit_s
    for t in threads:
        t.join(max(0.0, deadline - time.perf_counter()))
    wall = time.perf_counter() - t0
    if errors or any(t.is_alive() for t in threads) or not results:
        late = sum(t.is_alive() for t in threads)
        return (f"{n:>8} failed: {len(results)} answers, {late} sessions still running after {limit_s:.0f} s; "
                f"{errors[0] if errors else ''}")
    ttfts = sorted(r[1] for r in results)
    p99 = ttfts[min(len(ttfts) - 1, int(round(0.99 * (len(ttfts) - 1))))]
    total = sum(r[0] for r in results)
    per = statistics.median(rates)
    return (f"{n:>8} {len(results):>9} {per:>14.1f} {total / wall:>12.1f} {statistics.median(ttfts) * 1000:>9.0f} "
            f"{p99 * 1000:>9.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="the server's API (default: start llama.cpp's server here on 127.0.0.1)")
    ap.add_argument("--model", default="", help="the served model (default: the server's first)")
    ap.add_argument("--sessions", default="1,2,4", help="comma-separated numbers of concurrent sessions")
    ap.add_argument("--turns", type=int, default=3, help="questions per session")
    ap.add_argument("--tokens", type=int, default=128, help="longest answer, in tokens")
    ap.add_argument("--limit", type=float, default=300, help="seconds each number of sessions may take")
    args = ap.parse_args()
    counts = [int(x) for x in args.sessions.split(",") if x.strip()]

    header = f"{'sessions':>8} {'answers':>9} {'tok/s/session':>14} {'tok/s total':>12} {'TTFT p50':>9} {'TTFT p99':>9}"
    if args.url:
        print(f"server: {args.url}")
        print(header)
        for n in counts:
            print(run(args.url, args.model, n, args.turns, args.tokens, args.limit), flush=True)
        return 0
    from desktop.engine.fetch import GGUF_NAME
    from desktop.engine.models import default_model_dir

    sys.path.insert(0, str(ROOT / "tests" / "engine"))
    from llama_server import running_server

    with running_server(default_model_dir() / GGUF_NAME, n_ctx=4096, stock=True) as server:
        print(f"llama.cpp server (llama-cpp-python) on {server.url}, default model, {os.cpu_count()} CPU threads, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(header)
        for n in counts:
            print(run(server.url, args.model, n, args.turns, args.tokens, args.limit), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
