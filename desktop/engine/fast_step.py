"""The fast path's model, written as plain functions of tensors.

``make_layer(shape)`` is one decoder layer over T new tokens against a static KV cache
(position-major, so every attention window is a contiguous slice); ``make_head`` is the
final norm, the logits and the next token (``make_verify_head``: after each of several
positions, for a speculative verify pass): greedy, or temperature/top-p sampling with
Gumbel noise drawn from a counter-based hash of (seed, position, token id), so sampling
needs no RNG state inside a captured graph and a fixed seed repeats an answer.
``desktop.engine.fastgen`` compiles these once and shares them across layers.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from desktop.engine.int8_gemv import linear


@dataclass(frozen=True)
class Shape:
    """What the step functions need to know of the model."""

    n_heads: int
    n_kv: int
    head_dim: int
    eps: float
    scaling: float


def _rms(x, w, eps: float):
    dtype = x.dtype
    x32 = x.float()
    x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    return w * x32.to(dtype)


def _rope(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


def make_layer(shape: Shape) -> Callable:
    H, KV, D, eps, scaling = shape.n_heads, shape.n_kv, shape.head_dim, shape.eps, shape.scaling
    G = H // KV

    def layer(h, cos, sin, pos, ln1, wqkv, bqkv, wo, ln2, wgu, wd, kc, vc):
        """One decoder layer over T new tokens at positions ``pos``; ``kc``/``vc`` ([W, KV, D],
        position-major so that every window is a contiguous slice) hold positions 0..W-1. A weight
        is a tensor or an 8-bit weight's (int8 data, row scales) (``int8_gemv.linear``)."""
        T = h.shape[1]
        x = _rms(h, ln1, eps)
        # the bias is added apart: with it, the compiler hands the product to cuBLAS (one token:
        # 11 us at 3.0 TB/s on an H200, plus the norm as a kernel of its own); without it, the
        # product becomes a reduction fused with the norm before it and the bias after it
        qkv = linear(x, wqkv)
        q, k, v = (qkv if bqkv is None else qkv + bqkv).split([H * D, KV * D, KV * D], dim=-1)
        q = _rope(q.view(1, T, H, D).transpose(1, 2), cos, sin)
        k = _rope(k.view(1, T, KV, D).transpose(1, 2), cos, sin)
        v = v.view(1, T, KV, D).transpose(1, 2)
        kc[pos] = k[0].transpose(0, 1)
        vc[pos] = v[0].transpose(0, 1)
        W = kc.shape[0]
        kt, vt = kc.transpose(0, 1), vc.transpose(0, 1)  # [KV, W, D] views
        mask = torch.arange(W, device=h.device)[None, :] <= pos[:, None]
        if T == 1 or (T <= FOLD_MAX and not FOLD_HEADS):
            # one token, or a verify pass's few: the attention library kernel (cuDNN on an H200) reads
            # the cache once for all the query heads that share a KV head: 7 us a layer, where the
            # compiler's own scores, softmax and weighted sum took 13
            o = F.scaled_dot_product_attention(q, kt[None], vt[None], attn_mask=mask, scale=scaling, enable_gqa=True)
        elif T <= FOLD_MAX:
            # a few tokens (a speculative verify pass): the query heads that share a KV head are
            # folded into the query length, so the cache is read once rather than copied G times
            qf = q.reshape(1, KV, G * T, D)
            o = F.scaled_dot_product_attention(qf, kt[None], vt[None], attn_mask=mask.repeat(G, 1), scale=scaling)
            o = o.reshape(1, H, T, D)
        else:
            o = F.scaled_dot_product_attention(q, kt.repeat_interleave(G, dim=0)[None],
                                               vt.repeat_interleave(G, dim=0)[None], attn_mask=mask, scale=scaling)
        o = o.transpose(1, 2).reshape(1, T, H * D)
        h = h + linear(o, wo)
        gate, up = linear(_rms(h, ln2, eps), wgu).chunk(2, dim=-1)
        return h + linear(F.silu(gate) * up, wd)

    return layer


FOLD_MAX = 16  # up to this many new tokens, attention folds grouped query heads (see make_layer)
# Folded heads run a verify pass's attention as one block of query rows per KV head: 4 blocks on
# the 7B shape, which left the H200 nearly idle (26 us a layer for 5 positions against 5 for one);
# unfolded, cuDNN spreads the 28 query heads as it does for one token
FOLD_HEADS = False
_M32 = 0xFFFFFFFF


