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
  into one weight each, and the model's own ``q_proj.weight`` etc. become views into it,
  so the plain path, LoRA training and in-place adapter merges act on the memory the
  graphs read; swapped ``.data`` is copied back at the next answer (``_sync``), and a
  wrapped module (an unmerged adapter) makes the fast path step aside
  (``desktop.engine.fast_weights``).
- **No recompiles.** The prompt is prefilled eagerly, in chunks, at its exact length
  (no shapes to specialise on); decode shapes are fixed by the cache window, and all
  windows are compiled and captured during warm-up. Compiled kernels and their tuning are
  kept on disk, and beside the model, so the next start loads them (``compile_cache``).
- **Sampling on the GPU.** Greedy is an argmax; temperature/top-p draws Gumbel noise from
  a counter-based hash of (seed, position, token id): no RNG state in the graph, and a
  fixed seed repeats an answer (``desktop.engine.fast_step``).
- **Drafts.** Greedy answers draft from the conversation and check a draft in one captured
  verify pass (``desktop.engine.speculate``, ``desktop.engine.fast_verify``): same tokens.

On a CPU the same decoder runs eagerly (static cache, no compile, no graphs), which is
how the tests check it against the plain path; ``attach`` uses it only on CUDA.
Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

import os
import secrets
import time
from types import SimpleNamespace
from typing import Any, Callable, Iterator, Sequence

import torch
import torch.nn.functional as F

from desktop import log
from desktop.engine import offline as _offline  # noqa: F401
from desktop.engine import compile_cache, int8_gemv, quant, speculate, step_tuning
from desktop.engine.fast_step import Shape, make_head, make_layer, prompt_attention
from desktop.engine.fast_verify import VerifyPass
from desktop.engine.fast_weights import (  # noqa: F401 (check_supported is part of this module's API)
    GATE_UP, PROJECTIONS, QKV, FastPathUnavailable, check_supported, fuse, is_view_of, merge_delta, point, ptr,
    step_weight as sw, text_config,
)
from desktop.errors import phrase

_log = log.get("fastgen")

