"""Training on a CPU: bfloat16 arithmetic where the CPU has matrix units for it, steps run
512 tokens at a time, and the memory given back to the system when a run ends.

Measured on the default model (SmolLM2-135M, float32 weights) on a 2-core Xeon with AMX:
a float32 matrix product ran at 33 GFLOP/s, the same product in bfloat16 at 586 GFLOP/s
(oneDNN's AMX kernels). So on a CPU that reports AMX or AVX-512 BF16, the training step
runs under ``torch.autocast("cpu", dtype=torch.bfloat16)``: the weights stay float32
(the loaded model answers afterwards exactly as before), the LoRA weights and the
optimizer stay float32, and the products and most activations kept for the backward pass
are bfloat16. A CPU without those units would be slower in bfloat16 than in float32,
so it keeps float32. ``benchmarks/bench_train_cpu.py`` prints the figures.

PyTorch's CPU allocator is glibc's malloc: a training run's freed buffers stay in the
process (RSS does not fall back after training) until ``malloc_trim`` returns them, which
``release_memory`` calls after every run. Knows nothing of Qt.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from contextlib import contextmanager
from typing import Iterator

from desktop.engine.train.data import Row

CPU_MICRO_TOKENS = 512  # tokens a CPU runs forward and backward at once (see micro_batches)


def _examples(row: Row) -> list[Row]:
    """The examples packed into ``row``, each as a row of its own (a new one starts where the
    position ids restart at 0)."""
    starts = [i for i, p in enumerate(row.position_ids) if p == 0] + [len(row)]
    return [Row(row.input_ids[a:b], row.labels[a:b], row.position_ids[a:b]) for a, b in zip(starts, starts[1:])
            if b > a]


def micro_batches(rows: list[Row], device: str) -> list[list[Row]]:
    """On a CPU, the step's examples packed again into rows of at most ``CPU_MICRO_TOKENS`` tokens,
    one row a group, run one after another with their gradients added up (each group's loss is
    divided by the whole step's target count). Packed examples never see each other, so this
    trains the same adapter as the whole batch at once, holding the activations of 512 tokens
    instead of 4 x 1,024 (the default model: RSS 1 -> 12 GB with all four rows at once, +3.0 GB
    with one row of 1,024 at a time). An example longer than that runs whole. Elsewhere (a GPU)
    the batch runs as it is."""
    if not device.startswith("cpu"):
        return [rows]
    groups: list[list[Row]] = []
    current = Row()
    for example in (e for r in rows for e in _examples(r)):
        if len(current) and len(current) + len(example) > CPU_MICRO_TOKENS:
            groups.append([current])
            current = Row()
        current.input_ids.extend(example.input_ids)
        current.labels.extend(example.labels)
        current.position_ids.extend(example.position_ids)
    if len(current):
        groups.append([current])
    return groups


def bf16_units() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AMX tiles or AVX-512 BF16)."""
    import torch

    checks = [getattr(torch.cpu, name, None) for name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported")]
    try:
        return any(c() for c in checks if c is not None) and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:  # noqa: BLE001 - an unknown build: keep float32
        return False


def step_dtype(model, device: str, *, enabled: bool) -> str:
    """The dtype the training arithmetic runs in: bfloat16 on a CPU with bf16 units when
    ``enabled`` and the weights are float32; else the weights' own dtype."""
    import torch

    weights = next(model.parameters()).dtype
    if enabled and device.startswith("cpu") and weights == torch.float32 and bf16_units():
        return "bfloat16"
    return str(weights).removeprefix("torch.")


@contextmanager
def autocast(dtype: str, device: str) -> Iterator[None]:
    """Run the enclosed forward passes in ``dtype`` (autocast; a no-op when it is the weights')."""
    import torch

    if dtype == "bfloat16" and device.startswith("cpu"):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            yield
    else:
        yield


def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_memory(device: str) -> None:
    """Give a finished run's memory back: collect the cycles PEFT and the optimizer leave, then
    empty the CUDA cache on a GPU, or on a CPU ask glibc to return its free pages to the
    system (without it the process kept the run's peak, 3.6 GB on the default model)."""
    gc.collect()
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()
        return
    libc = _libc()  # glibc only; macOS and Windows return freed memory by themselves
    if libc is not None:
        libc.malloc_trim(0)
