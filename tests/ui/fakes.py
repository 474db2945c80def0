"""A fast fake model for window tests: a ``ModelWorker`` whose load and generation
need no engine. It streams a fixed answer at ``rate`` tokens a second, honours the
stop flag, batches per frame like the real worker, and reports as prompt the
messages it was given (so tests can read what reached the model).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Slot

from desktop.workers.model_worker import FRAME_S, ModelWorker

ANSWER = "CKD-EPI estimates the **glomerular filtration rate** from serum creatinine. " * 40


def render(messages: list[dict]) -> str:
    return "".join(f"<|{m['role']}|>\n{m['content']}\n" for m in messages) + "<|assistant|>\n"


class FakeWorker(ModelWorker):
    def __init__(self, *, rate: float = 200.0, fail_generate: str | None = None,
                 fail_load: str | None = None, answer: str = ANSWER) -> None:
        super().__init__()
        self.rate = rate
        self.answer = answer
        self.fail_generate = fail_generate
        self.fail_load = fail_load
        self.requests: list = []

    @Slot(str, str)
    def _do_load(self, path: str, device: str) -> None:
        if self.fail_load:
            self.load_failed.emit(self.fail_load)
            return
        self.lm = object()
        self.loaded.emit({"name": "fake-model", "path": path, "device": "cpu", "dtype": "float32",
                          "memory_bytes": 123_000_000, "adapter": ""})

    @Slot(object)
    def _do_generate(self, req) -> None:
        self.requests.append(req)
        if self.fail_generate:
            self.failed.emit(self.fail_generate)
            return
        self.busy_changed.emit(True)
        prompt = render(req.messages)
        self.prompt_ready.emit(req.tag, prompt, 0)
        words = self.answer.split(" ")
        out: list[str] = []
        pending: list[str] = []
        last = t0 = time.perf_counter()
        reason = "length"
        for i in range(req.max_new_tokens):
            if self.stop_event.is_set():
                reason = "stopped"
                break
            due = t0 + (i + 1) / self.rate  # paced by the clock, so the rate holds at 1,000 tokens/s too
            while (now := time.perf_counter()) < due:
                time.sleep(min(0.001, due - now))
            piece = (" " if i else "") + words[i % len(words)]
            out.append(piece)
            pending.append(piece)
            if now - last >= FRAME_S:
                self.tokens.emit("".join(pending))
                pending.clear()
                last = now
        if pending:
            self.tokens.emit("".join(pending))
        total = time.perf_counter() - t0
        self.finished.emit({"text": "".join(out), "tag": req.tag, "prompt": prompt, "adapter": "",
                            "stats": {"new_tokens": len(out), "tok_s": len(out) / max(total, 1e-6),
                                      "total_s": total, "finish_reason": reason, "prompt_tokens": len(prompt) // 4}})
        self.busy_changed.emit(False)
