"""Products of a few rows of activations with a large weight: int8 with one scale per row, or bf16.

A decode step multiplies one row of activations by every weight of the model; a verify
pass of a drafted answer (``desktop.engine.fast_verify``) multiplies five. Both are bound
by reading the weights, so the kernel that reads them fastest wins. For 8-bit weights
(``desktop.engine.quant``) torchao's product converts the whole int8 weight to bfloat16 and
calls a matrix product (one row: 1.3 TB/s of int8 read on an H200, five rows: 0.06), and the
compiler's own forms stay under 2.2 TB/s. ``int8_linear`` is a Triton kernel that reads the
int8 weight once, multiplies in float32 and folds the row scale in at the end:

- one row: each program keeps a [rows of weight, K-block] float32 accumulator and reduces it
  once at the end (no reduction inside the loop);
- a few rows (2 to 16): the tensor cores over the rows padded to 16 (``tl.dot``);
- the int8 values become floats through their bits (``_as_float``), not a conversion
  instruction, which runs at a quarter of the rate of an add on Hopper (it saved about 4% of the
  products' time on an H200).

On an H200 the 7B shape's 8-bit step went from 269.7 tokens/s with torchao's product to 320.7
(0.67 of its bandwidth bound, the products at about 2.8 TB/s of int8; docs/gpu.md). Triton's autotuner times each setting on the
first call for each shape and keeps the fastest (``cache_results``: the choice is kept on disk with Triton's cache, so a warm start
does not time them again).

``linear(x, w)`` is what the fast path's decoder layer calls: ``w`` is a plain weight
(``F.linear``, or the same kernel for 2-16 rows of a bf16 weight on a GPU) or the pair
``(int8 data, scale)`` of an 8-bit one (``fast_weights.step_weight``). The kernel runs as
the custom operator ``termlens::int8_linear``, so ``torch.compile`` calls it as it is and
CUDA graphs capture it. Without CUDA or Triton (and for more than 16 rows, a prompt pass)
the operator computes exactly what torchao's product computes: the same tokens as the plain
8-bit path on a CPU. Knows nothing of Qt.
"""

from __future__ import annotations

import os
from typing import Any

import torch
import torch.nn.functional as F

MAX_ROWS = 16  # up to this many rows of activations take the kernel (a verify pass is 5)

try:  # Triton comes with CUDA builds of torch; a CPU build has none and takes the fallback
    import triton
    import triton.language as tl
except ImportError:  # pragma: no cover - depends on the installed torch
    triton = None


def reference(x: torch.Tensor, q: torch.Tensor, s: torch.Tensor | None) -> torch.Tensor:
    """torchao's weight-only int8 product (``Int8Tensor``'s ``F.linear``): the fallback, and the check."""
    m = torch.mm(x.reshape(-1, x.shape[-1]), q.t().to(x.dtype))
    if s is not None:
        m = m * s.reshape(-1).to(m.dtype)
    return m.reshape(*x.shape[:-1], q.shape[0])


def _interpreted() -> bool:
    """Triton's interpreter (``TRITON_INTERPRET=1`` before the import): the kernels run on a CPU, for tests."""
    return os.environ.get("TRITON_INTERPRET") == "1"


def kernel_ready(x: torch.Tensor) -> bool:
    """Whether the Triton kernel can run on ``x`` (CUDA, or Triton's interpreter on a CPU)."""
    return triton is not None and (x.is_cuda or _interpreted())


