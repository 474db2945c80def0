"""The model thread: one QObject that owns the model for the app's whole life.

``ModelWorker`` lives on its own ``QThread``. Loading, generation and every other model
job (checking a folder, adapters, training, evaluation) are queued to it and run one at a
time; the GUI thread never waits on it.

- ``submit(job) -> JobHandle`` (``desktop.workers.handle``): the job's own ``progress``,
  ``finished`` and ``failed`` signals, emitted on the GUI thread, and its own cancel;
- ``request_generate(request) -> GenerationHandle``: one answer, whose text deltas come
  batched to at most one ``tokens`` signal per 50 ms (``FRAME_S``) so a fast model cannot flood
  the GUI's event queue; its cancel is checked every token;
- ``request_prefill(messages, max_new_tokens)``: decode the prompt of a question still being
  typed into the engine's cache (llama.cpp), so that its answer starts at once; superseded by
  the next draft and stopped by any other request;
- ``request_load`` / ``request_connect`` (a model server on the user's network,
  ``desktop.workers.server_jobs``) / ``request_unload``: the model in use is everyone's concern, so
  ``loading``, ``loaded``, ``load_failed`` and ``unloaded`` are the worker's own signals
  (``loaded`` also comes after every job that used the model: an adapter may have changed).

``stop()`` cancels every job, running or queued (the window is closing). Runs engine code
on the model thread; never touches widgets. Imports QtCore only.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from dataclasses import asdict, dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop import log
from desktop.workers.handle import FrameBatcher, GenerationHandle, Job, JobHandle
from desktop.workers.thread_state import keep_thread_state
from glossary.errors import TermLensError, translated

_log = log.get("worker")

NO_MODEL = "No model is loaded yet. Wait for the model to finish loading, or load one."


@dataclass
class GenerateRequest:
    messages: list[dict]
    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 0.9
    seed: int | None = None
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0


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
    loaded = Signal(dict)  # name, path, device, dtype, params, load_s, memory_bytes, adapter, fast, weights
    load_failed = Signal(str)  # sentence; the previous model (if any) stays loaded
    unloaded = Signal()
    busy_changed = Signal(bool)

    _load_requested = Signal(str, str, str)
    _unload_requested = Signal()
    _connect_requested = Signal(object)
    _generate_requested = Signal(object)
    _job_requested = Signal(object)
    _prefill_requested = Signal()

    def __init__(self, *, load_fn: Callable | None = None) -> None:
        super().__init__()
        self.lm = None
        self.info: dict = {}  # what ``loaded`` last said of the model in use ({} when none)
        self._load_fn = load_fn
        # handles not yet done (their outcome not yet delivered); pruned on the GUI thread only,
        # so a handle outlives its pending signals and the model thread never drops the last
        # reference to a QObject that lives on the GUI thread
        self._handles: list[JobHandle] = []
        self._handles_lock = threading.Lock()
        # the latest draft to decode ahead (messages, max_new_tokens), and a counter that every
        # request moves on: a prefill stops at its next chunk once the counter is not its own
        self._draft: tuple[list[dict], int] | None = None
        self._requests = 0
        self._load_requested.connect(self._do_load)
        self._unload_requested.connect(self._do_unload)
        self._connect_requested.connect(self._do_connect)
        self._generate_requested.connect(self._do_generate)
        self._job_requested.connect(self._do_job)
        self._prefill_requested.connect(self._do_prefill)

    # ---- called from the GUI thread -------------------------------------------------
    def request_load(self, path: str, device: str = "", weights: str = "full") -> None:
        """Load the model folder ``path``; ``weights`` "int8" quantises its linear layers to 8 bits."""
        self._supersede()
        self._load_requested.emit(path, device, weights)

    def request_connect(self, server: dict) -> None:
        """Answer through a model server: ``server`` has url, model, adapter, ca_cert, api_key."""
        self._supersede()
        self._connect_requested.emit(dict(server))

    def request_unload(self) -> None:
        self._supersede()
        self._unload_requested.emit()

    def request_prefill(self, messages: list[dict], max_new_tokens: int) -> None:
        """Decode the prompt ``messages`` would send, ahead of Send (only the newest draft counts)."""
        with self._handles_lock:
            self._requests += 1
            self._draft = ([dict(m) for m in messages], int(max_new_tokens))
        self._prefill_requested.emit()

    def _supersede(self) -> None:
        """Another request came: a prefill running or waiting gives way to it."""
        with self._handles_lock:
            self._requests += 1
            self._draft = None

    def request_generate(self, request: GenerateRequest) -> GenerationHandle:
        """Queue one answer; the handle streams it and can stop it."""
        return self._queue(GenerationHandle(request), self._generate_requested)

    def submit(self, job: Job) -> JobHandle:
        """Queue ``job``; the handle reports its progress and outcome and can cancel it."""
        return self._queue(JobHandle(job), self._job_requested)

    def stop(self) -> None:
        """Cancel every job, the running one and those queued; safe from any thread."""
        self._supersede()
        with self._handles_lock:
            for handle in self._handles:
                handle.cancel()

    def _queue(self, handle: JobHandle, request: Signal) -> JobHandle:
        self._supersede()
        with self._handles_lock:
            self._handles = [h for h in self._handles if not h.done] + [handle]
        request.emit(handle)
        return handle

    # ---- on the model thread ----------------------------------------------------------
    def _load(self, path: str, device: str, weights: str) -> None:
        """Load ``path`` and make it the model in use (the previous one is dropped after)."""
        from desktop.engine import engines

        load = self._load_fn or engines.load  # llama.cpp on a CPU when the model has a GGUF; else transformers
        lm = load(path, device=device or None, on_progress=lambda f, s: self.loading.emit(f, translated(s)),
                  weights=weights)
        self._use(lm)
        _log.info("model loaded: %s on %s (%s, %s weights) in %.2f s", lm.info.name, lm.device, lm.dtype,
                  getattr(lm, "weights", "full"), lm.load_s)

    def _use(self, lm: Any) -> None:
        """Make ``lm`` the model in use (the previous one is dropped after)."""
        from desktop.engine import models

        previous, self.lm = self.lm, lm
        if previous is not None:
            models.unload(previous)
        models.settle_heap()

    def _info(self) -> dict:
        """What ``loaded`` says of the model in use."""
        lm = self.lm
        from desktop.engine.models import free_memory

        mem = None
        server = getattr(lm, "engine", "") == "server"
        try:
            if server:
                pass  # the model's memory is the server's
            elif lm.device.startswith("cuda"):
                import torch

                mem = int(torch.cuda.memory_allocated())
            else:
                import psutil

                mem = int(psutil.Process(os.getpid()).memory_info().rss)
        except Exception:  # noqa: BLE001 - memory is informative only
            mem = None
        return {
            "name": lm.info.name, "path": lm.device if server else str(lm.info.path),  # a URL is no Path
            "device": lm.device, "dtype": lm.dtype,
            "params": lm.info.n_params, "load_s": lm.load_s, "memory_bytes": mem,
            "free_bytes": free_memory(lm.device), "adapter": lm.adapter or "",
            "fast": getattr(lm.fast, "name", "") if lm.fast is not None else "",
            "context_length": lm.context_length, "fingerprint": lm.fingerprint,
            "weights": getattr(lm, "weights", "full"),
            "engine": getattr(lm, "engine", "transformers"), "engine_reason": getattr(lm, "engine_reason", ""),
        }

    def _emit_loaded(self) -> None:
        self.info = self._info()
        self.loaded.emit(dict(self.info))

    def _open_stream(self, req: GenerateRequest, should_stop: Callable[[], bool]) -> Any:
        """The engine's answer stream: ``prompt`` (text, dropped_turns, messages), text deltas
        when iterated, then ``text`` and ``stats`` (a dataclass)."""
        from desktop.engine import generate

        settings = generate.GenerationSettings(
            max_new_tokens=req.max_new_tokens, temperature=req.temperature, top_p=req.top_p, seed=req.seed,
            repetition_penalty=req.repetition_penalty, no_repeat_ngram_size=req.no_repeat_ngram_size,
        )
        return generate.stream(self.lm, req.messages, settings=settings, should_stop=should_stop)

    @Slot(str, str, str)
    def _do_load(self, path: str, device: str, weights: str) -> None:
        self.busy_changed.emit(True)
        try:
            self._load(path, device, weights or "full")
            self._emit_loaded()
        except BaseException as exc:  # noqa: BLE001 - the thread must survive any failure
            self.load_failed.emit(describe_error(exc, "loading the model"))
        finally:
            self.busy_changed.emit(False)

    @Slot(object)
    def _do_connect(self, server: dict) -> None:
        from desktop.workers.server_jobs import connect_server

        self.busy_changed.emit(True)
        try:
            self._use(connect_server(server))
            _log.info("answering through a model server")
            self._emit_loaded()
        except BaseException as exc:  # noqa: BLE001 - the thread must survive any failure
            self.load_failed.emit(describe_error(exc, "connecting to the model server"))
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
    def _do_generate(self, handle: GenerationHandle) -> None:
        if self.lm is None:
            handle.end(failed=NO_MODEL)
            return
        self.busy_changed.emit(True)
        batch = FrameBatcher(lambda text: handle.post("tokens", text))
        try:
            gen = self._open_stream(handle.request, handle.should_stop)
            handle.post("prompt_ready", gen.prompt.text, gen.prompt.dropped_turns)
            for delta in gen:
                batch.add(delta)
            batch.flush()
            _log.info("answer: %d prompt tokens, %d new tokens, %.1f tok/s, %s", gen.stats.prompt_tokens,
                      gen.stats.new_tokens, gen.stats.tok_s, gen.stats.finish_reason)
            handle.end(result={"text": gen.text, "stats": asdict(gen.stats), "prompt": gen.prompt.text,
                                 "messages": gen.prompt.messages, "adapter": getattr(self.lm, "adapter", "") or ""})
        except BaseException as exc:  # noqa: BLE001
            batch.flush()
            handle.end(failed=describe_error(exc, "answering"))
        finally:
            self.busy_changed.emit(False)

    @Slot()
    def _do_prefill(self) -> None:
        from desktop.engine import generate

        with self._handles_lock:
            draft, self._draft, mine = self._draft, None, self._requests
        if draft is None or self.lm is None:
            return  # a newer draft or another request came first
        try:
            generate.prefill(self.lm, draft[0], max_new_tokens=draft[1], should_stop=lambda: self._requests != mine)
        except Exception as exc:  # noqa: BLE001 - decoding ahead is only a head start; the answer says what fails
            _log.info("decoding the draft ahead failed: %s: %s", type(exc).__name__, exc)

    @Slot(object)
    def _do_job(self, handle: JobHandle) -> None:
        job = handle.job
        if job.needs_model and self.lm is None:
            handle.end(failed="No model is loaded yet.")
            return
        self.busy_changed.emit(True)
        try:
            result = job.fn(self.lm, on_progress=handle.report_progress, should_stop=handle.should_stop,
                            **job.kwargs)
        except BaseException as exc:  # noqa: BLE001 - the thread must survive any failure
            handle.end(failed=describe_error(exc, job.doing))
        else:
            handle.end(result=result)
            if job.needs_model and self.lm is not None:
                self._emit_loaded()  # an adapter may have changed
        finally:
            self.busy_changed.emit(False)


class ModelThread:
    """Owns the QThread and the worker; ``shutdown()`` cancels the jobs and joins the thread."""

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
