"""The fast decode path: a static KV cache and one-token steps replayed as CUDA graphs.

``attach(lm)`` builds a ``FastDecoder`` for a loaded model, warms it up (compiles the
decoder layer and the sampling head with ``torch.compile``, then captures one CUDA
graph per attention window and sampling mode) and sets ``lm.fast``; ``generate`` then
uses it and falls back to the plain path if it raises before the first token.

How it stays fast and correct:

- **One step, one graph.** The whole step (embedding, 28 layers, final norm, logits,
  greedy or temperature/top-p sampling, the cache write and the position increment)
  is captured once; per token the host replays the graph and reads back one token id,
  and the next step is already queued while the caller handles the previous token.
- **Fused projections.** q/k/v (with their biases) and gate/up are concatenated once
  into one weight each, and the model's own ``q_proj.weight`` etc. become views into
  it (``param.data`` is re-pointed, the Parameter objects stay the same). So the plain
  path, LoRA training and the adapters' in-place merge (``weight.data.add_``) all act
  on the very memory the graphs read; ``merge_delta`` does the same by name. A weight
  whose ``.data`` was swapped for another tensor is copied back into place at the
  next answer (``_sync``), and a module replaced by a wrapper (an unmerged adapter)
  makes the fast path step aside for the plain one.
- **No recompiles.** The prompt is prefilled eagerly, in chunks, at its exact length
  (no shapes to specialise on); decode shapes are fixed by the cache window, and all
  windows are compiled and captured during warm-up. Compiled artefacts live under
  ``paths.cache_dir()/inductor`` so the next start loads them from disk.
- **Sampling on the GPU.** Greedy is an argmax; temperature/top-p draws Gumbel noise
  from a counter-based hash of (seed, position, token id), so sampling needs no RNG
  state inside the graph and a fixed seed repeats an answer. (The plain path draws
  with ``torch.multinomial``: same distribution, different draws for the same seed.)

On a CPU the same decoder runs eagerly (static cache, no compile, no graphs), which is
how the tests check it against the plain path; ``attach`` uses it only on CUDA.
Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from desktop import log, paths
from desktop.engine import offline as _offline  # noqa: F401
from desktop.engine import quant

_log = log.get("fastgen")

SUPPORTED_TYPES = ("qwen2", "llama", "mistral")
DEFAULT_MAX_LEN = 8192  # cache positions; longer conversations take the plain path
MIN_WINDOW = 1024  # smallest attention window captured; windows double up to max_len
PREFILL_CHUNK = 1024  # prompt tokens per eager prefill pass (bounds activation memory)
QKV = ("q_proj", "k_proj", "v_proj")
GATE_UP = ("gate_proj", "up_proj")
PROJECTIONS = QKV + ("o_proj",) + GATE_UP + ("down_proj",)


class FastPathUnavailable(RuntimeError):
    """The fast path cannot serve this model or this request; the plain path takes over."""


@dataclass(frozen=True)
class _Shape:
    n_heads: int
    n_kv: int
    head_dim: int
    eps: float
    scaling: float


# ---------------------------------------------------------------------------------------
# The model, written as plain functions of tensors (compiled once, shared by all layers)


def _rms(x, w, eps: float):
    dtype = x.dtype
    x32 = x.float()
    x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    return w * x32.to(dtype)


def _rope(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


def _make_layer(shape: _Shape) -> Callable:
    H, KV, D, eps, scaling = shape.n_heads, shape.n_kv, shape.head_dim, shape.eps, shape.scaling
    G = H // KV

    def layer(h, cos, sin, pos, ln1, wqkv, bqkv, wo, ln2, wgu, wd, kc, vc):
        """One decoder layer over T new tokens at positions ``pos``; ``kc``/``vc`` ([W, KV, D],
        position-major so that every window is a contiguous slice) hold positions 0..W-1."""
        T = h.shape[1]
        x = _rms(h, ln1, eps)
        q, k, v = F.linear(x, wqkv, bqkv).split([H * D, KV * D, KV * D], dim=-1)
        q = _rope(q.view(1, T, H, D).transpose(1, 2), cos, sin)
        k = _rope(k.view(1, T, KV, D).transpose(1, 2), cos, sin)
        v = v.view(1, T, KV, D).transpose(1, 2)
        kc[pos] = k[0].transpose(0, 1)
        vc[pos] = v[0].transpose(0, 1)
        W = kc.shape[0]
        kt, vt = kc.transpose(0, 1), vc.transpose(0, 1)  # [KV, W, D] views
        keys = torch.arange(W, device=h.device)
        if T == 1:
            # the G query heads that share a KV head attend as G rows: no copies of the cache
            scores = torch.matmul(q.reshape(KV, G, D), kt.transpose(1, 2)).float() * scaling
            scores = scores.masked_fill(keys > pos, float("-inf"))
            probs = torch.softmax(scores, dim=-1).to(v.dtype)
            o = torch.matmul(probs, vt).reshape(1, 1, H * D)
        else:
            mask = keys[None, :] <= pos[:, None]
            o = F.scaled_dot_product_attention(q, kt.repeat_interleave(G, dim=0)[None],
                                               vt.repeat_interleave(G, dim=0)[None], attn_mask=mask, scale=scaling)
            o = o.transpose(1, 2).reshape(1, T, H * D)
        h = h + F.linear(o, wo)
        gate, up = F.linear(_rms(h, ln2, eps), wgu).chunk(2, dim=-1)
        return h + F.linear(F.silu(gate) * up, wd)

    return layer


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


def _make_head(shape: _Shape, *, greedy: bool) -> Callable:
    eps = shape.eps

    def head(h, norm_w, lm_w, temperature, top_p, seed, pos):
        """The next token id, shape [1], from the last hidden state; sampling never leaves the device."""
        logits = F.linear(_rms(h[:, -1], norm_w, eps), lm_w)
        if greedy:
            return torch.argmax(logits, dim=-1)
        probs = torch.softmax(logits.float() / temperature, dim=-1)
        sorted_p, idx = torch.sort(probs, dim=-1, descending=True)
        keep = (torch.cumsum(sorted_p, dim=-1) - sorted_p) <= top_p  # the nucleus; always keeps the first
        score = torch.where(keep, torch.log(sorted_p) + _gumbel(seed, pos, idx), float("-inf"))
        return idx.gather(-1, torch.argmax(score, dim=-1, keepdim=True)).squeeze(-1)

    return head


# ---------------------------------------------------------------------------------------


def _text_config(model):
    cfg = model.config
    return getattr(cfg, "text_config", None) or cfg


def check_supported(model) -> None:
    """Raise ``FastPathUnavailable`` saying why this model cannot take the fast path."""
    cfg = _text_config(model)
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
                    if not _row_wise_int8(m.weight):
                        raise FastPathUnavailable(f"{type(m.weight).__name__} weights are not supported")
                elif not m.weight.is_floating_point():
                    raise FastPathUnavailable("quantized weights are not supported")
        if attn.o_proj.bias is not None or any(getattr(mlp, n).bias is not None for n in GATE_UP + ("down_proj",)):
            raise FastPathUnavailable("biases outside q/k/v are not supported")
        if len({getattr(attn, n).bias is None for n in QKV}) != 1:
            raise FastPathUnavailable("q/k/v must all have a bias or none")


def _row_wise_int8(weight) -> bool:
    """An 8-bit weight whose every part (int8 data, scale, zero point) is per output row (what ``quant`` makes)."""
    qdata = getattr(weight, "qdata", None)
    if qdata is None or qdata.dtype != torch.int8 or qdata.dim() != 2:
        return False
    if list(getattr(weight, "block_size", [])) != [1, qdata.shape[1]]:
        return False
    return all(t.shape[0] == qdata.shape[0] for t in quant.parts(weight).values())


def _ptr(t) -> int:
    """Where a weight's values live (an 8-bit weight's int8 data)."""
    return t.qdata.data_ptr() if quant.is_quantized(t) else t.data_ptr()


def _fuse(modules: list[nn.Linear]) -> tuple[Any, Any]:
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
    _point(modules, weight, bias)
    return weight, bias


def _point(modules: list[nn.Linear], weight, bias) -> None:
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


def _is_view_of(modules: list[nn.Linear], weight, bias) -> bool:
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


class FastDecoder:
    """Static-cache decoding for Llama-family models; CUDA graphs on a GPU, eager steps elsewhere.

    Implements the ``Decoder`` protocol of ``desktop.engine.generate``. Not thread-safe:
    use it from the thread that owns the model.
    """

    name = "fast"

    def __init__(self, model, *, device: str | None = None, max_len: int | None = None, graphs: bool | None = None,
                 compile: bool | None = None, owner: Any = None) -> None:
        check_supported(model)
        self.model = model
        self.owner = owner  # the LoadedModel, when attached: its model must stay this one
        self.device = torch.device(device or next(model.parameters()).device)
        cuda = self.device.type == "cuda"
        self.use_graphs = cuda if graphs is None else graphs
        self.use_compile = cuda if compile is None else compile
        if self.use_graphs and not cuda:
            raise FastPathUnavailable("CUDA graphs need a CUDA device")
        cfg = _text_config(model)
        base = model.model
        attn0 = base.layers[0].self_attn
        n_heads = cfg.num_attention_heads
        head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // n_heads
        self.shape = _Shape(n_heads=n_heads, n_kv=getattr(cfg, "num_key_value_heads", None) or n_heads,
                            head_dim=head_dim, eps=float(base.norm.variance_epsilon),
                            scaling=float(getattr(attn0, "scaling", head_dim ** -0.5)))
        ctx = int(getattr(cfg, "max_position_embeddings", DEFAULT_MAX_LEN) or DEFAULT_MAX_LEN)
        self.max_len = int(min(max_len or DEFAULT_MAX_LEN, ctx))
        self.windows = self._windows()
        self.dtype = base.embed_tokens.weight.dtype
        self._mods = [([getattr(l.self_attn, n) for n in QKV], [getattr(l.mlp, n) for n in GATE_UP]) for l in base.layers]
        with torch.no_grad():
            self._fused = [(_fuse(qkv), _fuse(gu)) for qkv, gu in self._mods]
        self._collect()
        self._alloc()
        self._layer = _make_layer(self.shape)
        self._heads = {True: _make_head(self.shape, greedy=True), False: _make_head(self.shape, greedy=False)}
        self._layer_c, self._heads_c = self._layer, dict(self._heads)
        if self.use_compile:
            opts = {"coordinate_descent_tuning": True}  # matrix-vector products become tuned Triton kernels
            # one compile serves every attention window: the cache length is the one dynamic size
            self._layer_c = torch.compile(self._layer, fullgraph=True, dynamic=None, options=opts)
            # the sampling head (sort, cumulative sum, argmax over the vocabulary) stays eager:
            # Inductor cannot fuse that scan with the reduction after it; its kernels are
            # captured in the graph all the same
            self._heads_c[True] = torch.compile(self._heads[True], fullgraph=True, dynamic=False, options=opts)
        self._graphs: dict[tuple[int, bool], Any] = {}
        self._pool = None
        self.warm_s = 0.0
        self.warm_phases: dict[str, float] = {}

    # -- set-up --------------------------------------------------------------------------

    def _windows(self) -> list[int]:
        if not (self.use_graphs or self.use_compile):
            return [self.max_len]  # eager steps slice the cache to the exact length instead
        out, w = [], MIN_WINDOW
        while w < self.max_len:
            out.append(w)
            w *= 2
        return out + [self.max_len]

    def _collect(self) -> None:
        """The tensors the step reads, in call order, and their addresses (captured graphs hold these)."""
        base = self.model.model
        self._layer_w = []
        for layer, ((wqkv, bqkv), (wgu, _)) in zip(base.layers, self._fused):
            self._layer_w.append((layer.input_layernorm.weight, wqkv, bqkv, layer.self_attn.o_proj.weight,
                                  layer.post_attention_layernorm.weight, wgu, layer.mlp.down_proj.weight))
        self._embed = base.embed_tokens.weight
        self._norm_w = base.norm.weight
        self._lm_w = self.model.lm_head.weight
        self._ptrs = self._addresses()

    def _addresses(self) -> list[int]:
        base = self.model.model
        out = [base.embed_tokens.weight.data_ptr(), base.norm.weight.data_ptr(), self.model.lm_head.weight.data_ptr()]
        for layer in base.layers:
            out += [layer.input_layernorm.weight.data_ptr(), _ptr(layer.self_attn.o_proj.weight),
                    layer.post_attention_layernorm.weight.data_ptr(), _ptr(layer.mlp.down_proj.weight)]
        return out

    def _alloc(self) -> None:
        s, dev = self.shape, self.device
        n_layers = len(self._layer_w)
        # zeros, not empty: masked positions get probability 0, and 0 * NaN would still be NaN
        self._kc = [torch.zeros(self.max_len, s.n_kv, s.head_dim, dtype=self.dtype, device=dev) for _ in range(n_layers)]
        self._vc = [torch.zeros_like(c) for c in self._kc]
        self._arange = torch.arange(self.max_len, device=dev)
        with torch.no_grad():
            probe = torch.zeros(1, dtype=self.dtype, device=dev)
            cos, sin = self.model.model.rotary_emb(probe, self._arange[None])
        self._cos, self._sin = cos[0].contiguous(), sin[0].contiguous()
        self._tok = torch.zeros(1, 1, dtype=torch.long, device=dev)
        self._pos = torch.zeros(1, dtype=torch.long, device=dev)
        self._temperature = torch.ones(1, dtype=torch.float32, device=dev)
        self._top_p = torch.ones(1, dtype=torch.float32, device=dev)
        self._seed = torch.zeros(1, dtype=torch.long, device=dev)
        if self.device.type == "cuda":
            self._host = [torch.zeros(1, dtype=torch.long, pin_memory=True) for _ in range(2)]
            self._events = [torch.cuda.Event() for _ in range(2)]

    def warm_up(self, on_progress: Callable[[float, str], None] | None = None) -> float:
        """Compile and capture every step graph now, so no answer waits for a compile; returns seconds."""
        report = on_progress or (lambda _f, _s: None)
        t0 = time.perf_counter()
        if self.use_graphs:
            _use_disk_cache()
            self._pool = torch.cuda.graph_pool_handle()
            todo = [(w, g) for g in (True, False) for w in self.windows]
            self.warm_phases = {}
            for i, (w, greedy) in enumerate(todo):
                report(i / len(todo), f"Preparing fast generation ({i + 1}/{len(todo)})")
                t1 = time.perf_counter()
                self._capture(w, greedy)
                torch.cuda.synchronize(self.device)
                self.warm_phases[f"{'greedy' if greedy else 'sampled'}-{w}"] = round(time.perf_counter() - t1, 2)
            _log.info("fast decode warm-up by graph: %s", self.warm_phases)
        else:
            with torch.no_grad():
                for greedy in (True, False):
                    list(self.decode([0, 1], settings=_Settings(2, 0.0 if greedy else 1.0, 1.0, 0), eos_ids=set(),
                                     should_stop=lambda: False))
        report(1.0, "Fast generation ready")
        self.warm_s = time.perf_counter() - t0
        _log.info("fast decode path ready in %.1f s (cache %d positions, windows %s)", self.warm_s, self.max_len,
                  self.windows)
        return self.warm_s

    def _step(self, window: int, greedy: bool) -> None:
        """One token through the model, reading and writing only device buffers (graph-capturable)."""
        D = self.shape.head_dim
        h = F.embedding(self._tok, self._embed)
        cos = self._cos.index_select(0, self._pos).view(1, 1, 1, D)
        sin = self._sin.index_select(0, self._pos).view(1, 1, 1, D)
        for i, w in enumerate(self._layer_w):
            h = self._layer_c(h, cos, sin, self._pos, *w, *self._cache(i, window))
        nxt = self._heads_c[greedy](h, self._norm_w, self._lm_w, self._temperature, self._top_p, self._seed, self._pos)
        self._tok.copy_(nxt.view(1, 1))
        self._pos.add_(1)

    def _cache(self, layer: int, window: int) -> tuple[Any, Any]:
        """The first ``window`` positions of one layer's key and value cache."""
        k, v = self._kc[layer][:window], self._vc[layer][:window]
        if self.use_compile:
            torch._dynamo.mark_dynamic(k, 0)
            torch._dynamo.mark_dynamic(v, 0)
        return k, v

    def _capture(self, window: int, greedy: bool) -> None:
        with torch.no_grad():
            side = torch.cuda.Stream(self.device)
            side.wait_stream(torch.cuda.current_stream(self.device))
            with torch.cuda.stream(side):
                for _ in range(2):  # the first call compiles (or loads from the disk cache) and tunes
                    self._pos.fill_(0)
                    self._step(window, greedy)
            torch.cuda.current_stream(self.device).wait_stream(side)
            self._pos.fill_(0)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph, pool=self._pool):
                self._step(window, greedy)
        self._graphs[(window, greedy)] = graph

    # -- weights -------------------------------------------------------------------------

    def merge_delta(self, layer_idx: int, proj_name: str, delta) -> None:
        """Add ``delta`` to one projection's weight in place (e.g. a LoRA ``scale * B @ A``).

        The projections are views into the fused weights the graphs read, so the next
        token already uses the change. ``proj_name`` is one of q/k/v/o/gate/up/down_proj.
        """
        if proj_name not in PROJECTIONS:
            raise ValueError(f"unknown projection {proj_name!r}; expected one of {', '.join(PROJECTIONS)}")
        layer = self.model.model.layers[layer_idx]
        parent = layer.self_attn if proj_name in QKV + ("o_proj",) else layer.mlp
        weight = getattr(parent, proj_name).weight
        with torch.no_grad():
            if quant.is_quantized(weight):
                quant.add_delta(weight, delta)  # into the same int8 data and scales
            else:
                weight.data.add_(delta.to(device=weight.device, dtype=weight.dtype))

    def _sync(self) -> None:
        """Check the model is still the one the graphs were built for; repair swapped weights."""
        if self.owner is not None and getattr(self.owner, "model", None) is not self.model:
            raise FastPathUnavailable("the model was replaced since the fast path was prepared")
        base = self.model.model
        for layer, (qkv, gu) in zip(base.layers, self._mods):
            if [getattr(layer.self_attn, n) for n in QKV] != qkv or [getattr(layer.mlp, n) for n in GATE_UP] != gu:
                raise FastPathUnavailable("decoder layers were replaced (an adapter that wraps layers is active)")
        with torch.no_grad():
            for (qkv, gu), fused in zip(self._mods, self._fused):
                for mods, (w, b) in zip((qkv, gu), fused):
                    if not _is_view_of(mods, w, b):
                        if quant.is_quantized(w):
                            raise FastPathUnavailable("8-bit weights were replaced since the fast path was prepared")
                        # someone replaced .data: take the new values into the fused weight, point back at it
                        if any(m.weight.device != w.device or m.weight.dtype != w.dtype for m in mods):
                            raise FastPathUnavailable("weights moved to another device or type")
                        start = 0
                        for m in mods:
                            w[start:start + m.out_features].copy_(m.weight.data)
                            if b is not None:
                                b[start:start + m.out_features].copy_(m.bias.data)
                            start += m.out_features
                        _point(mods, w, b)
        if self._addresses() != self._ptrs:
            if any(p.device != self.device or p.dtype != self.dtype for p in (self._embed, self._lm_w)):
                raise FastPathUnavailable("weights moved to another device or type")
            _log.info("model weights were replaced; capturing the decode graphs again")
            self._collect()
            if self.use_graphs:
                for key in list(self._graphs):
                    self._capture(*key)

    # -- decoding ------------------------------------------------------------------------

    def _set_sampling(self, settings) -> bool:
        greedy = settings.temperature <= 0
        if not greedy:
            self._temperature.fill_(float(settings.temperature))
            self._top_p.fill_(float(settings.top_p) if 0 < settings.top_p < 1 else 2.0)
            seed = settings.seed if settings.seed is not None else secrets.randbits(31)
            self._seed.fill_(int(seed) & 0x7FFFFFFF)
        return greedy

    def _prefill(self, ids, greedy: bool):
        """Run the prompt through the model eagerly (any length, nothing to recompile); the first token."""
        D = self.shape.head_dim
        n = ids.shape[1]
        h = None
        for start in range(0, n, PREFILL_CHUNK):
            end = min(n, start + PREFILL_CHUNK)
            h = F.embedding(ids[:, start:end], self._embed)
            cos, sin = self._cos[start:end].view(1, 1, -1, D), self._sin[start:end].view(1, 1, -1, D)
            pos = self._arange[start:end]
            for i, w in enumerate(self._layer_w):
                h = self._layer(h, cos, sin, pos, *w, self._kc[i][:end], self._vc[i][:end])
        # fresh views: a slice's strides (which depend on the prompt length) would be
        # new input shapes to the compiled head and make it compile again
        return self._heads_c[greedy](h[0, -1:].unsqueeze(0), self._norm_w, self._lm_w, self._temperature, self._top_p,
                                     self._seed, self._arange[n - 1:n].clone())

    def decode(self, prompt_ids: Sequence[int], *, settings, eos_ids: set[int],
               should_stop: Callable[[], bool]) -> Iterator[int]:
        n = len(prompt_ids)
        max_new = int(settings.max_new_tokens)
        if n == 0 or max_new <= 0:
            return
        if n + max_new - 1 > self.max_len:
            raise FastPathUnavailable(f"the prompt and answer ({n} + {max_new} tokens) exceed the fast path's "
                                      f"{self.max_len}-token cache")
        with torch.no_grad():
            self._sync()
            greedy = self._set_sampling(settings)
            ids = torch.tensor([list(prompt_ids)], dtype=torch.long, device=self.device)
            first = self._prefill(ids, greedy)
            if self.use_graphs:
                yield from self._decode_graphs(first, n, max_new, greedy, eos_ids, should_stop)
            else:
                yield from self._decode_eager(first, n, max_new, greedy, eos_ids, should_stop)

    def _decode_eager(self, first, n, max_new, greedy, eos_ids, should_stop) -> Iterator[int]:
        D = self.shape.head_dim
        token = int(first.item())
        for i in range(max_new):
            yield token
            if token in eos_ids or should_stop() or i + 1 == max_new:
                return
            p = n + i  # the position this token takes
            h = F.embedding(torch.tensor([[token]], device=self.device), self._embed)
            pos = self._arange[p:p + 1]
            cos, sin = self._cos[p:p + 1].view(1, 1, 1, D), self._sin[p:p + 1].view(1, 1, 1, D)
            window = self._window(p) if self.use_compile else p + 1  # compiled shapes come from a fixed set
            for j, w in enumerate(self._layer_w):
                h = self._layer_c(h, cos, sin, pos, *w, *self._cache(j, window))
            token = int(self._heads_c[greedy](h, self._norm_w, self._lm_w, self._temperature, self._top_p,
                                               self._seed, pos).item())

    def _window(self, position: int) -> int:
        """The smallest captured attention window that holds ``position``."""
        for w in self.windows:
            if position < w:
                return w
        raise FastPathUnavailable("position beyond the cache")  # excluded by the length check

    def _decode_graphs(self, first, n, max_new, greedy, eos_ids, should_stop) -> Iterator[int]:
        """Replay step graphs one token ahead of the caller: the GPU never waits for Python."""
        self._tok.copy_(first.view(1, 1))
        self._pos.fill_(n)
        host, events = self._host, self._events
        host[0].copy_(self._tok.view(1), non_blocking=True)
        events[0].record()
        produced, slot, position = 1, 0, n
        while True:
            if produced < max_new:
                self._graphs[(self._window(position), greedy)].replay()
                position += 1
                nxt = produced % 2
                host[nxt].copy_(self._tok.view(1), non_blocking=True)
                events[nxt].record()
                produced += 1
                ahead = True
            else:
                ahead = False
            events[slot].synchronize()
            token = int(host[slot][0])
            yield token
            if not ahead or token in eos_ids or should_stop():
                return
            slot = nxt

    def close(self) -> None:
        """Release the graphs and the cache (the fused weights stay: the model's parameters live in them)."""
        self._graphs.clear()
        self._kc, self._vc = [], []


