"""One Python thread state for the whole life of a QThread that runs queued slots.

PySide gives each slot call on a QThread's event loop a fresh Python thread state and
destroys it when the slot returns (``PyGILState_Ensure``/``Release`` around the call, with
nothing holding the thread's state in between). torch's C++ side takes the GIL through
pybind11 (``gil_scoped_acquire``, e.g. when a view of a tensor is made), which finds the
thread's state through Python's per-thread registration; with a state that came and went
it can take the thread for one that does not hold the GIL and wait for the GIL the thread
itself holds. Seen on a GPU machine (torch 2.11, PySide6 6.11): the model thread stopped
in ``slice`` -> ``incref_pyobject`` -> ``gil_scoped_acquire`` at the start of an answer, and
the GUI thread, waiting for the GIL, stopped with it; the window froze for good (five runs
in five one day, none in seven the day before; why it comes and goes is not proven,
probably whether the new state lands where the last one was).

``keep_thread_state(thread)`` takes one reference on the thread's state as the thread
starts and never gives it back, so every slot on that thread runs with the same state, as
in a thread Python started itself. (A ``QThread`` subclass that does its work in ``run()``
already has one state for the whole run.)
"""

from __future__ import annotations

import ctypes

from PySide6.QtCore import QThread, Qt

_ensure = ctypes.pythonapi.PyGILState_Ensure
_ensure.restype = ctypes.c_int
_ensure.argtypes = []


def _hold() -> None:
    _ensure()  # never released: the state lives as long as the thread (Python clears it at exit)


def keep_thread_state(thread: QThread) -> None:
    """Call before ``thread.start()``: its slots will all share one Python thread state."""
    thread.started.connect(_hold, Qt.ConnectionType.DirectConnection)  # runs in the new thread
