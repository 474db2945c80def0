"""The fast path's verify pass: the current token and a draft through the model at once.

A speculative step (``desktop.engine.speculate``) puts T tokens at positions p..p+T-1 of
the static cache and needs the model's greedy choice after each. On a GPU that is one more
captured graph per attention window, over a fixed T (``DRAFT_GRAPH + 1``; a shorter draft
is padded, and what the padding writes to the cache lies past the kept positions, where the
next pass writes again before anything reads it). The decoder layer is compiled for it under
a code object of its own (``fast_step.make_verify_layer``), so the one-token step's compiled
kernels are not touched. On a CPU the pass runs eagerly at the draft's exact length.
Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from desktop.engine.fast_step import make_verify_head, make_verify_layer
from desktop.engine.speculate import DRAFT_EAGER, DRAFT_GRAPH, accepted_tokens


class VerifyPass:
    """Verify passes for one ``FastDecoder`` (its weights, cache and position buffer)."""

    def __init__(self, fd, *, options: dict[str, Any] | None = None, width: int | None = None) -> None:
        self.fd = fd
        self.draft = int(width - 1) if width else (DRAFT_GRAPH if fd.use_graphs else DRAFT_EAGER)
        self.width = self.draft + 1  # tokens in a captured pass
        self._layer = self._layer_c = make_verify_layer(fd._layer)
        self._head = self._head_c = make_verify_head(fd.shape)
        if fd.use_compile:
            self._layer_c = torch.compile(self._layer, fullgraph=True, dynamic=None, options=options or {})
            self._head_c = torch.compile(self._head, fullgraph=True, dynamic=False, options=options or {})
        self._graphs: dict[int, Any] = {}
        dev = fd.device
        self._tok = torch.zeros(1, self.width, dtype=torch.long, device=dev)
        self._out = torch.zeros(self.width, dtype=torch.long, device=dev)
        self._steps = torch.arange(self.width, device=dev)
        if dev.type == "cuda":
            self._host_in = torch.zeros(1, self.width, dtype=torch.long, pin_memory=True)
            self._host_out = torch.zeros(self.width, dtype=torch.long, pin_memory=True)
            self._done = torch.cuda.Event()

    def room(self, pos: int) -> int:
        """The longest draft a pass starting at ``pos`` may carry (the cache ends at ``max_len``)."""
        if self.fd.use_graphs:
            return self.draft if pos + self.width <= self.fd.max_len else 0
        return max(0, min(self.draft, self.fd.max_len - pos - 1))

    # -- graphs ----------------------------------------------------------------------------

    def _graph_pass(self, window: int) -> None:
        """The pass over device buffers only: tokens ``_tok`` at positions ``fd._pos + 0..T-1``."""
        fd, D = self.fd, self.fd.shape.head_dim
        pos = fd._pos + self._steps
        h = F.embedding(self._tok, fd._embed)
        cos = fd._cos.index_select(0, pos).view(1, 1, self.width, D)
        sin = fd._sin.index_select(0, pos).view(1, 1, self.width, D)
        for i, w in enumerate(fd._layer_w):
            h = self._layer_c(h, cos, sin, pos, *w, *fd._cache(i, window))
        self._out.copy_(self._head_c(h, fd._norm_w, fd._lm_w, self._tok, fd._seen, fd._penalty))

    def capture(self, window: int) -> None:
        fd = self.fd
        with torch.no_grad():
            side = torch.cuda.Stream(fd.device)
            side.wait_stream(torch.cuda.current_stream(fd.device))
            with torch.cuda.stream(side):
                for _ in range(2):  # the first call compiles (or loads from the disk cache)
                    fd._pos.fill_(0)
                    self._graph_pass(window)
            torch.cuda.current_stream(fd.device).wait_stream(side)
            fd._pos.fill_(0)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph, pool=fd._pool):
                self._graph_pass(window)
        self._graphs[window] = graph

    def capture_all(self) -> None:
        for window in self.fd.windows:
            self.capture(window)

    def recapture(self) -> None:
        for window in list(self._graphs):
            self.capture(window)

    def clear(self) -> None:
        self._graphs.clear()

    # -- one pass --------------------------------------------------------------------------

    def run(self, tokens: list[int], pos: int) -> list[int]:
        """Put ``tokens`` at ``pos``, ``pos + 1``, ...; the model's greedy choice after each.
        The tokens the answer keeps are marked as used (the repetition penalty's record)."""
        predicted = self._eager(tokens, pos) if not self.fd.use_graphs else self._replay(tokens, pos)
        kept = accepted_tokens(tokens[1:], predicted)
        self.fd._seen[torch.tensor(kept, dtype=torch.long, device=self.fd.device)] = True
        return predicted

    def _replay(self, tokens: list[int], pos: int) -> list[int]:
        n = len(tokens)
        if n > self.width:
            raise ValueError(f"a verify pass takes at most {self.width} tokens, not {n}")
        padded = list(tokens) + [tokens[-1]] * (self.width - n)
        window = self.fd._window(pos + self.width - 1)
        graph = self._graphs.get(window)
        if graph is None:
            self.capture(window)
            graph = self._graphs[window]
        self._host_in[0] = torch.tensor(padded, dtype=torch.long)
        self._tok.copy_(self._host_in, non_blocking=True)
        self.fd._pos.fill_(pos)
        graph.replay()
        self._host_out.copy_(self._out, non_blocking=True)
        self._done.record()
        self._done.synchronize()
        return self._host_out[:n].tolist()

    def _eager(self, tokens: list[int], pos: int) -> list[int]:
        fd, D, n = self.fd, self.fd.shape.head_dim, len(tokens)
        h = F.embedding(torch.tensor([tokens], dtype=torch.long, device=fd.device), fd._embed)
        positions = fd._arange[pos:pos + n]
        cos, sin = fd._cos[pos:pos + n].view(1, 1, n, D), fd._sin[pos:pos + n].view(1, 1, n, D)
        window = fd._window(pos + n - 1) if fd.use_compile else pos + n
        for i, w in enumerate(fd._layer_w):
            h = fd._layer(h, cos, sin, positions, *w, *fd._cache(i, window))
        tok = torch.tensor([tokens], dtype=torch.long, device=fd.device)
        return self._head(h, fd._norm_w, fd._lm_w, tok, fd._seen, fd._penalty).tolist()