DEFAULT_MAX_LEN = 8192  # cache positions; longer conversations take the plain path
MIN_WINDOW = 1024  # smallest attention window captured; windows double up to max_len
PREFILL_CHUNK = 1024  # prompt tokens per eager prefill pass (bounds activation memory)
WARM_PROMPTS = (100, 700)  # prompt lengths run once in the warm-up


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
        cfg = text_config(model)
        base = model.model
        attn0 = base.layers[0].self_attn
        n_heads = cfg.num_attention_heads
        head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // n_heads
        self.shape = Shape(n_heads=n_heads, n_kv=getattr(cfg, "num_key_value_heads", None) or n_heads,
                            head_dim=head_dim, eps=float(base.norm.variance_epsilon),
                            scaling=float(getattr(attn0, "scaling", head_dim ** -0.5)))
        ctx = int(getattr(cfg, "max_position_embeddings", DEFAULT_MAX_LEN) or DEFAULT_MAX_LEN)
        self.max_len = int(min(max_len or DEFAULT_MAX_LEN, ctx))
        self.windows = self._windows()
        self.dtype = base.embed_tokens.weight.dtype
        self._mods = [([getattr(l.self_attn, n) for n in QKV], [getattr(l.mlp, n) for n in GATE_UP]) for l in base.layers]
        with torch.no_grad():
            self._fused = [(fuse(qkv), fuse(gu)) for qkv, gu in self._mods]
        self._collect()
        self._alloc()
        self._layer = make_layer(self.shape)
        self._heads = {True: make_head(self.shape, greedy=True), False: make_head(self.shape, greedy=False)}
        self._layer_c, self._heads_c = self._layer, dict(self._heads)
        self.eight_bit = quant.is_quantized(self._fused[0][0][0])
        if self.use_compile:
            # matrix-vector products become tuned Triton reductions; max_autotune_pointwise times
            # several starting configurations before the coordinate-descent tuning (on an H200 its
            # cold starts gave 238.6 and 210.7 tok/s, against 206-229 from the single default start).
            # 8-bit weights tune without it (with torchao's products: 141 s of cold warm-up against 108)
            opts = {"coordinate_descent_tuning": True, "max_autotune_pointwise": not self.eight_bit}
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
        self.step_choice = step_tuning.Choice()
        # prompt-lookup drafts, checked by one pass over several positions (desktop.engine.speculate)
        # 8-bit weights on a GPU only with int8_gemv's kernel: torchao's 5-row products dequantise
        # the whole weight (on an H200 that added 33 s to the cold warm-up and cost several steps)
        self.speculate = speculate.enabled_by_default() and not (self.use_graphs and self.eight_bit and not int8_gemv.triton)
        # compiled without coordinate-descent tuning: with it, the verify pass added 22 s to a cold
        # warm-up of the 7B shape on an H200 (its products over 5 rows are library calls anyway)
        self.verifier = VerifyPass(self, options={})
        self.spec_stats: speculate.SpecStats | None = None

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
            self._layer_w.append((layer.input_layernorm.weight, sw(wqkv), bqkv, sw(layer.self_attn.o_proj.weight),
                                  layer.post_attention_layernorm.weight, sw(wgu), sw(layer.mlp.down_proj.weight)))
        self._embed = base.embed_tokens.weight
        self._norm_w = base.norm.weight
        self._lm_w = self.model.lm_head.weight
        self._ptrs = self._addresses()

    def _addresses(self) -> list[int]:
        base = self.model.model
        out = [base.embed_tokens.weight.data_ptr(), base.norm.weight.data_ptr(), self.model.lm_head.weight.data_ptr()]
        for layer in base.layers:
            out += [layer.input_layernorm.weight.data_ptr(), ptr(layer.self_attn.o_proj.weight),
                    layer.post_attention_layernorm.weight.data_ptr(), ptr(layer.mlp.down_proj.weight)]
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
        # the answer's tokens so far and the repetition penalty on them (1.0: none)
        self._seen = torch.zeros(self._lm_w.shape[0], dtype=torch.bool, device=dev)
        self._penalty = torch.ones(1, dtype=torch.float32, device=dev)
        if self.device.type == "cuda":
            self._host = [torch.zeros(1, dtype=torch.long, pin_memory=True) for _ in range(2)]
            self._events = [torch.cuda.Event() for _ in range(2)]

    def warm_up(self, on_progress: Callable[[float, str], None] | None = None) -> float:
        """Compile and capture every step graph now, so no answer waits for a compile; returns seconds."""
        report = on_progress or (lambda _f, _s: None)
        t0 = time.perf_counter()
        if self.use_graphs:
            compile_cache.use_disk_cache(beside := compile_cache.artifacts_file(self.owner, self.eight_bit))
            self._pool = torch.cuda.graph_pool_handle()
            todo = [(w, g) for g in (True, False) for w in self.windows]
            self.warm_phases = {}
            known = {id(m) for m in step_tuning.compiled_modules()}
            for i, (w, greedy) in enumerate(todo):
                report(i / len(todo), phrase("Preparing fast generation ({i}/{n})", i=i + 1, n=len(todo)))
                t1 = time.perf_counter()
                self._capture(w, greedy)
                torch.cuda.synchronize(self.device)
                self.warm_phases[f"{'greedy' if greedy else 'sampled'}-{w}"] = round(time.perf_counter() - t1, 2)
            # the compiler tuned each kernel alone; on a cold start, re-rank its near-best
            # settings of the matrix products by timing the whole step (step_tuning)
            report(1.0, phrase("Preparing fast generation (timing the step)"))
            t1 = time.perf_counter()
            self.step_choice = self._tune_by_step([m for m in step_tuning.compiled_modules() if id(m) not in known])
            self.warm_phases["step tuning"] = round(time.perf_counter() - t1, 2)
            if self.speculate:  # after the step tuning, which times the step's kernels only
                t1 = time.perf_counter()
                self.verifier.capture_all()
                torch.cuda.synchronize(self.device)
                self.warm_phases["verify"] = round(time.perf_counter() - t1, 2)
            # the prompt pass is eager: its first run loads the kernels it uses (with cuDNN's
            # attention, before _prompt_attention, up to 1.9 s on an H200); the first question
            # must not wait for that
            t1 = time.perf_counter()
            with torch.no_grad():
                for n in (n for n in WARM_PROMPTS if n <= self.max_len):
                    self._prefill(self._arange[:n].view(1, n) % 2, True)
            torch.cuda.synchronize(self.device)
            self.warm_phases["prompt"] = round(time.perf_counter() - t1, 2)
            _log.info("fast decode warm-up by graph: %s", self.warm_phases)
            compile_cache.keep_beside(beside)  # a new data folder, or another user, then starts warm
        else:
            with torch.no_grad():
                for t in (0.0, 1.0):  # greedy, sampled
                    settings = SimpleNamespace(max_new_tokens=2, temperature=t, top_p=1.0, seed=0)
                    list(self.decode([0, 1], settings=settings, eos_ids=set(), should_stop=lambda: False))
        report(1.0, phrase("Fast generation ready"))
        self.warm_s = time.perf_counter() - t0
        _log.info("fast decode path ready in %.1f s (cache %d positions, windows %s)", self.warm_s, self.max_len,
                  self.windows)
        return self.warm_s

    def _tune_by_step(self, modules: list) -> step_tuning.Choice:
        """Re-rank the large kernels' tuned settings by the greedy step's time; recapture if any changed."""
        if not self.use_compile:
            return step_tuning.Choice()
        return step_tuning.tune_decoder(self, modules)

    def _step(self, window: int, greedy: bool) -> None:
        """One token through the model, reading and writing only device buffers (graph-capturable)."""
        D = self.shape.head_dim
        h = F.embedding(self._tok, self._embed)
        cos = self._cos.index_select(0, self._pos).view(1, 1, 1, D)
        sin = self._sin.index_select(0, self._pos).view(1, 1, 1, D)
        for i, w in enumerate(self._layer_w):
            h = self._layer_c(h, cos, sin, self._pos, *w, *self._cache(i, window))
        nxt = self._heads_c[greedy](h, self._norm_w, self._lm_w, self._temperature, self._top_p, self._seed, self._pos,
                                    self._seen, self._penalty)
        self._tok.copy_(nxt.view(1, 1))
        self._seen.index_fill_(0, nxt.view(-1), True)
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
        """Add ``delta`` to one projection's weight in place (e.g. a LoRA ``scale * B @ A``); the
        projections are views of the fused weights the graphs read, so the next token uses it.
        ``proj_name`` is one of q/k/v/o/gate/up/down_proj (``fast_weights.merge_delta``)."""
        merge_delta(self.model, layer_idx, proj_name, delta)

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
                    if not is_view_of(mods, w, b):
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
                        point(mods, w, b)
        if self._addresses() != self._ptrs:
            if any(p.device != self.device or p.dtype != self.dtype for p in (self._embed, self._lm_w)):
                raise FastPathUnavailable("weights moved to another device or type")
            _log.info("model weights were replaced; capturing the decode graphs again")
            self._collect()
            if self.use_graphs:
                for key in list(self._graphs):
                    self._capture(*key)
                self.verifier.recapture()

    # -- decoding ------------------------------------------------------------------------

    def _set_sampling(self, settings) -> bool:
        greedy = settings.temperature <= 0
        self._seen.zero_()
        self._penalty.fill_(float(getattr(settings, "repetition_penalty", 1.0) or 1.0))
        if not greedy:
            self._temperature.fill_(float(settings.temperature))
            self._top_p.fill_(float(settings.top_p) if 0 < settings.top_p < 1 else 2.0)
            seed = settings.seed if settings.seed is not None else secrets.randbits(31)
            self._seed.fill_(int(seed) & 0x7FFFFFFF)
        return greedy

    def _prefill(self, ids, greedy: bool):
        """Run the prompt through the model eagerly (any length, nothing to recompile); the first token."""
        with prompt_attention(self.device):
            return self._prefill_pass(ids, greedy)

    def _prefill_pass(self, ids, greedy: bool):
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
        first = self._heads_c[greedy](h[0, -1:].unsqueeze(0), self._norm_w, self._lm_w, self._temperature, self._top_p,
                                      self._seed, self._arange[n - 1:n].clone(), self._seen, self._penalty)
        self._seen.index_fill_(0, first.view(-1), True)
        return first

    def decode(self, prompt_ids: Sequence[int], *, settings, eos_ids: set[int],
               should_stop: Callable[[], bool]) -> Iterator[int]:
        n = len(prompt_ids)
        max_new = int(settings.max_new_tokens)
        if n == 0 or max_new <= 0:
            return
        if getattr(settings, "no_repeat_ngram_size", 0) > 0:
            raise FastPathUnavailable("blocking repeated n-grams runs on the plain path")
        if n + max_new - 1 > self.max_len:
            raise FastPathUnavailable(f"the prompt and answer ({n} + {max_new} tokens) exceed the fast path's "
                                      f"{self.max_len}-token cache")
        with torch.no_grad():
            self._sync()
            greedy = self._set_sampling(settings)
            ids = torch.tensor([list(prompt_ids)], dtype=torch.long, device=self.device)
            first = self._prefill(ids, greedy)
            self.spec_stats = None
            if greedy and self.speculate and speculate.applies(settings):
                spec = speculate.Speculator(k=self.verifier.draft, eos_ids=sorted(eos_ids), adaptive=not self.use_graphs)
                self.spec_stats = spec.stats
                yield from speculate.speculative_tokens(int(first.item()), prompt_ids=prompt_ids, max_new=max_new,
                                                        eos_ids=eos_ids, should_stop=should_stop, step=self._step_once,
                                                        verify=self.verifier.run, spec=spec,
                                                        max_draft=self.verifier.room,
                                                        stretch=self._stretch if self.use_graphs else None)
            elif self.use_graphs:
                yield from self._decode_graphs(first, n, max_new, greedy, eos_ids, should_stop)
            else:
                yield from self._decode_eager(first, n, max_new, greedy, eos_ids, should_stop)

    def _decode_eager(self, first, n, max_new, greedy, eos_ids, should_stop) -> Iterator[int]:
        token = int(first.item())
        for i in range(max_new):
            yield token
            if token in eos_ids or should_stop() or i + 1 == max_new:
                return
            token = self._eager_step(token, n + i, greedy)

    def _eager_step(self, token: int, p: int, greedy: bool) -> int:
        """Put ``token`` at position ``p`` without graphs; the next token."""
        D = self.shape.head_dim
        h = F.embedding(torch.tensor([[token]], device=self.device), self._embed)
        pos = self._arange[p:p + 1]
        cos, sin = self._cos[p:p + 1].view(1, 1, 1, D), self._sin[p:p + 1].view(1, 1, 1, D)
        window = self._window(p) if self.use_compile else p + 1  # compiled shapes come from a fixed set
        for j, w in enumerate(self._layer_w):
            h = self._layer_c(h, cos, sin, pos, *w, *self._cache(j, window))
        nxt = self._heads_c[greedy](h, self._norm_w, self._lm_w, self._temperature, self._top_p, self._seed, pos,
                                    self._seen, self._penalty)
        self._seen.index_fill_(0, nxt.view(-1), True)
        return int(nxt.item())

    def _stretch(self, token: int, p: int, count: int) -> Iterator[int]:
        """The ``count`` greedy tokens after ``token`` at position ``p``, graphs queued one token ahead."""
        first = torch.tensor([token], dtype=torch.long, device=self.device)
        tokens = self._decode_graphs(first, p, count + 1, True, set(), lambda: False)
        next(tokens)  # ``token`` itself, produced already
        yield from tokens

    def _step_once(self, token: int, p: int) -> int:
        """One greedy token after ``token`` at position ``p`` (a speculative answer's single step)."""
        if not self.use_graphs:
            return self._eager_step(token, p, True)
        self._tok.fill_(token)
        self._pos.fill_(p)
        self._graphs[(self._window(p), True)].replay()
        self._host[0].copy_(self._tok.view(1), non_blocking=True)
        self._events[0].record()
        self._events[0].synchronize()
        return int(self._host[0][0])

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
        self.verifier.clear()
        self._kc, self._vc = [], []


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

