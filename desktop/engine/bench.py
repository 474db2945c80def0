"""Decode benchmark: the plain and the fast path, on a model built from a config, in one run.

``run_decode_bench`` builds a model of a known shape with random weights directly on
the device (no download, nothing read from disk), then measures, in the same process:
the device-to-device copy bandwidth (the bound: weight bytes per token over it), the
plain path, the fast path's warm-up, its time to first token and tokens per second,
peak memory, greedy agreement between the two paths, that an in-place weight change
reaches the captured graphs, and that ten turns of different lengths compile nothing.
On a CPU it runs the tiny shape (the fast path then runs eagerly), so it can be tested
anywhere. Knows nothing of Qt; prints through the ``emit`` callback.

``python -m desktop.engine.bench decode ...`` runs it without ``main.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any, Callable

from desktop.engine import offline as _offline  # noqa: F401
from desktop.engine import quant

SHAPES: dict[str, dict[str, Any]] = {
    # Qwen2.5-7B-Instruct's config.json (7.616B parameters)
    "qwen2.5-7b": dict(vocab_size=152064, hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
                       num_attention_heads=28, num_key_value_heads=4, max_position_embeddings=32768,
                       rms_norm_eps=1e-6, tie_word_embeddings=False, hidden_act="silu", use_sliding_window=False,
                       rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}),
    "tiny": dict(vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=4096, rms_norm_eps=1e-6, tie_word_embeddings=True,
                 hidden_act="silu", use_sliding_window=False,
                 rope_parameters={"rope_type": "default", "rope_theta": 10000.0}),
}


def add_decode_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--shape", choices=sorted(SHAPES), help="model shape (default: qwen2.5-7b on a GPU, tiny on a CPU)")
    p.add_argument("--prompt", type=int, default=512, help="prompt length in tokens (default 512)")
    p.add_argument("--new", type=int, default=256, help="tokens to generate (default 256)")
    p.add_argument("--cap", type=int, default=None, help="fast path cache length (default 8192)")
    p.add_argument("--turns", type=int, default=10, help="turns of different lengths for the recompile check")
    p.add_argument("--repeat", type=int, default=3, help="timed fast-path runs (the median is reported)")
    p.add_argument("--no-plain", action="store_true", help="skip the plain path (no agreement check)")
    p.add_argument("--device", help="cuda or cpu (default: cuda when present)")
    p.add_argument("--dtype", choices=("bfloat16", "float16", "float32"),
                   help="weight type (default: bfloat16 on a GPU, float32 on a CPU)")
    p.add_argument("--weights", choices=quant.WEIGHT_MODES, default="full",
                   help="int8: linear layers quantised to 8 bits (torchao), as the app's 8-bit mode loads them")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--profile-kernels", action="store_true",
                   help="after the timed runs, list the GPU kernels of one answer and of one prefill (torch.profiler)")
    p.add_argument("--speculate", action="store_true",
                   help="measure prompt-lookup drafting: tokens/s with it off and on, and one verify pass of k+1 "
                        "positions against one step (k = 2..8); with --real, on a real model instead")
    p.add_argument("--verify-ks", default="2,3,4,5,6,7,8",
                   help="with --speculate: the draft lengths k whose verify pass is timed (default 2..8)")
    p.add_argument("--real", action="store_true",
                   help="with --speculate: a real model (the default one, or --model) on a rewriting task and "
                        "ordinary questions, drafting off and on")
    p.add_argument("--model", help="with --real: a model folder (default: the embedded default model)")
    p.add_argument("--penalty", type=float, default=None,
                   help="with --real: repetition penalty (default: the chat's; 1.0 is plain greedy decoding)")
    p.add_argument("--profile-warmup", metavar="FILE",
                   help="profile the fast path's warm-up (cProfile) into FILE and print where its time went")


def build_model(shape: str, *, device: str, dtype=None, seed: int = 0):
    """A causal LM of ``shape`` with random weights, made directly on ``device``."""
    import torch
    from transformers import AutoModelForCausalLM, Qwen2Config

    dtype = dtype or (torch.bfloat16 if device.startswith("cuda") else torch.float32)
    cfg = Qwen2Config(**SHAPES[shape])
    torch.manual_seed(seed)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(cfg, dtype=dtype)
    model.eval()
    if shape == "tiny":
        # the default init makes a tiny model repeat its input; larger weights give varied greedy answers
        with torch.no_grad():
            for p in model.parameters():
                if p.dim() == 2:
                    p.normal_(0.0, 1.5 / p.shape[1] ** 0.5)
    return model


def copy_bandwidth(device: str, nbytes: int | None = None) -> float:
    """Bytes per second a device-to-device copy moves, counting bytes read plus bytes written."""
    import torch

    cuda = device.startswith("cuda")
    nbytes = nbytes or ((1 << 30) if cuda else (64 << 20))
    src = torch.randint(0, 255, (nbytes,), dtype=torch.uint8, device=device)
    dst = torch.empty_like(src)
    times = []
    for i in range(13):
        if cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            dst.copy_(src)
            end.record()
            end.synchronize()
            dt = start.elapsed_time(end) / 1e3
        else:
            t0 = time.perf_counter()
            dst.copy_(src)
            dt = time.perf_counter() - t0
        if i >= 3:
            times.append(dt)
    return 2 * nbytes / statistics.median(times)


def timed_decode(decoder, prompt: list[int], *, settings) -> dict[str, Any]:
    """Run one decode to the end: tokens, time to first token, tokens per second after the first."""
    t0 = time.perf_counter()
    stamps, tokens = [], []
    for tok in decoder.decode(prompt, settings=settings, eos_ids=set(), should_stop=lambda: False):
        stamps.append(time.perf_counter())
        tokens.append(tok)
    n = len(tokens)
    tok_s = (n - 1) / (stamps[-1] - stamps[0]) if n > 1 and stamps[-1] > stamps[0] else 0.0
    return {"tokens": tokens, "ttft_s": stamps[0] - t0 if stamps else 0.0, "tok_s": tok_s}


def _first_divergence(a: list[int], b: list[int]) -> int | None:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def _top2_gap(model, ids: list[int], device: str) -> float:
    """The plain model's margin between its two best next tokens after ``ids`` (how close to a tie)."""
    import torch

    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([ids], device=device), logits_to_keep=1).logits[0, -1].float()
    top = torch.topk(logits, 2).values
    return float(top[0] - top[1])