@dataclass
class _Settings:
    max_new_tokens: int
    temperature: float
    top_p: float
    seed: int | None


def _use_disk_cache() -> None:
    """Keep compiled kernels under TermLens's cache folder, so the next start loads them from disk."""
    from torch._inductor.runtime.cache_dir_utils import default_cache_dir

    current = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if current is None or os.path.abspath(current) == os.path.abspath(default_cache_dir()):
        target = paths.cache_dir() / "inductor" / torch.__version__.replace("+", "_")
        target.mkdir(parents=True, exist_ok=True)
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(target)
    import torch._inductor.config as inductor_config

    inductor_config.fx_graph_cache = True
    if hasattr(inductor_config, "autotune_local_cache"):
        inductor_config.autotune_local_cache = True
    try:
        import torch._functorch.config as functorch_config

        functorch_config.enable_autograd_cache = True
    except (ImportError, AttributeError):
        pass


def attach(lm, on_progress: Callable[[float, str], None] | None = None, *,
           max_len: int | None = None) -> FastDecoder | None:
    """Build and warm up a fast decoder for ``lm`` and set ``lm.fast``; ``None`` (and a log line) when it can't.

    Needs a CUDA device. ``TERMLENS_FAST=0`` turns it off. Any failure leaves the model
    working on the plain path.
    """
    if os.environ.get("TERMLENS_FAST", "1") == "0":
        _log.info("fast decode path turned off (TERMLENS_FAST=0)")
        return None
    if not str(lm.device).startswith("cuda") or not torch.cuda.is_available():
        _log.warning("fast decode path needs a CUDA GPU; %s uses the plain path", lm.device)
        return None
    fast = None
    try:
        fast = FastDecoder(lm.model, device=lm.device, max_len=max_len or min(DEFAULT_MAX_LEN, lm.context_length),
                           owner=lm)
        fast.warm_up(on_progress)
    except Exception as exc:  # noqa: BLE001 - the plain path still answers
        _log.warning("fast decode path unavailable (%s: %s); using the plain path", type(exc).__name__, exc)
        if fast is not None:
            fast.close()
        torch.cuda.empty_cache()
        return None
    lm.fast = fast
    return fast


def recompile_count() -> int:
    """Graphs compiled so far in this process (for checking that answers never recompile)."""
    from torch._dynamo.utils import counters

    return int(counters["stats"]["unique_graphs"])

