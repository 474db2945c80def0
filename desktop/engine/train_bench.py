"""Training-speed benchmark: LoRA steps on a model shaped like Qwen2.5-7B, no download.

    python -m desktop.engine.train_bench --shape qwen2.5-7b --batch 8 --seq 1024 --steps 20

builds the model from its config with random bf16 weights directly on the GPU, wraps
it with the default LoRA settings (r16, alpha 32, q/k/v/o), feeds packed rows of random
token sequences (position ids restart per sequence, so sequences do not attend to each
other), steps fused AdamW, and reports tokens/s, peak GPU memory and MFU for each path:

- ``peft``: plain PEFT, the model's own forward and loss (full logits);
- ``liger``: TermLens's training path: Liger kernels (fused output layer and
  cross-entropy, RMSNorm, SwiGLU, RoPE), loss on target tokens only;
- ``liger-d0``: the same with LoRA dropout 0;
- ``liger-d0-compile``: the same with each decoder layer compiled by ``torch.compile``.

MFU counts 4N FLOPs per token (forward, plus activation gradients: frozen weights get
no weight gradients) plus causal attention within each sequence, against the dense
bf16 peak (989 TFLOP/s on an H100 SXM). ``--shape tiny`` runs in seconds on a CPU.
Random ids make the loss about ln(vocab); only speed is measured.

On several GPUs of one host, data parallel as ``main.py train`` trains there (each process
its own rows, LoRA gradients averaged after each backward pass by the same code)::

    python -m desktop.engine.train_bench --paths liger --json one.json
    accelerate launch --multi_gpu --num_processes 2 -m desktop.engine.train_bench --paths liger --baseline one.json

``--batch`` counts rows per process; tokens/s counts every process's tokens, and
``--baseline`` (a one-process run's ``--json``) adds the scaling efficiency: tokens/s on N
processes / (N x tokens/s on one).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from typing import Any

from desktop.engine import offline as _offline  # noqa: F401

SHAPES: dict[str, dict[str, Any]] = {
    "qwen2.5-7b": dict(vocab_size=152064, hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
                       num_attention_heads=28, num_key_value_heads=4, max_position_embeddings=32768,
                       rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=False),
    "qwen2.5-0.5b": dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                         num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
                         rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True),
    "tiny": dict(vocab_size=1024, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048, tie_word_embeddings=False),
}
PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}
PATHS = ("peft", "liger", "liger-d0", "liger-d0-compile")


def build_model(shape: str, device: str, attn: str = "sdpa"):
    import torch
    from transformers import AutoModelForCausalLM, Qwen2Config

    cfg = Qwen2Config(**SHAPES[shape])
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(cfg, dtype=dtype, attn_implementation=attn)
    model.requires_grad_(False)
    return model


def packed_batch(*, batch: int, seq: int, vocab: int, min_len: int, max_len: int, rng: random.Random,
                 device: str):
    """Rows of random sequences packed end to end; returns ids, shifted labels, position ids, sequence lengths."""
    import torch

    ids, labels, pos, lens = [], [], [], []
    for _ in range(batch):
        row_ids, row_labels, row_pos = [], [], []
        while len(row_ids) < seq:
            n = min(rng.randint(min_len, max_len), seq - len(row_ids))
            toks = [rng.randrange(vocab) for _ in range(n)]
            row_ids += toks
            row_labels += toks[1:] + [-100]
            row_pos += list(range(n))
            lens.append(n)
        ids.append(row_ids)
        labels.append(row_labels)
        pos.append(row_pos)
    t = lambda x: torch.tensor(x, dtype=torch.long, device=device)  # noqa: E731
    return t(ids), t(labels), t(pos), lens


def flops_per_step(model, lens: list[int]) -> float:
    cfg = model.config
    n_params = sum(p.numel() for p in model.parameters())
    tokens = sum(lens)
    head_dim = cfg.hidden_size // cfg.num_attention_heads
    # causal attention per sequence of n tokens: QK^T and AV, 2 FLOPs a multiply-add, half the square;
    # the backward pass costs twice the forward
    attn = sum(3 * 2 * 2 * n * n / 2 * cfg.num_attention_heads * head_dim * cfg.num_hidden_layers for n in lens)
    return 4 * n_params * tokens + attn


def _device_name(device: str) -> str:
    import torch

    return torch.cuda.get_device_name(device) if device.startswith("cuda") else "cpu"


def peak_tflops(device: str, override: float | None) -> float | None:
    if override:
        return override
    name = _device_name(device)
    return next((v for k, v in PEAK_TFLOPS.items() if k in name), None)


def run_path(model, path: str, *, batch: int, seq: int, steps: int, warmup: int, min_len: int, max_len: int,
             device: str, rank: int = 16, alpha: float = 32.0, peak: float | None = None,
             group=None) -> dict[str, Any]:
    """One path's timed steps. ``group``: the ``ProcessGroup`` of a data-parallel run (its rows
    differ per process, gradients are averaged over it, figures count all its processes)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from desktop.engine.train.loss import liger_kernels, token_loss

    cuda = device.startswith("cuda")
    dropout = 0.0 if "d0" in path else 0.05
    fused = path.startswith("liger")
    lora = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=dropout, bias="none", task_type="CAUSAL_LM",
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])
    torch.manual_seed(0)
    pm = get_peft_model(model, lora)
    pm.train()
    params = [p for p in pm.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-4, fused=cuda)
    world = group.world if group else 1
    rng = random.Random(group.rank if group else 0)  # each process its own rows, as in training
    batches = [packed_batch(batch=batch, seq=seq, vocab=model.config.vocab_size, min_len=min_len, max_len=max_len,
                            rng=rng, device=device) for _ in range(4)]
    result: dict[str, Any] = {"path": path, "batch": batch, "seq": seq, "processes": world,
                              "trainable_params": sum(p.numel() for p in params)}
    compiled = []
    try:
        with liger_kernels(pm, enabled=fused and cuda):
            if path.endswith("compile"):
                for layer in pm.get_base_model().model.layers:
                    layer.compile()
                    compiled.append(layer)
            if cuda:
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            t0 = time.perf_counter()
            losses = []
            t_meas = None
            for i in range(warmup + steps):
                if i == warmup:
                    if cuda:
                        torch.cuda.synchronize()
                    if group:
                        group.barrier()
                    t_meas = time.perf_counter()
                    result["warmup_s"] = round(t_meas - t0, 2)
                ids, labels, pos, _ = batches[i % len(batches)]
                if path == "peft":
                    out = pm(input_ids=ids, position_ids=pos, labels=ids, use_cache=False)
                    loss = out.loss
                else:
                    loss_sum, n = token_loss(pm, ids, labels, pos, fused=fused and cuda)
                    loss = loss_sum / n
                loss.backward()
                if group:
                    group.average_grads(params)
                opt.step()
                opt.zero_grad(set_to_none=True)
                if i >= warmup:
                    losses.append(loss.detach())
            if cuda:
                torch.cuda.synchronize()
            if group:
                group.barrier()
            dt = time.perf_counter() - t_meas
        tokens = batch * seq * steps * world
        flops = sum(flops_per_step(pm.get_base_model(), batches[i % len(batches)][3]) for i in range(warmup, warmup + steps))
        loss = torch.stack(losses).float().mean()
        per_process = torch.zeros(world, dtype=torch.float64, device=device)
        per_process[group.rank if group else 0] = torch.cuda.max_memory_allocated() / 1e9 if cuda else 0.0
        if group:  # the whole group's work and slowest time; each process's memory
            slowest = torch.tensor([dt], dtype=torch.float64, device=device)
            torch.distributed.all_reduce(slowest, op=torch.distributed.ReduceOp.MAX)
            dt = float(slowest)
            flops = float(group.all_sum(torch.tensor([flops], dtype=torch.float64, device=device)))
            loss = group.all_sum(loss.reshape(1)) / world
            group.all_sum(per_process)
        result.update(tokens_per_s=round(tokens / dt, 1), step_s=round(dt / steps, 4),
                      tflops=round(flops / dt / 1e12, 1), loss=round(float(loss), 3))
        if cuda:
            result["peak_gb"] = round(float(per_process.max()), 1)
            if group:
                result["peak_gb_per_gpu"] = [round(float(x), 1) for x in per_process]
        if peak:
            result["mfu"] = round(flops / dt / 1e12 / (peak * world), 3)
    except torch.cuda.OutOfMemoryError:
        if group:  # the others would wait for this process forever; the launcher stops them all
            raise
        result["error"] = "out of memory"
    except Exception as exc:  # noqa: BLE001 - one failing path must not hide the others' figures
        if group:
            raise
        result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    finally:
        opt = params = None  # noqa: F841
        for layer in compiled:
            layer._compiled_call_impl = None
        pm.unload()
        gc.collect()
        if cuda:
            torch.cuda.empty_cache()
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m desktop.engine.train_bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--shape", default="qwen2.5-7b", choices=sorted(SHAPES))
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-len", type=int, default=64, help="shortest packed sequence")
    ap.add_argument("--max-len", type=int, default=512, help="longest packed sequence")
    ap.add_argument("--paths", default=",".join(PATHS), help=f"comma-separated, of {', '.join(PATHS)}")
    ap.add_argument("--attn", default="sdpa", help="attention implementation: sdpa, eager or flex_attention")
    ap.add_argument("--device", default=None)
    ap.add_argument("--peak-tflops", type=float, default=None, help="dense bf16 peak of the GPU")
    ap.add_argument("--json", default=None, help="also write the results to this file")
    ap.add_argument("--baseline", default=None,
                    help="a one-process run's --json: also print the scaling efficiency against it")
    args = ap.parse_args(argv)

    import torch

    from desktop.engine.train import ProcessGroup

    baseline = None
    if args.baseline:
        try:
            with open(args.baseline, encoding="utf-8") as f:
                baseline = {r["path"]: r for r in json.load(f)["results"] if "tokens_per_s" in r}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"cannot read the baseline {args.baseline}: {exc}", file=sys.stderr)
            return 2
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = [p for p in paths if p not in PATHS]
    if unknown:
        print(f"unknown path(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    launched = int(os.environ.get("WORLD_SIZE", "1")) > 1  # accelerate launch / torchrun: one process a GPU
    if args.device:
        device = args.device
    elif torch.cuda.is_available():
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}" if launched else "cuda"
    else:
        device = "cpu"
    group = ProcessGroup(device) if launched else None
    main_process = group is None or group.main
    say = print if main_process else (lambda *a, **k: None)
    peak = peak_tflops(device, args.peak_tflops)
    t0 = time.perf_counter()
    model = build_model(args.shape, device, args.attn)
    n = sum(p.numel() for p in model.parameters())
    on = f"{group.world} processes, one a device, each" if group else "one process"
    say(f"{args.shape}: {n / 1e9:.3f}B parameters on {_device_name(device)}, built in {time.perf_counter() - t0:.1f} s; "
        f"{on} batch {args.batch} x {args.seq} tokens, sequences of {args.min_len}-{args.max_len} packed, {args.attn}",
        flush=True)
    results = []
    for path in paths:
        r = run_path(model, path, batch=args.batch, seq=args.seq, steps=args.steps, warmup=args.warmup,
                     min_len=args.min_len, max_len=args.max_len, device=device, peak=peak, group=group)
        if baseline and path in baseline and "tokens_per_s" in r:
            one = baseline[path]
            r["scaling_efficiency"] = round(r["tokens_per_s"] / (r["processes"] * one["tokens_per_s"]), 3)
        results.append(r)
        say(json.dumps(r), flush=True)
    say(f"\n{'path':<18}{'processes':>10}{'tokens/s':>10}{'MFU':>7}{'peak GB':>9}{'step s':>8}{'scaling':>9}")
    for r in results:
        if "error" in r:
            say(f"{r['path']:<18}  {r['error']}")
            continue
        mfu = f"{r['mfu'] * 100:.0f}%" if "mfu" in r else "-"
        eff = f"{r['scaling_efficiency'] * 100:.1f}%" if "scaling_efficiency" in r else "-"
        say(f"{r['path']:<18}{r['processes']:>10}{r['tokens_per_s']:>10,.0f}{mfu:>7}{r.get('peak_gb', '-'):>9}"
            f"{r['step_s']:>8}{eff:>9}")
    if args.json and main_process:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"shape": args.shape, "params": n, "device": _device_name(device),
                       "processes": group.world if group else 1, "results": results}, f, indent=1)
    if group:
        group.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