if triton is not None:
    def _configs() -> list:
        out = []
        for bn, bk, warps in ((4, 1024, 4), (8, 512, 4), (8, 1024, 4), (16, 256, 4), (16, 512, 4), (16, 512, 8),
                              (32, 256, 4), (32, 512, 8)):
            out.append(triton.Config({"BLOCK_N": bn, "BLOCK_K": bk, "MODE": 0}, num_warps=warps, num_stages=1))
        for bn, bk, warps, stages in ((16, 256, 4, 4), (32, 128, 4, 4), (32, 256, 4, 3), (64, 128, 4, 3),
                                      (16, 512, 4, 3)):
            out.append(triton.Config({"BLOCK_N": bn, "BLOCK_K": bk, "MODE": 2}, num_warps=warps, num_stages=stages))
        return out

    def _prune(configs: list, named_args: dict, **_kwargs: Any) -> list:
        """One row: the elementwise accumulator (mode 0); several: the tensor cores (mode 2).
        (A reduction per K-block over several rows, mode 1, compiled slowly and lost to mode 2.)"""
        keep = [c for c in configs if (c.kwargs["MODE"] == 0) == (named_args["M"] == 1)]
        return keep[:1] if _interpreted() else keep  # the interpreter checks results; its timings mean nothing

    def _bench(fn, quantiles):
        if _interpreted():
            return [1.0, 1.0, 1.0]
        # short timings: the differences between candidates are large, and a cold warm-up times every shape
        return triton.testing.do_bench(fn, warmup=5, rep=20, quantiles=quantiles)

    @triton.jit
    def _as_float(w):
        """int8 (or a float) as float32. An int8 goes through its bits, not a conversion instruction:
        2**23 + 128 + w as a float32's bits, less 2**23 + 128, is w exactly; the int8-to-float
        instruction runs at a quarter of the rate of an add on Hopper."""
        if w.dtype == tl.int8:
            return (w.to(tl.int32) + 0x4B000080).to(tl.float32, bitcast=True) - 8388736.0
        return w.to(tl.float32)

    @triton.jit
    def _w_tile(q_ptr, stride_q, rn, kk, N, K):
        return tl.load(q_ptr + rn[:, None] * stride_q + kk[None, :], mask=(rn[:, None] < N) & (kk[None, :] < K),
                       other=0)

    @triton.jit
    def _x_tile(x_ptr, stride_x, rm, kk, M, K):
        return tl.load(x_ptr + rm[:, None] * stride_x + kk[None, :], mask=(rm[:, None] < M) & (kk[None, :] < K),
                       other=0.0)

    @triton.autotune(configs=_configs(), key=["M", "N", "K"], prune_configs_by={"early_config_prune": _prune},
                     do_bench=_bench, cache_results=True)
    @triton.jit
    def _rows_kernel(x_ptr, q_ptr, s_ptr, o_ptr, M, N, K, stride_x, stride_q, stride_o,
                     HAS_SCALE: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                     MODE: tl.constexpr):
        """out[M, N] = (x[M, K] @ q[N, K].T) * s[N], float32 inside."""
        rn = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
        rk = tl.arange(0, BLOCK_K)
        if MODE == 0:  # one row: accumulate elementwise, reduce once
            acc = tl.zeros((BLOCK_N, BLOCK_K), dtype=tl.float32)
            for k0 in range(0, K, BLOCK_K):
                w = _w_tile(q_ptr, stride_q, rn, k0 + rk, N, K)
                x = tl.load(x_ptr + k0 + rk, mask=k0 + rk < K, other=0.0)
                acc += _as_float(w) * x.to(tl.float32)[None, :]
            out = tl.sum(acc, axis=1)
            if HAS_SCALE:
                out = out * tl.load(s_ptr + rn, mask=rn < N, other=0.0).to(tl.float32)
            tl.store(o_ptr + rn, out.to(o_ptr.dtype.element_ty), mask=rn < N)
        else:  # a few rows: the tensor cores, the rows padded to 16
            rm = tl.arange(0, 16)
            out = tl.zeros((16, BLOCK_N), dtype=tl.float32)
            for k0 in range(0, K, BLOCK_K):
                x = _x_tile(x_ptr, stride_x, rm, k0 + rk, M, K)
                w = _as_float(_w_tile(q_ptr, stride_q, rn, k0 + rk, N, K)).to(x.dtype)
                out = tl.dot(x, tl.trans(w), out, input_precision="ieee")
            if HAS_SCALE:
                out = out * tl.load(s_ptr + rn, mask=rn < N, other=0.0).to(tl.float32)[None, :]
            tl.store(o_ptr + rm[:, None] * stride_o + rn[None, :], out.to(o_ptr.dtype.element_ty),
                     mask=(rm[:, None] < M) & (rn[None, :] < N))


def rows_product(x: torch.Tensor, w: torch.Tensor, s: torch.Tensor | None, config: dict | None = None) -> torch.Tensor:
    """``x @ w.T`` (times ``s`` per output column) through the Triton kernel; ``x`` is [M, K], M <= 16.

    ``config`` (BLOCK_N, BLOCK_K, MODE) runs one setting instead of the tuned one (tests, benchmarks)."""
    x = x.contiguous()
    w = w if w.stride(1) == 1 else w.contiguous()
    M, K = x.shape
    N = w.shape[0]
    out = torch.empty(M, N, dtype=x.dtype, device=x.device)

    def grid(meta):
        return (triton.cdiv(N, meta["BLOCK_N"]),)

    kernel = _rows_kernel if config is None else _rows_kernel.fn
    kernel[grid](x, w, s if s is not None else w, out, M, N, K, x.stride(0), w.stride(0), out.stride(0),
                 HAS_SCALE=s is not None, **(config or {}))
    return out


def configs() -> list[dict]:
    """Every setting the autotuner chooses from, as ``rows_product``'s ``config`` (none without Triton)."""
    return [dict(c.kwargs) for c in _configs()] if triton is not None else []


@torch.library.custom_op("termlens::int8_linear", mutates_args=())
def int8_linear(x: torch.Tensor, q: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """``x @ (q * s[:, None]).T`` for int8 ``q`` [N, K] and one scale per row ``s`` [N]; ``x`` is [M, K]."""
    if x.shape[0] <= MAX_ROWS and kernel_ready(x):
        return rows_product(x, q, s.reshape(-1))
    return reference(x, q, s)


@int8_linear.register_fake
def _(x: torch.Tensor, q: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    return x.new_empty(x.shape[0], q.shape[0])


@torch.library.custom_op("termlens::rows_linear", mutates_args=())
def rows_linear(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """``x @ w.T`` for a few rows ``x`` [M, K] and a full-precision weight ``w`` [N, K]."""
    if x.shape[0] <= MAX_ROWS and kernel_ready(x):
        return rows_product(x, w, None)
    return F.linear(x, w)


@rows_linear.register_fake
def _(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return x.new_empty(x.shape[0], w.shape[0])


def linear(x: torch.Tensor, w: Any) -> torch.Tensor:
    """The fast path's product: ``w`` is a weight tensor or an 8-bit weight's ``(int8 data, scale)``."""
    if isinstance(w, tuple):
        q, s = w
        return int8_linear(x.reshape(-1, x.shape[-1]), q, s).view(*x.shape[:-1], q.shape[0])
    rows = x.numel() // x.shape[-1]
    if 1 < rows <= MAX_ROWS and x.is_cuda and ROWS_BF16 and triton is not None:
        # a verify pass: the compiler hands a product of 2-16 rows to cuBLAS, which reads the weight slower
        return rows_linear(x.reshape(rows, x.shape[-1]), w).view(*x.shape[:-1], w.shape[0])
    return F.linear(x, w)


# a verify pass's full-precision products through the kernel (TERMLENS_ROWS_KERNEL=1) rather than cuBLAS:
# on an H200 the kernel was slower (verify pass of 5 positions 1.33x a step against 1.30x with cuBLAS)
ROWS_BF16 = os.environ.get("TERMLENS_ROWS_KERNEL", "0") == "1"