def run_decode_bench(*, shape: str | None = None, prompt: int = 512, new: int = 256, cap: int | None = None,
                     turns: int = 10, repeat: int = 3, plain: bool = True, device: str | None = None,
                     dtype: str | None = None, weights: str = "full", profile_warmup: str | None = None,
                     profile_kernels: bool = False, speculate: bool = False, verify_ks: str = "2,3,4,5,6,7,8",
                     emit: Callable[[str], None] = print) -> dict[str, Any]:
    import torch

    from desktop.engine import fastgen
    from desktop.engine.generate import GenerationSettings, PlainDecoder

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    cuda = device.startswith("cuda")
    shape = shape or ("qwen2.5-7b" if cuda else "tiny")
    if shape != "tiny" and not cuda:
        raise SystemExit(f"the {shape} shape needs a CUDA GPU; use --shape tiny on a CPU")
    r: dict[str, Any] = {"shape": shape, "device": torch.cuda.get_device_name() if cuda else "cpu",
                         "torch": torch.__version__, "prompt": prompt, "new": new, "weights": weights}
    import transformers

    r["transformers"] = transformers.__version__
    if not cuda:
        torch.set_num_threads(1)  # tiny matrices: threads only add overhead
    t0 = time.perf_counter()
    model = build_model(shape, device=device, dtype=getattr(torch, dtype) if dtype else None)
    quant.quantize_model(model, weights)
    if cuda:
        torch.cuda.synchronize()
    r["build_s"] = time.perf_counter() - t0
    weight_bytes = quant.weight_bytes(model)
    r["params"] = sum(p.numel() for p in model.parameters())
    r["weight_gb"] = weight_bytes / 1e9
    emit(f"model {shape}: {r['params'] / 1e9:.3f}B parameters, {r['weight_gb']:.2f} GB"
         + (" (8-bit linear layers)" if weights == "int8" else "") + f", built in {r['build_s']:.1f} s "
         f"on {r['device']} (torch {torch.__version__}, transformers {transformers.__version__})")
    bw = copy_bandwidth(device)
    r["copy_tb_s"] = bw / 1e12
    r["bound_tok_s"] = bw / weight_bytes
    emit(f"copy bandwidth {bw / 1e12:.2f} TB/s -> bound {r['bound_tok_s']:.1f} tok/s ({r['weight_gb']:.2f} GB/token)")

    vocab = model.config.vocab_size
    gen = torch.Generator().manual_seed(1234)

    def ids(n: int) -> list[int]:
        return torch.randint(0, vocab, (n,), generator=gen).tolist()

    prompt_ids = ids(prompt)
    greedy = GenerationSettings(max_new_tokens=new, temperature=0.0)

    if plain:
        pd = PlainDecoder(model, device)
        timed_decode(pd, prompt_ids[:32], settings=GenerationSettings(max_new_tokens=4, temperature=0.0))
        res = timed_decode(pd, prompt_ids, settings=greedy)
        r["plain_tok_s"], r["plain_ttft_ms"] = res["tok_s"], res["ttft_s"] * 1e3
        plain_tokens = res["tokens"]
        emit(f"plain: {res['tok_s']:.1f} tok/s, first token {res['ttft_s'] * 1e3:.0f} ms")

    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    compiled_before = fastgen.recompile_count()
    cache_dir = None
    t0 = time.perf_counter()
    fd = fastgen.FastDecoder(model, device=device, max_len=cap)
    r["prepare_s"] = time.perf_counter() - t0  # fused weights, cache, compile wrappers
    if profile_warmup:
        import cProfile

        with cProfile.Profile() as prof:
            fd.warm_up()
        prof.dump_stats(profile_warmup)
    else:
        fd.warm_up()
    r["warmup_s"] = time.perf_counter() - t0
    r["compile_times"], r["tuning_benchmarks"] = _compile_stats()
    r["graphs_compiled_in_warmup"] = fastgen.recompile_count() - compiled_before
    r["graphs_captured"] = len(fd._graphs)
    r["warmup_by_graph_s"] = fd.warm_phases
    r["step_tuning"] = fd.step_choice.summary()
    r["step_tuning_changed"] = list(fd.step_choice.changed)
    r["cache_len"], r["windows"] = fd.max_len, fd.windows
    if cuda:
        import os

        cache_dir = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    r["compile_cache_dir"] = cache_dir
    if r["compile_times"]:
        emit("compile time by phase (s): " + ", ".join(f"{k} {v:.2f}" for k, v in r["compile_times"].items()))
    if profile_warmup:
        import io
        import pstats

        out = io.StringIO()
        pstats.Stats(profile_warmup, stream=out).sort_stats("cumulative").print_stats(30)
        emit(out.getvalue())
    emit(f"fast: warm-up {r['warmup_s']:.1f} s ({r['graphs_compiled_in_warmup']} graphs compiled, "
         f"{r['graphs_captured']} captured; cache {fd.max_len} positions, windows {fd.windows})"
         + (f"; by graph {fd.warm_phases}" if fd.warm_phases else ""))
    if fd.step_choice.tried or fd.step_choice.failed:
        emit(f"kernel settings chosen by timing the step: {r['step_tuning']} ({', '.join(fd.step_choice.changed) or 'none'})")

    runs = [timed_decode(fd, prompt_ids, settings=greedy) for _ in range(max(1, repeat))]
    fast_tokens = runs[0]["tokens"]
    r["fast_tok_s"] = statistics.median(x["tok_s"] for x in runs)
    r["fast_tok_s_runs"] = [x["tok_s"] for x in runs]
    one = GenerationSettings(max_new_tokens=1, temperature=0.0)
    r["fast_ttft_ms"] = statistics.median(timed_decode(fd, prompt_ids, settings=one)["ttft_s"] for _ in range(5)) * 1e3
    r["bound_fraction"] = r["fast_tok_s"] / r["bound_tok_s"]
    if cuda:
        torch.cuda.synchronize()
        r["peak_gb"] = torch.cuda.max_memory_allocated() / 1e9
    emit(f"fast: {r['fast_tok_s']:.1f} tok/s (runs {', '.join(f'{x:.1f}' for x in r['fast_tok_s_runs'])}), "
         f"first token {r['fast_ttft_ms']:.1f} ms for {prompt} prompt tokens, "
         f"{100 * r['bound_fraction']:.0f}% of the bound" + (f", peak memory {r['peak_gb']:.2f} GB" if cuda else ""))

    if profile_kernels and cuda:
        r["kernel_profile"] = _kernel_profile(fd, prompt_ids, emit)
    if speculate:
        r["speculate"] = _drafting(fd, prompt_ids, greedy, repeat, emit, [int(k) for k in verify_ks.split(",")])

    if plain:
        div = _first_divergence(plain_tokens, fast_tokens)
        r["greedy_same_tokens"] = len(plain_tokens) if div is None else div
        r["greedy_identical"] = div is None
        if div is not None and div < len(plain_tokens):
            r["gap_at_divergence"] = _top2_gap(model, prompt_ids + plain_tokens[:div], device)
        emit("greedy agreement: " + ("identical, " if div is None else "") +
             f"{r['greedy_same_tokens']}/{len(plain_tokens)} tokens the same"
             + (f" (plain path's top-2 logit gap at the first difference: {r['gap_at_divergence']:.4f})"
                if "gap_at_divergence" in r else ""))

    # ten turns of different lengths, greedy and sampled: nothing may compile
    before = fastgen.recompile_count()
    lengths = [37, 512, 5, 1200, 250, 64, 999, 17, 300, 2047]
    made = 0
    for i in range(turns):
        n_new = 8 + 5 * i
        n = max(1, min(lengths[i % len(lengths)], fd.max_len - n_new))
        s = (GenerationSettings(max_new_tokens=n_new, temperature=0.0) if i % 2 == 0 else
             GenerationSettings(max_new_tokens=n_new, temperature=0.7, top_p=0.9, seed=i))
        made += len(list(fd.decode(ids(n), settings=s, eos_ids=set(), should_stop=lambda: False)))
    r["recompiles_in_turns"] = fastgen.recompile_count() - before
    r["turn_tokens"] = made
    emit(f"{turns} turns of different lengths ({made} tokens): {r['recompiles_in_turns']} recompiles")

    # an in-place weight change (as a merged adapter makes) must reach the captured graphs
    short = prompt_ids[:64]
    few = GenerationSettings(max_new_tokens=16, temperature=0.0)
    before_tokens = timed_decode(fd, short, settings=few)["tokens"]
    layers = model.model.layers[: min(4, len(model.model.layers))]

    def values(w):
        return w.dequantize() if quant.is_quantized(w) else w.detach()

    saved = [(quant.snapshot(layer.mlp.down_proj.weight), quant.snapshot(layer.self_attn.q_proj.weight))
             for layer in layers]
    with torch.no_grad():
        for i, layer in enumerate(layers):
            w = layer.mlp.down_proj.weight
            fd.merge_delta(i, "down_proj", torch.randn(w.shape, device=w.device, dtype=w.dtype) * 0.1)
            fd.merge_delta(i, "q_proj", -0.5 * values(layer.self_attn.q_proj.weight))  # through the fused view
    after_tokens = timed_decode(fd, short, settings=few)["tokens"]
    r["inplace_change_seen"] = after_tokens != before_tokens
    if plain:
        r["inplace_plain_agrees"] = timed_decode(PlainDecoder(model, device), short, settings=few)["tokens"] == after_tokens
    with torch.no_grad():
        for layer, (down, q) in zip(layers, saved):
            quant.restore(layer.mlp.down_proj.weight, down)
            quant.restore(layer.self_attn.q_proj.weight, q)
    emit(f"in-place weight change seen by the fast path: {r['inplace_change_seen']}"
         + (f"; plain path gives the same tokens: {r['inplace_plain_agrees']}" if plain else ""))

    # a LoRA adapter (r=16, alpha=32, q/k/v/o in every layer) merged into the weights, as
    # switching adapters does: how long the switch takes, and the speed with it applied
    r16 = 16
    deltas = []
    with torch.no_grad():
        for i, layer in enumerate(model.model.layers):
            for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
                w = getattr(layer.self_attn, name).weight
                a = torch.randn(r16, w.shape[1], device=w.device, dtype=torch.float32) * 0.01
                b = torch.randn(w.shape[0], r16, device=w.device, dtype=torch.float32) * 0.01
                deltas.append((i, name, a, b))
        if cuda:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i, name, a, b in deltas:
            fd.merge_delta(i, name, (b @ a) * (32 / r16))
        if cuda:
            torch.cuda.synchronize()
        r["adapter_switch_s"] = time.perf_counter() - t0
        r["fast_tok_s_with_adapter"] = timed_decode(fd, prompt_ids, settings=greedy)["tok_s"]
        for i, name, a, b in deltas:
            fd.merge_delta(i, name, -(b @ a) * (32 / r16))
    emit(f"adapter (r16, q/k/v/o, {len(deltas)} matrices) merged in {r['adapter_switch_s']:.2f} s; "
         f"with it: {r['fast_tok_s_with_adapter']:.1f} tok/s")
    return r


