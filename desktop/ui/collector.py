"""Python's garbage collector, run only in the GUI thread while the window is open.

Why: ``desktop.heap``. ``GuiCollector.install(app)`` turns the automatic collector off and
checks the collector's counts from a timer in the GUI thread, collecting the generations
whose thresholds were crossed (Python's thresholds, so memory is reclaimed about as often
as before, only in the right thread; full passes can come more often than Python's own,
which also waits for a quarter of the long-lived objects to be new, but the objects alive
once a model has loaded are frozen out of them: ``models.settle_heap``). Other threads that must
free memory now call ``desktop.heap.collect()``, which runs here and waits.
"""

from __future__ import annotations

import gc
import threading
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop import heap, log

_log = log.get("ui")

CHECK_MS = 250  # how often the counts are looked at; a young-generation pass takes well under 1 ms
WAIT_S = 60.0  # longest a worker waits for the GUI thread to collect for it (then it goes on without)


class GuiCollector(QObject):
    _requested = Signal(object)

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._requested.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @classmethod
    def install(cls, app: QObject, *, interval_ms: int = CHECK_MS) -> "GuiCollector":
        """Collect in ``app``'s (the GUI) thread from now until the application quits."""
        self = cls(app, interval_ms=interval_ms)
        gc.disable()
        heap.set_runner(self.run_in_gui_thread)
        self._timer.start()
        if hasattr(app, "aboutToQuit"):
            app.aboutToQuit.connect(self.uninstall)
        return self

    def uninstall(self) -> None:
        """Give collection back to Python (any thread, on allocation), as before ``install``."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        heap.set_runner(None)
        if self._was_enabled:
            gc.enable()

    def check(self) -> int:
        """Collect the oldest generation whose threshold was crossed; which one, or -1."""
        counts, limits = gc.get_count(), self._threshold
        generation = -1
        for g in range(min(len(counts), len(limits))):
            if limits[g] and counts[g] > limits[g]:
                generation = g
        if generation >= 0:
            gc.collect(generation)
        return generation

    def run_in_gui_thread(self, fn: Callable[[], object]) -> bool:
        """Run ``fn`` in the GUI thread and wait for it; False if it could not. From a worker
        thread only (``heap.collect`` collects directly in the GUI thread)."""
        if self._stopped:
            return False
        done = threading.Event()
        self._requested.emit((fn, done))
        if not done.wait(WAIT_S):
            _log.warning("the window did not run a garbage collection within %.0f s; going on without it", WAIT_S)
            return False
        return True

    def _run(self, job) -> None:
        fn, done = job
        try:
            fn()
        except Exception:  # noqa: BLE001 - the waiting thread must be released whatever happens
            _log.exception("garbage collection for a worker failed")
        finally:
            done.set()
