"""The default model on this machine's CPU through every engine, in one run.

Rows, each the median of ``--runs`` answers to the same TermLens-style question (a system
prompt with injected glossary definitions), greedy, up to ``--tokens`` new tokens:

- ``transformers generate``: plain ``model.generate`` on the safetensors folder (the baseline);
- ``TermLens transformers``: ``generate.stream`` on the transformers engine;
- ``llama.cpp alone``: llama-cpp-python's own ``Llama.generate`` loop on the same prompt tokens,
  without TermLens (what TermLens's own work per token is measured against);
- ``TermLens llama.cpp``: ``generate.stream`` on the llama.cpp engine (what ``ask`` and the window use);
- ``ask (llama.cpp)``: the ``ask --json`` command as a person runs it (a new process each time);
- ``window (llama.cpp)``: the real window offscreen (``benchmarks/bench_gui_stream.py`` in a new
  process), the same system prompt and question typed into a new conversation each run, sent after
  a 1 s pause (the question is decoded while it is typed, so its first token is the next one);
  tokens/s as they reached the chat view;
- ``llama.cpp server``: llama.cpp's own OpenAI-compatible server (``llama_cpp.server``) on
  127.0.0.1 serving the same GGUF, streamed through TermLens's server backend.

Every row uses the chat's repetition penalty (``--penalty``, default the app's setting).
Prints decode tokens/s, time to first token and the ratio of tokens/s to the baseline.
Every wait is bounded: a row that fails or passes its time prints why and the run goes on;
``--limit`` seconds after the start, the whole run stops with every thread's stack printed.

    .venv/bin/python benchmarks/bench_engines.py [--runs 3] [--tokens 128] [--model DIR] [--rows ...]
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.engine import offline  # noqa: E402,F401

SYSTEM = ("You are TermLens, a careful assistant for professionals. Answer precisely and say when you are unsure.\n\n"
          "Glossary definitions for this question:\n"
          "- eGFR (estimated glomerular filtration rate): how much blood the kidneys filter per minute, estimated "
          "from serum creatinine, age and sex.\n"
          "- CKD-EPI equation: the formula most laboratories use to estimate eGFR from creatinine.\n")
QUESTION = "Explain what the CKD-EPI equation estimates and why doctors use eGFR."
MESSAGES = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTION}]


def _row(name: str, runs: list[tuple[float, float, int]], base: float | None) -> str:
    tok_s = statistics.median(r[0] for r in runs)
    ttft = statistics.median(r[1] for r in runs)
    n = statistics.median(r[2] for r in runs)
    ratio = f"{tok_s / base:5.2f}x" if base else "  1.00x"
    return f"{name:<26} {tok_s:>8.1f} {ttft * 1000:>10.0f} {n:>7.0f} {ratio:>8}"


def bench_hf_generate(folder: Path, runs: int, tokens: int, penalty: float) -> list[tuple[float, float, int]]:
    """Time to first token from a one-token ``generate``; tokens/s from a full one, less that time."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, dtype=torch.float32).eval()
    ids = tok.apply_chat_template(MESSAGES, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = []
    with torch.inference_mode():
        for _ in range(runs + 1):
            t0 = time.perf_counter()
            model.generate(**ids, max_new_tokens=1, do_sample=False)
            ttft = time.perf_counter() - t0
            t0 = time.perf_counter()
            seq = model.generate(**ids, max_new_tokens=tokens, do_sample=False, repetition_penalty=penalty)
            total = time.perf_counter() - t0
            n = int(seq.shape[1] - ids["input_ids"].shape[1])
            out.append(((n - 1) / max(total - ttft, 1e-9) if n > 1 else 0.0, ttft, n))
    return out[1:]  # the first run warms up


def bench_stream(lm, runs: int, tokens: int, penalty: float) -> list[tuple[float, float, int]]:
    from desktop.engine import generate

    settings = generate.GenerationSettings(max_new_tokens=tokens, repetition_penalty=penalty)
    out = []
    for _ in range(runs + 1):
        reset = getattr(lm.model, "llm", None)
        if reset is not None:
            reset.reset()  # every run decodes its whole prompt, as a new process's first question does
        g = generate.generate(lm, MESSAGES, settings=settings)
        out.append((g.stats.tok_s, g.stats.ttft_s, g.stats.new_tokens))
    return out[1:]


def llama_alone(lm, ids: list[int], tokens: int, penalty: float, eos=frozenset()) -> tuple[float, float, int]:
    """One answer of llama-cpp-python's own ``generate`` loop on ``ids`` from an empty cache, nothing
    else per token, up to ``tokens`` tokens or a token of ``eos``: (tokens/s, first token s, tokens)."""
    llm = lm.model.llm
    llm.reset()
    t0 = time.perf_counter()
    first, n = None, 0
    for token in llm.generate(ids, temp=0.0, top_k=0, min_p=0.0, top_p=1.0, repeat_penalty=penalty):
        first = first or time.perf_counter()
        if token in eos:
            break
        n += 1
        if n >= tokens:
            break
    end = time.perf_counter()
    return ((n - 1) / (end - first) if n > 1 else 0.0, first - t0, n)


def bench_llama_alone(lm, runs: int, tokens: int, penalty: float) -> list[tuple[float, float, int]]:
    """llama-cpp-python's ``generate`` loop on TermLens's prompt tokens, nothing else per token."""
    from desktop.engine import generate

    ids = generate.prepare(lm.tokenizer, MESSAGES, context_length=lm.context_length, max_new_tokens=tokens).input_ids
    eos = generate.eos_token_ids(lm)
    return [llama_alone(lm, ids, tokens, penalty, eos) for _ in range(runs + 1)][1:]


def bench_ask(runs: int, tokens: int, folder: Path, penalty: float) -> list[tuple[float, float, int]]:
    """``ask --json`` in a new process and a new data folder each time (the model linked into it)."""
    import tempfile

    out = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            (Path(home) / "models").mkdir()
            (Path(home) / "models" / folder.name).symlink_to(folder, target_is_directory=True)
            env = dict(os.environ, TERMLENS_HOME=home, TERMLENS_KEYRING="memory")
            proc = subprocess.run([sys.executable, "main.py", "ask", QUESTION, "--json", "--max-new-tokens",
                                   str(tokens), "--repetition-penalty", str(penalty)], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise SystemExit(f"ask failed: {proc.stderr[-1000:]}")
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        out.append((data["tok_s"], data["ttft_s"], data["new_tokens"]))
    return out


def bench_window(runs: int, tokens: int, folder: Path, penalty: float) -> list[tuple[float, float, int]]:
    """The window (offscreen, a new process and data folder) asked the same question in a new
    conversation each run; tokens/s reaching the chat view, the engine's time to first token."""
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        out = Path(home) / "window.json"
        env = dict(os.environ, TERMLENS_HOME=str(Path(home) / "data"), TERMLENS_KEYRING="memory",
                   QT_QPA_PLATFORM="offscreen")
        proc = subprocess.run([sys.executable, "benchmarks/bench_gui_stream.py", "--model", str(folder), "--rates", "",
                               "--tokens", str(tokens), "--answers", str(runs + 1), "--new-chat", "--typing-pause", "1",
                               "--system", SYSTEM, "--no-injection", "--penalty", str(penalty), "--question", QUESTION,
                               "--json", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise SystemExit(f"the window bench failed: {proc.stderr[-1000:]}")
        answers = json.loads(out.read_text(encoding="utf-8"))[1:]  # the first answer warms the window up
    return [(a["view_tok_s"], a["ttft_ms"] / 1e3, a["tokens"]) for a in answers]


ROWS = ("generate", "transformers", "alone", "llama", "ask", "window", "server")


def _print_row(name: str, measure, base: float | None) -> float | None:
    """Print one row, or why it has none; its median tokens/s."""
    try:
        runs = measure()
    except Exception as exc:  # noqa: BLE001 - one failed row must not cost the others
        print(f"{name:<26} failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", flush=True)
        return None
    print(_row(name, runs, base), flush=True)
    return statistics.median(r[0] for r in runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--penalty", type=float, help="repetition penalty of every row (default: the chat's setting)")
    ap.add_argument("--rows", default=",".join(ROWS), help=f"which rows, comma-separated: {', '.join(ROWS)}")
    ap.add_argument("--limit", type=float, default=900, help="seconds before the run stops with its stacks printed")
    ap.add_argument("--model", help="model folder with its GGUF (default: the installed default model)")
    args = ap.parse_args()
    faulthandler.dump_traceback_later(args.limit, exit=True)  # a hang shows where it is, then ends

    from desktop.engine import engines, models, server_backend
    from desktop.engine.fetch import GGUF_NAME
    from desktop.storage.config import Settings

    rows = set(args.rows.split(","))
    penalty = args.penalty if args.penalty is not None else float(Settings().repetition_penalty)
    folder = Path(args.model) if args.model else models.default_model_dir()
    gguf = folder / GGUF_NAME
    print(f"model: {folder.name}; {os.cpu_count()} CPU threads (load average {os.getloadavg()[0]:.1f} at the start: "
          f"other programs' use of the cores lowers every row); {args.runs} runs of up to {args.tokens} tokens, "
          f"greedy, repetition penalty {penalty:g}; medians")
    print(f"{'engine':<26} {'tok/s':>8} {'TTFT ms':>10} {'tokens':>7} {'vs base':>8}")
    base = None
    if "generate" in rows:
        base = _print_row("transformers generate", lambda: bench_hf_generate(folder, args.runs, args.tokens, penalty),
                          None)
    if "transformers" in rows:
        lm = models.load_model(folder, device="cpu")
        _print_row("TermLens transformers", lambda: bench_stream(lm, args.runs, args.tokens, penalty), base)
        models.unload(lm)
    if rows & {"alone", "llama"}:
        lm = engines.load(folder, device="cpu", engine="llama.cpp")
        if "alone" in rows:
            _print_row("llama.cpp alone", lambda: bench_llama_alone(lm, args.runs, args.tokens, penalty), base)
        if "llama" in rows:
            _print_row("TermLens llama.cpp", lambda: bench_stream(lm, args.runs, args.tokens, penalty), base)
        models.unload(lm)
    if "ask" in rows:
        _print_row("ask (llama.cpp)", lambda: bench_ask(args.runs, args.tokens, folder, penalty), base)
    if "window" in rows:
        _print_row("window (llama.cpp)", lambda: bench_window(args.runs, args.tokens, folder, penalty), base)
    if "server" in rows:
        sys.path.insert(0, str(ROOT / "tests" / "engine"))
        from llama_server import running_server

        with running_server(gguf, n_ctx=4096, stock=True) as server:  # as a person runs it
            lm = server_backend.connect(server_backend.ServerConfig(url=server.url, timeout_s=60))
            _print_row("llama.cpp server", lambda: bench_stream(lm, args.runs, args.tokens, penalty), base)
            models.unload(lm)
    faulthandler.cancel_dump_traceback_later()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