def _drafting(fd, prompt_ids: list[int], settings, repeat: int, emit: Callable[[str], None],
              ks: list[int]) -> dict[str, Any]:
    """Drafting off against on, on this (random) model, and the verify pass's cost against one step."""
    from desktop.engine import spec_bench

    out: dict[str, Any] = {}
    for drafting in (False, True):
        fd.speculate = drafting
        runs = [timed_decode(fd, prompt_ids, settings=settings) for _ in range(max(1, repeat))]
        out["on" if drafting else "off"] = {"tok_s": statistics.median(x["tok_s"] for x in runs),
                                            "tokens": runs[0]["tokens"],
                                            "stats": fd.spec_stats.as_dict() if fd.spec_stats else None}
    out["identical"] = out["on"].pop("tokens") == out["off"].pop("tokens")
    out["ratio"] = out["on"]["tok_s"] / out["off"]["tok_s"] if out["off"]["tok_s"] else 0.0
    emit(f"drafting off {out['off']['tok_s']:.1f} -> on {out['on']['tok_s']:.1f} tok/s ({out['ratio']:.3f}x; random "
         f"weights rarely copy, so this is the cost when drafts fail: {out['on']['stats']}); identical: {out['identical']}")
    out["verify_cost"] = spec_bench.verify_cost(fd, ks=ks, emit=emit)
    return out


