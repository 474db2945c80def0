"""The model thread: one QObject that owns the model for the app's whole life.

``ModelWorker`` lives on its own ``QThread``. Loading, generation and any other model
job (training, evaluation) are queued to it as signals and run one at a time; results
come back as signals. The GUI thread never waits on it. Stop is a ``threading.Event``
the GUI sets directly; the engine checks it every token and every training step.

Text deltas are batched: at most one ``tokens`` signal per frame (~16 ms), so a fast
model cannot flood the GUI's event queue.

Runs engine code on the model thread; never touches widgets. Imports QtCore only.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop import log
from desktop.workers.thread_state import keep_thread_state
from glossary.errors import TermLensError, translated

_log = log.get("worker")

FRAME_S = 0.016


@dataclass
class GenerateRequest:
    messages: list[dict]
    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 0.9
    seed: int | None = None
    tag: Any = None  # passed back in ``finished`` so the UI knows which answer ended


@dataclass
class Job:
    """Any work that needs the model: ``fn(lm, on_progress, should_stop) -> result``."""

    name: str
    fn: Callable[..., Any]
    needs_model: bool = True
    kwargs: dict = field(default_factory=dict)


def describe_error(exc: BaseException, doing: str) -> str:
    """The sentence a person sees for an exception (known errors carry their own)."""
    if isinstance(exc, TermLensError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return f"The computer ran out of memory while {doing}. Close other programs or choose a smaller model."
    _log.error("unexpected error while %s:\n%s", doing, "".join(traceback.format_exception(exc)))
    return f"Something went wrong while {doing} ({type(exc).__name__}). The details are in the log."


class ModelWorker(QObject):
    loading = Signal(float, str)  # fraction, what is happening
    loaded = Signal(dict)  # name, path, device, dtype, params, load_s, memory_bytes, adapter, fast
    load_failed = Signal(str)  # sentence; the previous model (if any) stays loaded
    unloaded = Signal()
    started = Signal(object)  # the request's tag, when its prompt is ready
    prompt_ready = Signal(object, str, int)  # tag, rendered prompt, dropped turns
    tokens = Signal(str)  # batched text deltas
    finished = Signal(dict)  # text, stats, tag
    failed = Signal(str)  # sentence
    job_progress = Signal(str, object)  # job name, progress payload
    job_finished = Signal(str, object)  # job name, result
    job_failed = Signal(str, str)  # job name, sentence
    busy_changed = Signal(bool)

    _load_requested = Signal(str, str, str)
    _unload_requested = Signal()
    _generate_requested = Signal(object)
    _job_requested = Signal(object)

    def __init__(self, *, load_fn: Callable | None = None) -> None:
        super().__init__()
        self.lm = None
        self.info: dict = {}  # what ``loaded`` last said of the model in use ({} when none)
        self.stop_event = threading.Event()
        self._load_fn = load_fn
        self._load_requested.connect(self._do_load)
        self._unload_requested.connect(self._do_unload)
        self._generate_requested.connect(self._do_generate)
        self._job_requested.connect(self._do_job)

    # ---- called from the GUI thread -------------------------------------------------
    def request_load(self, path: str, device: str = "", weights: str = "full") -> None:
        """Load the model folder ``path``; ``weights`` "int8" quantises its linear layers to 8 bits."""
        self._load_requested.emit(path, device, weights)

    def request_unload(self) -> None:
        self._unload_requested.emit()

    def request_generate(self, request: GenerateRequest) -> None:
        self.stop_event.clear()
        self._generate_requested.emit(request)

    def request_job(self, job: Job) -> None:
        self.stop_event.clear()
        self._job_requested.emit(job)

    def stop(self) -> None:
        """Ask the running job to end; safe from any thread."""
        self.stop_event.set()

    # ---- on the model thread ----------------------------------------------------------
    def _info(self) -> dict:
        lm = self.lm
        from desktop.engine.models import free_memory

        mem = None
        try:
            if lm.device.startswith("cuda"):
                import torch

                mem = int(torch.cuda.memory_allocated())
            else:
                import os

                import psutil

                mem = int(psutil.Process(os.getpid()).memory_info().rss)
        except Exception:  # noqa: BLE001 - memory is informative only
            mem = None
        self.info = {
            "name": lm.info.name, "path": str(lm.info.path), "device": lm.device, "dtype": lm.dtype,
            "params": lm.info.n_params, "load_s": lm.load_s, "memory_bytes": mem,
            "free_bytes": free_memory(lm.device), "adapter": lm.adapter or "",
            "fast": getattr(lm.fast, "name", "") if lm.fast is not None else "",
            "context_length": lm.context_length, "fingerprint": lm.fingerprint,
            "weights": getattr(lm, "weights", "full"),
        }
        return dict(self.info)

    @Slot(str, str, str)
    def _do_load(self, path: str, device: str, weights: str) -> None:
        self.busy_changed.emit(True)
        try:
            from desktop.engine import models

            load = self._load_fn or models.load_model  # on CUDA it also prepares the fast path
            lm = load(path, device=device or None, on_progress=lambda f, s: self.loading.emit(f, translated(s)),
                      weights=weights or "full")
            previous, self.lm = self.lm, lm
            if previous is not None:
                models.unload(previous)
            models.settle_heap()
            _log.info("model loaded: %s on %s (%s, %s weights) in %.2f s", lm.info.name, lm.device, lm.dtype,
                      getattr(lm, "weights", "full"), lm.load_s)
            self.loaded.emit(self._info())
        except BaseException as exc:  # noqa: BLE001 - the thread must survive any failure
            self.load_failed.emit(describe_error(exc, "loading the model"))
        finally:
            self.busy_changed.emit(False)

    @Slot()
    def _do_unload(self) -> None:
        from desktop.engine import models

        models.unload(self.lm)
        self.lm = None
        self.info = {}
        self.unloaded.emit()

    @Slot(object)
    def _do_generate(self, req: GenerateRequest) -> None:
        if self.lm is None:
            self.failed.emit("No model is loaded yet. Wait for the model to finish loading, or load one.")
            return
        self.busy_changed.emit(True)
        pending: list[str] = []
        last = time.perf_counter()
        try:
            from desktop.engine import generate

            settings = generate.GenerationSettings(
                max_new_tokens=req.max_new_tokens, temperature=req.temperature, top_p=req.top_p, seed=req.seed
            )
            gen = generate.stream(self.lm, req.messages, settings=settings, should_stop=self.stop_event.is_set)
            self.prompt_ready.emit(req.tag, gen.prompt.text, gen.prompt.dropped_turns)
            self.started.emit(req.tag)
            for delta in gen:
                pending.append(delta)
                now = time.perf_counter()
                if now - last >= FRAME_S:
                    self.tokens.emit("".join(pending))
                    pending.clear()
                    last = now
            if pending:
                self.tokens.emit("".join(pending))
            self.finished.emit({"text": gen.text, "stats": asdict(gen.stats), "tag": req.tag,
                                "prompt": gen.prompt.text, "messages": gen.prompt.messages,
                                "adapter": self.lm.adapter or ""})
            _log.info("answer: %d prompt tokens, %d new tokens, %.1f tok/s, %s", gen.stats.prompt_tokens,
                      gen.stats.new_tokens, gen.stats.tok_s, gen.stats.finish_reason)
        except BaseException as exc:  # noqa: BLE001
            if pending:
                self.tokens.emit("".join(pending))
            self.failed.emit(describe_error(exc, "answering"))
        finally:
            self.busy_changed.emit(False)

    @Slot(object)
    def _do_job(self, job: Job) -> None:
        if job.needs_model and self.lm is None:
            self.job_failed.emit(job.name, "No model is loaded yet.")
            return
        self.busy_changed.emit(True)
        try:
            result = job.fn(self.lm, on_progress=lambda p: self.job_progress.emit(job.name, p),
                            should_stop=self.stop_event.is_set, **job.kwargs)
            self.job_finished.emit(job.name, result)
            if job.needs_model and self.lm is not None:
                self.loaded.emit(self._info())  # an adapter may have changed
        except BaseException as exc:  # noqa: BLE001
            self.job_failed.emit(job.name, describe_error(exc, job.name))
        finally:
            self.busy_changed.emit(False)


class ModelThread:
    """Owns the QThread and the worker; ``shutdown()`` stops the job and joins the thread."""

    def __init__(self, worker: ModelWorker | None = None) -> None:
        self.thread = QThread()
        self.thread.setObjectName("model-thread")
        self.worker = worker or ModelWorker()
        self.worker.moveToThread(self.thread)
        keep_thread_state(self.thread)  # one Python thread state for every job (thread_state says why)
        self.thread.start()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop the running job and the thread; False when it is still busy after ``timeout_ms``
        (a model load cannot be interrupted: see ``exit_if_still_running``)."""
        self.worker.stop()
        self.thread.quit()
        if not self.thread.wait(timeout_ms):
            _log.warning("model thread did not stop within %d ms", timeout_ms)
            return False
        return True

    def exit_if_still_running(self, code: int) -> None:
        """End the process now, with ``code``, if the model thread is still busy.

        Called once everything else is closed. Python's shutdown would destroy the running
        QThread, which Qt answers with an abort (a crash report for a window the person
        simply closed during a long model load); leaving at once skips that.
        """
        if self.thread.isRunning():
            _log.warning("leaving while the model thread is still busy")
            logging.shutdown()
            os._exit(code)
