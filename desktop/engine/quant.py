"""8-bit weights: a 7B model on a 12 GB graphics card.

``weights="int8"`` stores every linear layer's weight as int8 with one scale per
output row (torchao's ``Int8WeightOnlyConfig``, applied by transformers'
``TorchAoConfig`` layer by layer while the model loads, so the full-precision
model never has to fit on the GPU). Activations stay in bfloat16; the
embeddings and the output layer keep their precision. Qwen2.5-7B then takes
about 8.7 GB instead of 15.2 GB.

An adapter is merged into 8-bit weights the same way as into full ones, in place
so the fast path's captured graphs stay valid: the weight is dequantised, the
LoRA delta added and the sum quantised again into the same int8 and scale
tensors; the originals are kept to take the adapter off exactly.

torchao is imported only here and only when 8-bit weights are asked for. Knows
nothing of Qt.
"""

from __future__ import annotations

import logging
from typing import Any

from desktop.errors import ModelLoadError
from desktop.storage.config import WEIGHT_MODES  # the one list (torch-free); the settings check it too

_log = logging.getLogger(__name__)


def check_mode(mode: str | None) -> str:
    """``mode`` as one of ``WEIGHT_MODES`` ("" and None mean full precision)."""
    mode = (mode or "full").strip().lower()
    if mode not in WEIGHT_MODES:
        raise ModelLoadError.of("'{mode}' is not a weight mode TermLens knows; choose one of: {modes}.", mode=mode,
                                modes=", ".join(WEIGHT_MODES))
    return mode


def _torchao() -> Any:
    """torchao's quantisation API (its import-time kernel warnings are silenced in ``desktop.engine``)."""
    try:
        import torchao.quantization as q
    except ImportError as exc:
        raise ModelLoadError.of(
            "8-bit weights need the torchao package, which is not installed; "
            "reinstall TermLens, or load the model with full-precision weights."
        ) from exc
    return q


def _config(mode: str) -> Any:
    q = _torchao()
    if mode == "int8":
        # version 2 (Int8Tensor: int8 data and one scale per row); older torchao defaults to its
        # version 1 (AffineQuantizedTensor), which the fast path and the in-place merge do not read
        return q.Int8WeightOnlyConfig(version=2)
    raise ValueError(mode)


def transformers_config(mode: str | None) -> Any | None:
    """The ``quantization_config`` for ``from_pretrained``, or None for full precision."""
    mode = check_mode(mode)
    if mode == "full":
        return None
    from transformers import TorchAoConfig

    return TorchAoConfig(_config(mode))


def quantize_model(model: Any, mode: str | None) -> None:
    """Quantise an already-built model's linear layers in place (the benchmark's random models),
    leaving the output layer at full precision, as ``transformers_config`` does when loading."""
    mode = check_mode(mode)
    if mode == "full":
        return
    import torch

    q = _torchao()
    out = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None

    def keep(module: torch.nn.Module, _fqn: str) -> bool:
        return isinstance(module, torch.nn.Linear) and module is not out

    q.quantize_(model, _config(mode), filter_fn=keep)


def is_quantized(weight: Any) -> bool:
    """True for a torchao quantised tensor (it carries its parts in ``tensor_data_names``)."""
    return bool(getattr(type(weight), "tensor_data_names", None)) and hasattr(weight, "dequantize")


def model_mode_of(weight: Any) -> str:
    """The weight mode a quantised tensor was made with."""
    qdata = getattr(weight, "qdata", None)
    if qdata is not None and str(qdata.dtype) == "torch.int8":
        return "int8"
    raise ModelLoadError.of("TermLens cannot change weights quantised as {kind}.", kind=type(weight).__name__)


def model_mode(model: Any) -> str:
    """"int8" when any weight of ``model`` is quantised, else "full"."""
    for p in model.parameters():
        if is_quantized(p):
            return "int8"
    return "full"


def parts(weight: Any) -> dict[str, Any]:
    names = list(type(weight).tensor_data_names)
    names += [n for n in getattr(type(weight), "optional_tensor_data_names", []) or [] if getattr(weight, n, None) is not None]
    return {n: getattr(weight, n) for n in names}


# In-place weight changes (adapters merged in and taken off), for full and 8-bit weights
# alike: the memory stays where it is, so captured CUDA graphs see the change.


def snapshot(weight: Any) -> Any:
    """A copy, on the CPU, to put back exactly with ``restore``: the tensor itself, or the
    tensors a quantised weight is made of."""
    if is_quantized(weight):
        return {n: t.detach().to("cpu", copy=True) for n, t in parts(weight).items()}
    return weight.detach().to("cpu", copy=True)


def restore(weight: Any, saved: Any) -> None:
    """Put back what ``snapshot`` saved, in place."""
    if not is_quantized(weight):
        weight.data.copy_(saved.to(weight.device))
        return
    current = parts(weight)
    for n, t in saved.items():
        current[n].copy_(t.to(current[n].device))


def add_delta(weight: Any, delta: Any) -> None:
    """``weight += delta`` in place; a quantised weight is dequantised, added to and quantised
    again into the same tensors.

    Raises if the new quantised parts do not have the old parts' shapes, so a weight is
    never left half-written (the caller restores its snapshot).
    """
    import torch

    if not is_quantized(weight):
        weight.data.add_(delta.to(device=weight.device, dtype=weight.dtype))
        return
    hp = weight.dequantize().to(torch.float32) + delta.to(weight.device, torch.float32)
    # Quantised by the very config the model was loaded with, through a throw-away layer.
    holder = torch.nn.Linear(hp.shape[1], hp.shape[0], bias=False, device="meta")
    holder.weight = torch.nn.Parameter(hp.to(weight.dtype), requires_grad=False)
    _torchao().quantize_(holder, _config(model_mode_of(weight)))
    old, new = parts(weight), parts(holder.weight)
    for n, t in old.items():
        if n not in new or new[n].shape != t.shape or new[n].dtype != t.dtype:
            raise RuntimeError(f"the re-quantised weight's {n} does not fit the old one")
    for n, t in old.items():
        t.copy_(new[n])


def weight_bytes(model: Any) -> int:
    """Bytes the model's parameters and buffers really take (quantised parts counted as stored)."""
    total = 0
    seen: set[int] = set()
    for t in list(model.parameters()) + list(model.buffers()):
        if id(t) in seen:
            continue
        seen.add(id(t))
        pieces = parts(t).values() if is_quantized(t) else [t]
        total += sum(p.numel() * p.element_size() for p in pieces)
    return total