def _hash32(x):
    """A 32-bit integer mixer (bijective on 0..2**32-1); the products stay below 2**63."""
    x = x & _M32
    x = x ^ (x >> 16)
    x = (x * 0x21F0AAAD) & _M32
    x = x ^ (x >> 15)
    x = (x * 0x735A2D97) & _M32
    return x ^ (x >> 15)


def _gumbel(seed, pos, ids):
    """Gumbel(0, 1) noise for each token id, a pure function of (seed, position, id)."""
    base = _hash32(_hash32(seed) ^ pos)
    u = _hash32(_hash32(ids ^ base) + base)
    uniform = ((u >> 8).float() + 0.5) * (1.0 / 16777216.0)
    return -torch.log(-torch.log(uniform))


def make_head(shape: Shape, *, greedy: bool) -> Callable:
    eps = shape.eps

    def head(h, norm_w, lm_w, temperature, top_p, seed, pos, seen=None, penalty=None):
        """The next token id, shape [1], from the last hidden state; sampling never leaves the device.

        ``seen`` (bool, [vocab]) marks the answer's tokens so far and ``penalty`` (shape [1]) is the
        repetition penalty applied to them, as transformers' RepetitionPenaltyLogitsProcessor does
        (positive logits divided, negative multiplied; 1.0 changes nothing)."""
        logits = F.linear(_rms(h[:, -1], norm_w, eps), lm_w)
        if seen is not None:
            logits = torch.where(seen, torch.where(logits > 0, logits / penalty, logits * penalty), logits)
        if greedy:
            return torch.argmax(logits, dim=-1)
        probs = torch.softmax(logits.float() / temperature, dim=-1)
        sorted_p, idx = torch.sort(probs, dim=-1, descending=True)
        keep = (torch.cumsum(sorted_p, dim=-1) - sorted_p) <= top_p  # the nucleus; always keeps the first
        score = torch.where(keep, torch.log(sorted_p) + _gumbel(seed, pos, idx), float("-inf"))
        return idx.gather(-1, torch.argmax(score, dim=-1, keepdim=True)).squeeze(-1)

    return head


def make_verify_head(shape: Shape) -> Callable:
    eps = shape.eps

    def verify_head(h, norm_w, lm_w, tok, seen, penalty):
        """The greedy next token after each of the T positions of ``h`` ([1, T, hidden]): shape [T].

        ``tok`` ([1, T]) are the tokens at those positions; the choice after position i sees the
        repetition penalty on ``seen`` (the answer so far, ``tok[0]`` included) and on tok[1..i],
        as single steps would have seen it."""
        logits = F.linear(_rms(h[0], norm_w, eps), lm_w)
        T, V = logits.shape
        steps = torch.arange(T, device=logits.device)
        earlier = (steps[None, :] <= steps[:, None]) & (steps[None, :] >= 1)  # [i, j]: 1 <= j <= i
        drafted = torch.zeros(T, V, dtype=torch.int32, device=logits.device)
        drafted.scatter_add_(1, tok.view(1, T).expand(T, T), earlier.to(torch.int32))
        rows = seen.view(1, V) | (drafted > 0)
        logits = torch.where(rows, torch.where(logits > 0, logits / penalty, logits * penalty), logits)
        return torch.argmax(logits, dim=-1)

    return verify_head


def make_verify_layer(layer: Callable) -> Callable:
    """``layer`` under a code object of its own, so its compiled form for a verify pass (T new
    tokens) is cached apart from the one-token step's and neither makes the other recompile."""

    def verify_layer(*args):
        return layer(*args)

    return verify_layer


def prompt_attention(device: torch.device):
    """The attention kernels for a prompt pass: on CUDA, not cuDNN's.

    cuDNN builds an execution plan for every new prompt length (on an H200: 80-110 ms for
    the 28 layers of a 7B model, 0.8 s past 1,024 tokens, once 1.5 s), so each new question
    waited for it; the memory-efficient kernel has no per-length set-up (18-26 ms for a new
    prompt of 139-743 tokens against 85-106 ms). The one-token step keeps cuDNN: its shapes
    are fixed and captured in the graphs.
    """
    if device.type != "cuda":
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH])
