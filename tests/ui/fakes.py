"""A fast fake model for window tests: a ``ModelWorker`` whose load and generation
need no engine. Only the engine's part is replaced (``_load``, ``_info``,
``_open_stream``): handles, per-frame batching, the stop check and error sentences are
the real worker's. It streams a fixed answer at ``rate`` tokens a second, paced by the
clock, and reports as prompt the messages it was given (so tests can read what reached
the model).
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Callable

from desktop.engine.generate import GenerationStats  # plain data: imports neither torch nor transformers
from desktop.workers.model_worker import ModelWorker
from glossary.errors import TermLensError

ANSWER = "CKD-EPI estimates the **glomerular filtration rate** from serum creatinine. " * 40


def render(messages: list[dict]) -> str:
    return "".join(f"<|{m['role']}|>\n{m['content']}\n" for m in messages) + "<|assistant|>\n"


class FakeStream:
    """What ``desktop.engine.generate.stream`` returns, for a fixed answer at a fixed rate."""

    def __init__(self, req, *, answer: str, rate: float, should_stop: Callable[[], bool]) -> None:
        text = render(req.messages)
        self.prompt = SimpleNamespace(text=text, dropped_turns=0, messages=list(req.messages))
        self.text = ""
        self.stats = GenerationStats(prompt_tokens=len(text) // 4, finish_reason="length")
        self._req, self._words, self._rate, self._should_stop = req, answer.split(" "), rate, should_stop

    def __iter__(self):
        t0 = time.perf_counter()
        for i in range(self._req.max_new_tokens):
            if self._should_stop():
                self.stats.finish_reason = "stopped"
                break
            due = t0 + (i + 1) / self._rate  # paced by the clock, so the rate holds at 1,000 tokens/s too
            while (now := time.perf_counter()) < due:
                time.sleep(min(0.001, due - now))
            piece = (" " if i else "") + self._words[i % len(self._words)]
            self.text += piece
            self.stats.new_tokens += 1
            if i == 0:
                self.stats.ttft_s = time.perf_counter() - t0
            yield piece
        self.stats.total_s = time.perf_counter() - t0
        self.stats.tok_s = self.stats.new_tokens / max(self.stats.total_s, 1e-6)


class FakeWorker(ModelWorker):
    def __init__(self, *, rate: float = 200.0, fail_generate: str | None = None,
                 fail_load: str | None = None, answer: str = ANSWER) -> None:
        super().__init__()
        self.rate = rate
        self.answer = answer
        self.fail_generate = fail_generate
        self.fail_load = fail_load
        self.requests: list = []

    def _load(self, path: str, device: str, weights: str) -> None:
        if self.fail_load:
            raise TermLensError(self.fail_load)
        self.lm = SimpleNamespace(path=path, device=device or "cpu", weights=weights, adapter="")

    def _info(self) -> dict:
        lm = self.lm
        return {"name": "fake-model", "path": lm.path, "device": lm.device, "dtype": "float32",
                "memory_bytes": 123_000_000, "adapter": lm.adapter, "weights": lm.weights}

    def _open_stream(self, req, should_stop):
        self.requests.append(req)
        if self.fail_generate:
            raise TermLensError(self.fail_generate)
        return FakeStream(req, answer=self.answer, rate=self.rate, should_stop=should_stop)
