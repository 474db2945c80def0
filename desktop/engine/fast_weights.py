"""Which models the fast path serves, and its fused weights.

``check_supported`` says why a model cannot take the fast path (``FastPathUnavailable``).
``fuse`` concatenates q/k/v (with their biases) or gate/up into one weight and points
the layers' own parameters at their rows of it (``param.data`` is re-pointed, the
Parameter objects stay the same), so the plain path, LoRA training and in-place adapter
merges all act on the memory captured graphs read. 8-bit weights (``desktop.engine.quant``)
fuse the same way: with one scale per row, their int8 data and scales are concatenated.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from desktop.engine import quant

SUPPORTED_TYPES = ("qwen2", "llama", "mistral")
QKV = ("q_proj", "k_proj", "v_proj")
GATE_UP = ("gate_proj", "up_proj")
PROJECTIONS = QKV + ("o_proj",) + GATE_UP + ("down_proj",)


class FastPathUnavailable(RuntimeError):
    """The fast path cannot serve this model or this request; the plain path takes over."""


def text_config(model):
    cfg = model.config
    return getattr(cfg, "text_config", None) or cfg


def check_supported(model) -> None:
    """Raise ``FastPathUnavailable`` saying why this model cannot take the fast path."""
    cfg = text_config(model)
    if getattr(cfg, "model_type", "") not in SUPPORTED_TYPES:
        raise FastPathUnavailable(f"model type {getattr(cfg, 'model_type', '?')!r} is not one the fast path knows")
    if getattr(cfg, "hidden_act", "silu") != "silu":
        raise FastPathUnavailable(f"activation {cfg.hidden_act!r} is not supported")
    if getattr(cfg, "use_sliding_window", False) or any(
            t != "full_attention" for t in (getattr(cfg, "layer_types", None) or [])):
        raise FastPathUnavailable("sliding-window attention is not supported")
    base = getattr(model, "model", None)
    if base is None or not all(hasattr(base, a) for a in ("layers", "embed_tokens", "norm", "rotary_emb")):
        raise FastPathUnavailable("the model does not have the expected decoder layout")
    if getattr(model, "lm_head", None) is None or type(model.lm_head) is not nn.Linear or model.lm_head.bias is not None:
        raise FastPathUnavailable("the output layer is not a plain linear layer")
    for layer in base.layers:
        attn, mlp = getattr(layer, "self_attn", None), getattr(layer, "mlp", None)
        if attn is None or mlp is None or hasattr(attn, "q_norm"):
            raise FastPathUnavailable("a decoder layer does not have the expected layout")
        for parent, names in ((attn, QKV + ("o_proj",)), (mlp, GATE_UP + ("down_proj",))):
            for n in names:
                m = getattr(parent, n, None)
                if type(m) is not nn.Linear:
                    raise FastPathUnavailable(f"{n} is a {type(m).__name__}, not a plain linear layer "
                                              "(an adapter that wraps layers is active)")
                if quant.is_quantized(m.weight):
                    if not row_wise_int8(m.weight):
                        raise FastPathUnavailable(f"{type(m.weight).__name__} weights are not supported")
                elif not m.weight.is_floating_point() or type(m.weight.data) is not torch.Tensor:
                    # another library's quantised tensor (or an older torchao layout) passes for a float one
                    raise FastPathUnavailable(f"{type(m.weight.data).__name__} weights are not supported")
        if attn.o_proj.bias is not None or any(getattr(mlp, n).bias is not None for n in GATE_UP + ("down_proj",)):
            raise FastPathUnavailable("biases outside q/k/v are not supported")
        if len({getattr(attn, n).bias is None for n in QKV}) != 1:
            raise FastPathUnavailable("q/k/v must all have a bias or none")


def row_wise_int8(weight) -> bool:
    """An 8-bit weight whose every part (int8 data, scale, zero point) is per output row (what ``quant`` makes)."""
    qdata = getattr(weight, "qdata", None)
    if qdata is None or qdata.dtype != torch.int8 or qdata.dim() != 2:
        return False
    if list(getattr(weight, "block_size", [])) != [1, qdata.shape[1]]:
        return False
    return all(t.shape[0] == qdata.shape[0] for t in quant.parts(weight).values())


def ptr(t) -> int:
    """Where a weight's values live (an 8-bit weight's int8 data)."""
    return t.qdata.data_ptr() if quant.is_quantized(t) else t.data_ptr()


def step_weight(weight) -> Any:
    """What the fast path's layer multiplies by: the weight itself, or an 8-bit weight's (int8 data,
    row scales), which ``int8_gemv`` multiplies with its own kernel (the same memory: in-place merges
    and captured graphs see the same tensors)."""
    return (weight.qdata, weight.scale) if quant.is_quantized(weight) else weight


def fuse(modules: list[nn.Linear]) -> tuple[Any, Any]:
    """One weight (and bias) for several linear layers; the layers' parameters become views of it.

    8-bit weights fuse the same way: with one scale per row, the rows of the fused weight
    are the rows of the parts, so their int8 data and scales are concatenated, and each
    layer's weight is pointed at its rows of both.
    """
    bias = torch.cat([m.bias.data for m in modules], dim=0) if modules[0].bias is not None else None
    w0 = modules[0].weight
    if quant.is_quantized(w0):
        names = list(quant.parts(w0))
        cat = {n: torch.cat([getattr(m.weight, n) for m in modules], dim=0) for n in names}
        weight = type(w0)(cat.pop("qdata"), cat.pop("scale"), [1, w0.qdata.shape[1]], w0.dtype, **cat)
    else:
        weight = torch.cat([m.weight.data for m in modules], dim=0)
    point(modules, weight, bias)
    return weight, bias


def point(modules: list[nn.Linear], weight, bias) -> None:
    start = 0
    for m in modules:
        n = m.out_features
        if quant.is_quantized(weight):
            for name, t in quant.parts(weight).items():
                setattr(m.weight, name, t[start:start + n])
        else:
            m.weight.data = weight[start:start + n]
        if bias is not None:
            m.bias.data = bias[start:start + n]
        start += n


def is_view_of(modules: list[nn.Linear], weight, bias) -> bool:
    start = 0
    for m in modules:
        n = m.out_features
        if quant.is_quantized(weight):
            if not quant.is_quantized(m.weight) or any(
                    getattr(m.weight, name).data_ptr() != t[start:start + n].data_ptr()
                    for name, t in quant.parts(weight).items()):
                return False
        elif m.weight.data_ptr() != weight[start:start + n].data_ptr() or m.weight.shape != weight[start:start + n].shape:
            return False
        if bias is not None and m.bias.data_ptr() != bias[start:start + n].data_ptr():
            return False
        start += n
    return True


def merge_delta(model, layer_idx: int, proj_name: str, delta) -> None:
    """Add ``delta`` to one projection's weight of decoder layer ``layer_idx`` in place (full or
    8-bit weights), so fused weights and captured graphs that read it see the change."""
    if proj_name not in PROJECTIONS:
        raise ValueError(f"unknown projection {proj_name!r}; expected one of {', '.join(PROJECTIONS)}")
    layer = model.model.layers[layer_idx]
    parent = layer.self_attn if proj_name in QKV + ("o_proj",) else layer.mlp
    weight = getattr(parent, proj_name).weight
    with torch.no_grad():
        quant.add_delta(weight, delta)
