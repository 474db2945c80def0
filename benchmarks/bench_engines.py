"""The default model on this machine's CPU through every engine, in one run.

Rows, each the median of ``--runs`` answers to the same TermLens-style question (a system
prompt with injected glossary definitions), greedy, up to ``--tokens`` new tokens:

- ``transformers generate``: plain ``model.generate`` on the safetensors folder (the baseline);
- ``TermLens transformers``: ``generate.stream`` on the transformers engine;
- ``TermLens llama.cpp``: ``generate.stream`` on the llama.cpp engine (what ``ask`` and the window use);
- ``ask (llama.cpp)``: the ``ask --json`` command as a person runs it (a new process each time);
- ``llama.cpp server``: llama.cpp's own OpenAI-compatible server (``llama_cpp.server``) on
  127.0.0.1 serving the same GGUF, streamed through TermLens's server backend.

Prints decode tokens/s, time to first token and the ratio of tokens/s to the baseline.

    .venv/bin/python benchmarks/bench_engines.py [--runs 3] [--tokens 128] [--model DIR]
"""

from __future__ import annotations

import argparse
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


def bench_hf_generate(folder: Path, runs: int, tokens: int) -> list[tuple[float, float, int]]:
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
            seq = model.generate(**ids, max_new_tokens=tokens, do_sample=False)
            total = time.perf_counter() - t0
            n = int(seq.shape[1] - ids["input_ids"].shape[1])
            out.append(((n - 1) / max(total - ttft, 1e-9) if n > 1 else 0.0, ttft, n))
    return out[1:]  # the first run warms up


def bench_stream(lm, runs: int, tokens: int) -> list[tuple[float, float, int]]:
    from desktop.engine import generate

    settings = generate.GenerationSettings(max_new_tokens=tokens)
    out = []
    for _ in range(runs + 1):
        g = generate.generate(lm, MESSAGES, settings=settings)
        out.append((g.stats.tok_s, g.stats.ttft_s, g.stats.new_tokens))
    return out[1:]


def bench_ask(runs: int, tokens: int, folder: Path) -> list[tuple[float, float, int]]:
    """``ask --json`` in a new process and a new data folder each time (the model linked into it)."""
    import tempfile

    out = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            (Path(home) / "models").mkdir()
            (Path(home) / "models" / folder.name).symlink_to(folder, target_is_directory=True)
            env = dict(os.environ, TERMLENS_HOME=home, TERMLENS_KEYRING="memory")
            proc = subprocess.run([sys.executable, "main.py", "ask", QUESTION, "--json", "--max-new-tokens",
                                   str(tokens)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise SystemExit(f"ask failed: {proc.stderr[-1000:]}")
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        out.append((data["tok_s"], data["ttft_s"], data["new_tokens"]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--model", help="model folder with its GGUF (default: the installed default model)")
    args = ap.parse_args()

    from desktop.engine import engines, models, server_backend
    from desktop.engine.fetch import GGUF_NAME

    folder = Path(args.model) if args.model else models.default_model_dir()
    gguf = folder / GGUF_NAME
    print(f"model: {folder.name}; {os.cpu_count()} CPU threads (load average {os.getloadavg()[0]:.1f} at the start: "
          f"other programs' use of the cores lowers every row); {args.runs} runs of up to {args.tokens} tokens, "
          "greedy; medians")
    print(f"{'engine':<26} {'tok/s':>8} {'TTFT ms':>10} {'tokens':>7} {'vs base':>8}")
    base_runs = bench_hf_generate(folder, args.runs, args.tokens)
    base = statistics.median(r[0] for r in base_runs)
    print(_row("transformers generate", base_runs, None), flush=True)

    lm = models.load_model(folder, device="cpu")
    print(_row("TermLens transformers", bench_stream(lm, args.runs, args.tokens), base), flush=True)
    models.unload(lm)
    lm = engines.load(folder, device="cpu")
    print(_row("TermLens llama.cpp", bench_stream(lm, args.runs, args.tokens), base), flush=True)
    models.unload(lm)

    print(_row("ask (llama.cpp)", bench_ask(args.runs, args.tokens, folder), base), flush=True)

    sys.path.insert(0, str(ROOT / "tests" / "engine"))
    from llama_server import llama_server

    with llama_server(gguf, n_ctx=4096) as (url, _proc):
        lm = server_backend.connect(server_backend.ServerConfig(url=url))
        print(_row("llama.cpp server", bench_stream(lm, args.runs, args.tokens), base), flush=True)
        models.unload(lm)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
