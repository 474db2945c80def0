"""Garbage is collected in the GUI thread while the window runs, never in a worker thread.

A collection in the model thread would destroy what the GUI dropped in reference cycles
from the wrong thread (desktop.heap).
"""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtWidgets import QApplication

from desktop import heap
from desktop.ui.collector import GuiCollector


class _Dropped:
    """A cycle the GUI lets go of; notes the thread that finalises it."""

    finalised_in: list[int] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Dropped.finalised_in.append(threading.get_ident())


@pytest.fixture
def collector(qtbot):
    c = GuiCollector.install(QApplication.instance(), interval_ms=10)
    yield c
    c.uninstall()
    assert gc.isenabled()


def _busy_worker(stop: threading.Event) -> threading.Thread:
    def allocate() -> None:
        keep = []
        while not stop.is_set():  # the allocations that used to set off a collection in this thread
            keep = [{"a": [i]} for i in range(2000)]
        del keep

    t = threading.Thread(target=allocate, daemon=True)
    t.start()
    return t


def test_cycles_the_gui_drops_are_finalised_in_the_gui_thread_while_a_worker_allocates(collector, qtbot):
    _Dropped.finalised_in.clear()
    for _ in range(50):
        _Dropped()
    stop = threading.Event()
    worker = _busy_worker(stop)
    try:
        qtbot.waitUntil(lambda: len(_Dropped.finalised_in) == 50, timeout=20_000)
    finally:
        stop.set()
        worker.join()
    assert set(_Dropped.finalised_in) == {threading.main_thread().ident}
    assert not gc.isenabled()  # automatic collection (in any thread) stays off while installed


def test_a_worker_that_must_free_memory_now_has_the_gui_thread_collect_and_waits_for_it(collector, qtbot):
    seen: list[tuple[str, int]] = []

    def watch(phase, _info):
        seen.append((phase, threading.get_ident()))

    finished = threading.Event()
    gc.callbacks.append(watch)
    try:
        worker = threading.Thread(target=lambda: (heap.collect(), finished.set()), daemon=True)
        worker.start()
        qtbot.waitUntil(finished.is_set, timeout=10_000)
        worker.join()
    finally:
        gc.callbacks.remove(watch)
    full = [t for phase, t in seen if phase == "start"]
    assert full and set(full) == {threading.main_thread().ident}


def test_after_uninstall_collection_is_pythons_own_again(qtbot):
    c = GuiCollector.install(QApplication.instance(), interval_ms=10)
    assert not gc.isenabled()
    c.uninstall()
    assert gc.isenabled() and heap._runner is None
    seen: list[int] = []
    gc.callbacks.append(lambda phase, _i: phase == "start" and seen.append(threading.get_ident()))
    try:
        worker = threading.Thread(target=heap.collect)
        worker.start()
        worker.join()
    finally:
        gc.callbacks.pop()
    assert worker.ident in seen
