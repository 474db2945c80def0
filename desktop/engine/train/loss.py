"""The training loss: cross-entropy on answer tokens only, with optional fused kernels.

The decoder runs once over a packed batch; only the positions whose label is an
answer token go through the output layer, so the logits of prompt tokens are never
computed, and those of the answer tokens a chunk at a time (``chunked_cross_entropy``). On CUDA, when Liger kernels are installed, the output layer and the
cross-entropy are fused (``LigerFusedLinearCrossEntropyLoss``), so the logits over
the whole vocabulary are never held in memory either; RMSNorm, SwiGLU and RoPE can be
swapped for Liger's kernels for the duration of training and are put back after.
Knows nothing of Qt.
"""

from __future__ import annotations

import importlib.util
import sys
from contextlib import contextmanager
from typing import Iterator

from desktop import log

_log = log.get("train")

IGNORE = -100


def liger_available() -> bool:
    return importlib.util.find_spec("liger_kernel") is not None


def causal_lm(model):
    """The causal LM inside a PEFT wrapper (or the model itself)."""
    get = getattr(model, "get_base_model", None)
    return get() if callable(get) else model


def decoder_of(lm_model):
    return getattr(lm_model, lm_model.base_model_prefix)


def token_loss(model, input_ids, labels, position_ids, *, fused: bool = False):
    """(sum of the token losses, number of target tokens) for a batch; labels are pre-shifted."""
    import torch
    import torch.nn.functional as F

    lm_model = causal_lm(model)
    hidden = decoder_of(lm_model)(input_ids=input_ids, position_ids=position_ids, use_cache=False).last_hidden_state
    flat = labels.reshape(-1)
    keep = flat != IGNORE
    n = keep.sum()
    h = hidden.reshape(-1, hidden.shape[-1])[keep]
    target = flat[keep]
    head = lm_model.get_output_embeddings()
    if fused:
        from liger_kernel.transformers.fused_linear_cross_entropy import LigerFusedLinearCrossEntropyLoss

        loss_sum = LigerFusedLinearCrossEntropyLoss(reduction="sum")(head.weight, h, target, head.bias)
    else:
        loss_sum = chunked_cross_entropy(head, h, target)
    return loss_sum, n.to(torch.float32)


CE_CHUNK = 512  # answer tokens whose logits exist at once (512 x 49,152 float32: 100 MB)


def _chunk_loss(h, weight, bias, target):
    import torch.nn.functional as F

    return F.cross_entropy(F.linear(h, weight, bias).float(), target, reduction="sum")


def chunked_cross_entropy(head, h, target, *, chunk: int | None = None):
    """Summed cross-entropy of ``head(h)`` against ``target``, ``chunk`` tokens at a time.

    Each chunk's logits are made, reduced to its loss and dropped; the backward pass makes
    them again (``torch.utils.checkpoint``), so no more than one chunk of full-vocabulary
    logits is ever held, however many answer tokens a batch has. The plain code's way of
    doing what the fused kernels do on a GPU (the same sum, in float32)."""
    import torch
    from torch.utils.checkpoint import checkpoint

    chunk = chunk or CE_CHUNK
    if h.shape[0] <= chunk or not torch.is_grad_enabled():
        parts = [_chunk_loss(h[s:s + chunk], head.weight, head.bias, target[s:s + chunk])
                 for s in range(0, max(1, h.shape[0]), chunk)]
        return torch.stack(parts).sum() if len(parts) > 1 else parts[0]
    parts = [checkpoint(_chunk_loss, h[s:s + chunk], head.weight, head.bias, target[s:s + chunk],
                        use_reentrant=False) for s in range(0, h.shape[0], chunk)]
    return torch.stack(parts).sum()


def plain_loss(model, input_ids, labels, position_ids):
    """The same loss through the model's own forward (full logits): the reference path."""
    import torch.nn.functional as F

    out = model(input_ids=input_ids, position_ids=position_ids, use_cache=False)
    logits = out.logits.float().reshape(-1, out.logits.shape[-1])
    flat = labels.reshape(-1)
    n = (flat != IGNORE).sum()
    return F.cross_entropy(logits, flat, ignore_index=IGNORE, reduction="sum"), n.float()


@contextmanager
def liger_kernels(model, *, enabled: bool) -> Iterator[bool]:
    """Swap RMSNorm, SwiGLU and RoPE of a Qwen2/Llama/Mistral model for Liger's kernels; undo on exit.

    Yields whether the kernels are in place. Only the modules of this model instance
    are touched (and the RoPE function of its modeling module, restored on exit), so
    generation afterwards runs the model's own code again.
    """
    if not enabled:
        yield False
        return
    lm_model = causal_lm(model)
    model_type = getattr(lm_model.config, "model_type", "")
    mod = sys.modules.get(type(lm_model).__module__)
    if model_type not in ("qwen2", "llama", "mistral") or mod is None or not hasattr(mod, "apply_rotary_pos_emb"):
        yield False
        return
    try:
        from liger_kernel.transformers.rms_norm import LigerRMSNorm
        from liger_kernel.transformers.rope import liger_rotary_pos_emb
        from liger_kernel.transformers.swiglu import LigerSwiGLUMLP
    except Exception as exc:  # noqa: BLE001 - a broken optional install falls back to plain code
        _log.warning("Liger kernels unavailable (%s); training without them", type(exc).__name__)
        yield False
        return
    patched: list[tuple[object, dict]] = []

    def bind(module, **attrs) -> None:
        saved = {k: module.__dict__.get(k, _MISSING) for k in attrs}
        for k, v in attrs.items():
            module.__dict__[k] = v
        patched.append((module, saved))

    casting = "gemma" if model_type == "gemma" else "llama"
    dec = decoder_of(lm_model)
    norms = [dec.norm] + [m for layer in dec.layers for m in (layer.input_layernorm, layer.post_attention_layernorm)]
    for m in norms:
        eps = getattr(m, "variance_epsilon", None) or getattr(m, "eps", 1e-6)
        bind(m, offset=0.0, casting_mode=casting, variance_epsilon=eps, in_place=True, row_mode=None,
             impl=None, mode=None)
        m.__dict__["forward"] = LigerRMSNorm.forward.__get__(m, type(m))
    for layer in dec.layers:
        bind(layer.mlp, forward=LigerSwiGLUMLP.forward.__get__(layer.mlp, type(layer.mlp)))
    old_rope = mod.apply_rotary_pos_emb
    mod.apply_rotary_pos_emb = liger_rotary_pos_emb
    try:
        yield True
    finally:
        mod.apply_rotary_pos_emb = old_rope
        for module, saved in reversed(patched):
            for k, v in saved.items():
                if v is _MISSING:
                    module.__dict__.pop(k, None)
                else:
                    module.__dict__[k] = v
        for m in norms:
            m.__dict__.pop("forward", None)


_MISSING = object()
