"""Where Python's cyclic garbage collector runs.

Left to itself the collector runs in whichever thread happens to cross its allocation
threshold: in the window often the model thread, in the middle of an answer. A collection
there destroys whatever the GUI dropped in reference cycles (widgets, timers, signal
connections) from the wrong thread, and Qt objects must be destroyed in the thread they
belong to (other Qt applications pin collection to the GUI thread for this reason:
napari, calibre, pyqtgraph). A precaution: the window's freeze at the start of an answer
seen on a GPU machine had another cause (``desktop.workers.thread_state``).

So while the window runs, ``desktop.ui.collector`` turns the automatic collector off and
collects from a timer in the GUI thread, and ``collect()`` below, called by the engine
where it must free memory now (a model unloaded, an adapter merged), hands the
collection to the GUI thread and waits for it. Without a window (command line,
benchmarks, tests) it simply collects here. Knows nothing of Qt.
"""

from __future__ import annotations

import gc
import threading
from typing import Callable

# set by the window: runs a function in the GUI thread and waits; False when it could not
_runner: Callable[[Callable[[], object]], bool] | None = None


def set_runner(runner: Callable[[Callable[[], object]], bool] | None) -> None:
    global _runner
    _runner = runner


def collect() -> None:
    """A full collection: in the GUI thread while the window runs (this thread waits), else here."""
    runner = _runner
    if runner is None or threading.current_thread() is threading.main_thread():
        gc.collect()
        return
    runner(gc.collect)