def _kernel_profile(fd, prompt_ids: list[int], emit: Callable[[str], None]) -> dict[str, Any]:
    """GPU kernel time of one prefill, and of 64 decoded tokens, against the wall-clock time they took.

    Every answer starts with its prompt pass, so the decode figures are an answer of 65
    tokens less an answer of one (kernel by kernel): the prompt is not spread over the tokens.
    """
    import torch
    from torch.profiler import ProfilerActivity, profile

    from desktop.engine.generate import GenerationSettings

    def kernels(settings) -> tuple[dict[str, tuple[float, int]], dict[str, Any]]:
        timed_decode(fd, prompt_ids, settings=settings)  # settle clocks and caches
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            res = timed_decode(fd, prompt_ids, settings=settings)
            torch.cuda.synchronize()
        return {e.key: (e.self_device_time_total, e.count) for e in prof.key_averages()
                if e.device_type == torch.autograd.DeviceType.CUDA and getattr(e, "self_device_time_total", 0) > 0}, res

    prefill, pre = kernels(GenerationSettings(max_new_tokens=1, temperature=0.0))
    answer, res = kernels(GenerationSettings(max_new_tokens=65, temperature=0.0))
    decode = {k: (us - prefill.get(k, (0.0, 0))[0], n - prefill.get(k, (0.0, 0))[1]) for k, (us, n) in answer.items()}
    out: dict[str, Any] = {}
    for what, table, n, wall_us in (("decode", decode, 64, 1e6 / res["tok_s"] if res["tok_s"] else 0.0),
                                    ("prefill", prefill, 1, pre["ttft_s"] * 1e6)):
        rows = sorted(((k, us / n, count // n or count) for k, (us, count) in table.items() if us > 0),
                      key=lambda row: -row[1])
        total_us = sum(us for _k, us, _c in rows)
        out[what] = {"kernel_us_per_token": total_us, "wall_us_per_token": wall_us,
                     "top": [(k[:90], us, count) for k, us, count in rows[:15]]}
        emit(f"{what}: GPU kernels {total_us:.0f} us per token against {wall_us:.0f} us wall "
             f"({100 * total_us / max(wall_us, 1e-9):.0f}% busy); top kernels (us per token, launches):")
        for name, us, count in out[what]["top"]:
            emit(f"  {us:9.1f}  {count:5}  {name}")
    return out


def _compile_stats() -> tuple[dict[str, float], int]:
    """Seconds spent so far in each compile phase (Dynamo's own accounting, the largest first),
    and how many kernel configurations were timed while tuning."""
    try:
        from torch._dynamo.utils import compilation_time_metrics, counters

        totals = {str(k): float(sum(v)) for k, v in compilation_time_metrics.items()}
        tuned = int(counters["inductor"]["coordesc_tuning_bench"])
    except Exception:  # noqa: BLE001 - a diagnostic only; its API moves between torch versions
        return {}, 0
    return dict(sorted(totals.items(), key=lambda kv: -kv[1])[:8]), tuned


def _summary(r: dict[str, Any]) -> str:
    rows = [("plain tok/s", r.get("plain_tok_s")), ("fast tok/s", r.get("fast_tok_s")),
            ("bound tok/s", r.get("bound_tok_s")), ("fraction of bound", r.get("bound_fraction")),
            ("fast TTFT ms", r.get("fast_ttft_ms")), ("plain TTFT ms", r.get("plain_ttft_ms")),
            ("warm-up s", r.get("warmup_s")), ("peak GB", r.get("peak_gb")),
            ("recompiles in turns", r.get("recompiles_in_turns")), ("greedy same tokens", r.get("greedy_same_tokens"))]
    width = max(len(k) for k, _ in rows)
    lines = []
    for k, v in rows:
        if v is None:
            continue
        lines.append(f"{k:<{width}}  {v:.3f}" if isinstance(v, float) else f"{k:<{width}}  {v}")
    return "\n".join(lines)


def main_decode(args: argparse.Namespace) -> int:
    emit = (lambda _s: None) if args.json else (lambda s: print(s, flush=True))
    if getattr(args, "real", False):
        from desktop.engine import spec_bench

        r = spec_bench.run_real(timed_decode=timed_decode, model=args.model, device=args.device, new=args.new,
                                repeat=args.repeat, penalty=args.penalty, emit=emit)
        print(json.dumps(r, indent=2) if args.json else
              f"rewrite speed-up {r['rewrite_speedup']:.2f}x; ordinary questions {r['questions_speedup_min']:.2f}x "
              f"(lowest), {r['questions_speedup_median']:.2f}x (median)", flush=True)
        return 0
    r = run_decode_bench(shape=args.shape, prompt=args.prompt, new=args.new, cap=args.cap, turns=args.turns,
                         repeat=args.repeat, plain=not args.no_plain, device=args.device, dtype=args.dtype,
                         weights=args.weights, profile_warmup=args.profile_warmup, profile_kernels=args.profile_kernels,
                         speculate=getattr(args, "speculate", False), verify_ks=args.verify_ks, emit=emit)
    print(json.dumps(r, indent=2) if args.json else _summary(r), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.engine.bench")
    sub = parser.add_subparsers(dest="bench_what", required=True)
    add_decode_arguments(sub.add_parser("decode", help="tokens per second of the plain and the fast path"))
    args = parser.parse_args(argv)
    from desktop import log

    log.setup()  # the engine's log (kernel tuning, fallbacks) goes to the data folder's logs/, as the app's does
    return main_decode(args)


if __name__ == "__main__":
    sys.exit(main())
