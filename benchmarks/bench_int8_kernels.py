"""Which 8-bit matrix-vector product reads its weights fastest? The 7B shape's projections, one GPU.

    python benchmarks/bench_int8_kernels.py [--json FILE]

For each projection of a Qwen2.5-7B layer (fused q/k/v, o, fused gate/up, down, and the
output layer) and for 1 and 5 rows of activations (a decode step, a verify pass of 4
drafted tokens), times under ``torch.compile`` (coordinate-descent tuning, as the fast
path compiles) and reports the weight bytes read per second of each candidate:

- ``bf16``: the full-precision product (the reference the bound is computed from);
- ``torchao``: ``F.linear`` on torchao's ``Int8Tensor`` (what the 8-bit fast path runs today);
- ``cast-mm``: ``F.linear(x, qdata.to(bf16)) * scale`` written out (gpt-fast's form);
- ``reduce``: ``(x[:, None, :] * qdata.to(bf16)).sum(-1) * scale``: a reduction the compiler
  fuses with the int8 read, the scale folded in after it;
- ``int8pack``: ATen's weight-only ``_weight_int8pack_mm`` where this torch has it on CUDA;
- ``triton``: ``desktop.engine.int8_gemv``'s kernel (what the 8-bit fast path runs now), its
  autotuned setting printed with it;
- ``triton-bf16``: the same kernel over the bf16 weight, for more than one row (a verify pass).

Each is timed replayed in a CUDA graph (``do_bench_cudagraph``), as the fast path runs it;
``--launch`` times each call with its launch instead (how the first round measured them: for
TermLens's kernel that adds the custom operator's and autotuner's Python dispatch). Replayed
alone, the small products (q/k/v, o: 13-17 MB of int8) stay partly in the H200's 60 MB L2,
so their figures are optimistic; gate/up and down are not. Also
checks each against the dequantised float32 product. Prints a table; ``--json`` writes it.
"""

from __future__ import annotations

import argparse
import json
import sys

SHAPES = {"qkv": (4608, 3584), "o": (3584, 3584), "gate_up": (37888, 3584), "down": (3584, 18944)}


def main(argv: list[str] | None = None) -> int:
    import torch
    import torch.nn.functional as F

    from desktop.engine import int8_gemv

    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--rows", default="1,5")
    ap.add_argument("--launch", action="store_true",
                    help="time each call with its launch (triton.testing.do_bench), not replayed in a CUDA graph")
    args = ap.parse_args(argv)
    if not torch.cuda.is_available():
        print("needs a CUDA GPU")
        return 0
    opts = {"coordinate_descent_tuning": True}

    def cast_mm(x, q, s):
        return F.linear(x, q.to(x.dtype)) * s

    def reduce(x, q, s):
        return ((x.float()[:, None, :] * q.to(x.dtype).float()[None]).sum(-1) * s.float()).to(x.dtype)

    def plain(x, w):
        return F.linear(x, w)

    fns = {"bf16": torch.compile(plain, options=opts), "cast-mm": torch.compile(cast_mm, options=opts),
           "reduce": torch.compile(reduce, options=opts)}
    results = []
    for name, (n, k) in SHAPES.items():
        w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16) * 0.02
        s = (w.abs().amax(dim=1) / 127).float()
        q = torch.round(w.float() / s[:, None]).clamp(-128, 127).to(torch.int8)
        s16 = s.to(torch.bfloat16)
        try:
            from torchao.quantization import Int8WeightOnlyConfig, quantize_

            lin = torch.nn.Linear(k, n, bias=False, device="cuda", dtype=torch.bfloat16)
            lin.weight.data.copy_(w)
            quantize_(lin, Int8WeightOnlyConfig(version=2))
            tao = torch.compile(lambda x: F.linear(x, lin.weight), options=opts)
        except Exception as exc:  # noqa: BLE001
            print(f"torchao unavailable: {exc}")
            tao = None
        for rows in [int(r) for r in args.rows.split(",")]:
            x = torch.randn(rows, k, device="cuda", dtype=torch.bfloat16)
            ref = (x.float() @ (q.float() * s[:, None]).t())
            cands = {"bf16": (lambda: fns["bf16"](x, w), 2 * n * k),
                     "cast-mm": (lambda: fns["cast-mm"](x, q, s16), n * k),
                     "reduce": (lambda: fns["reduce"](x, q, s16), n * k)}
            if tao is not None:
                cands["torchao"] = (lambda: tao(x), n * k)
            cands["triton"] = (lambda: int8_gemv.int8_linear(x, q, s), n * k)
            if rows > 1:
                cands["triton-bf16"] = (lambda: int8_gemv.rows_linear(x, w), 2 * n * k)
            if hasattr(torch, "_weight_int8pack_mm"):
                cands["int8pack"] = (lambda: torch._weight_int8pack_mm(x, q, s16), n * k)
            for cname, (fn, nbytes) in cands.items():
                try:
                    out = fn()
                    torch.cuda.synchronize()
                    from triton.testing import do_bench, do_bench_cudagraph

                    # replayed as a CUDA graph, as the fast path runs them: no Python dispatch in the time
                    ms = do_bench(fn, warmup=25, rep=200) if args.launch else do_bench_cudagraph(fn, rep=100)
                    err = float((out.float() - ref).abs().max() / ref.abs().max()) if "bf16" not in cname else 0.0
                    row = {"proj": name, "rows": rows, "kernel": cname, "us": ms * 1e3, "tb_s": nbytes / ms / 1e9,
                           "rel_err": err}
                    if cname.startswith("triton"):
                        row["config"] = str(int8_gemv._rows_kernel.best_config)
                except Exception as exc:  # noqa: BLE001
                    row = {"proj": name, "rows": rows, "kernel": cname, "error": f"{type(exc).__name__}: {exc}"[:200]}
                results.append(row)
                print(json.dumps(row), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
