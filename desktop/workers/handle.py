"""What a page gets back when it hands work to the model thread: a ``JobHandle``.

``ModelWorker.submit(job)`` returns one handle per job (``ModelWorker.generate(request)``
a ``GenerationHandle``). The handle carries that job's own signals, ``progress``,
``finished`` and ``failed``, and its own cancel flag, so a page connects to the jobs it
started and no other, and its Stop button stops its own job only, whether the job runs
now or still waits in the queue (a cancelled job that has not started yet runs with its
stop flag already set: it ends at its first check, as the engine's functions do when
stopped). In the spirit of Anki's ``QueryOp`` and napari's ``thread_worker``.

A handle is made on the GUI thread and lives there. The model thread never emits the
handle's signals itself: it posts them (``post``, ``end``) and the handle emits them on
its own thread when that thread's event loop gets to them. So the page that submitted a
job can connect to the handle right after ``submit`` returns and miss nothing, however
quick the job, while the job starts at once. ``cancel()`` is safe from any thread.
QtCore only; never touches widgets.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal

# at most one text signal every 50 ms (20 a second, as the chat view renders): a fast model must not
# flood the GUI's event queue, and on a 2-core machine every wake-up of the GUI thread takes a core
# from llama.cpp (16 ms: the window streamed at 78-86% of llama.cpp's own rate on the same prompt,
# the GUI thread busy 9-12% of the time; 50 ms: 85-91%, 6-8%; benchmarks/bench_gui_stream.py)
FRAME_S = 0.050


@dataclass
class Job:
    """Work for the model thread: ``fn(lm, *, on_progress, should_stop, **kwargs) -> result``.

    ``doing`` says what the job does, for the log and for the sentence of an unexpected
    failure ("Something went wrong while <doing>"); nothing dispatches on it.
    """

    doing: str
    fn: Callable[..., Any]
    needs_model: bool = True
    kwargs: dict = field(default_factory=dict)


class JobHandle(QObject):
    """One submitted job: its signals and its cancel. Emits exactly one of ``finished``/``failed``."""

    progress = Signal(object)  # whatever the job reports (a TrainProgress, (done, total, message), ...)
    finished = Signal(object)  # the job's result
    failed = Signal(str)  # a sentence a person can act on
    _posted = Signal(str, object)  # a signal's name and arguments, from the model thread

    def __init__(self, job: Job | None = None) -> None:
        super().__init__()
        self.job = job
        self._stop = threading.Event()
        self._done = False
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        """Ask this job, and only this one, to end at its next check; safe from any thread."""
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def should_stop(self) -> bool:
        """The job's stop check (every token, every training step, every scored question)."""
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        """True once ``finished`` or ``failed`` was emitted (read it on the handle's thread)."""
        return self._done

    # ---- for the worker, on the model thread ----------------------------------------------
    def post(self, signal: str, *args: Any) -> None:
        """Have the handle emit ``signal`` with ``args`` on its own thread."""
        self._posted.emit(signal, args)

    def report_progress(self, payload: Any) -> None:
        """The job's ``on_progress``."""
        self.post("progress", payload)

    def end(self, *, result: Any = None, failed: str | None = None) -> None:
        """Report the job's one outcome (the worker calls this once)."""
        if failed is None:
            self.post("finished", result)
        else:
            self.post("failed", failed)

    def _deliver(self, signal: str, args: tuple) -> None:
        if signal in ("finished", "failed"):
            self._done = True  # before the signal goes out: a slot that asks sees it done
        getattr(self, signal).emit(*args)


class GenerationHandle(JobHandle):
    """One answer: ``prompt_ready`` once the prompt is rendered, then ``tokens`` (text deltas,
    batched per frame), then ``finished`` (text, stats, prompt, messages, adapter) or ``failed``."""

    prompt_ready = Signal(str, int)  # the rendered prompt, how many old turns were left out
    tokens = Signal(str)

    def __init__(self, request: Any) -> None:
        super().__init__()
        self.request = request  # a GenerateRequest


class FrameBatcher:
    """Text deltas gathered into at most one ``emit`` per frame (``FRAME_S``): what the worker
    does with every answer, and what the tests' fake engine reuses."""

    def __init__(self, emit: Callable[[str], None], *, frame_s: float = FRAME_S) -> None:
        self._emit = emit
        self._frame_s = frame_s
        self._pending: list[str] = []
        self._last = time.perf_counter()

    def add(self, delta: str) -> None:
        self._pending.append(delta)
        now = time.perf_counter()
        if now - self._last >= self._frame_s:
            self.flush()
            self._last = now

    def flush(self) -> None:
        """Send what is pending (at the end of an answer, and before its failure is reported)."""
        if self._pending:
            self._emit("".join(self._pending))
            self._pending.clear()
