"""Every job on the model thread runs with the same Python thread state.

PySide otherwise gives each slot call on a QThread a fresh state and drops it afterwards,
and torch's C++ side, taking the GIL through pybind11, could then wait for a GIL the
thread itself held: the window froze at the start of an answer (desktop.workers.thread_state).
"""

from __future__ import annotations

import ctypes

from PySide6.QtCore import QObject, Signal, Slot

from desktop.workers.model_worker import ModelThread

_current = ctypes.pythonapi.PyThreadState_Get
_current.restype = ctypes.c_void_p


class _Jobs(QObject):
    run = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.states: list[int] = []
        self.run.connect(self.job)

    @Slot()
    def job(self) -> None:
        self.states.append(_current())
        import torch

        base = torch.zeros(8)
        assert base[2:5].data_ptr() == base.data_ptr() + 2 * base.element_size()  # a view, as the fast path makes

    def stop(self) -> None:
        pass


def _three_jobs(qtbot, jobs: _Jobs) -> list[int]:
    for _ in range(3):
        jobs.run.emit()
    qtbot.waitUntil(lambda: len(jobs.states) == 3, timeout=10_000)
    return jobs.states


def test_the_model_thread_keeps_one_python_thread_state_for_all_its_jobs(qtbot):
    jobs = _Jobs()
    mt = ModelThread(jobs)
    try:
        states = _three_jobs(qtbot, jobs)
    finally:
        assert mt.shutdown()
    assert len(set(states)) == 1
