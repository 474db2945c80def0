"""Work that needs no model but takes seconds, each on a ``QThread`` of its own, so the
window stays responsive and the model thread stays free to answer.

``GlossaryTask``: glossary work (import, export, ICD-10-CM, starters). The task opens its
own connection to the glossary database (SQLite in WAL mode lets the GUI keep reading);
the GUI store's ``changed`` callbacks do not see those writes, so the caller rebuilds the
matcher when ``done`` arrives. ``fn(store, on_progress, should_stop)``.

``BackgroundJob`` runs any other such function (``fn(on_progress, should_stop)``: making
training pairs, reading documents) on its own thread in the same way.

Both have their own ``stop()``; neither touches widgets. QtCore only.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal

from desktop.workers.model_worker import describe_error
from glossary.errors import GlossaryImportError
from glossary.store import GlossaryStore


class BackgroundJob(QThread):
    """``fn(on_progress=, should_stop=)`` on its own thread; the result or a sentence comes back."""

    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, doing: str, fn: Callable[..., Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doing = doing
        self.fn = fn
        self.stop_event = threading.Event()

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        try:
            result = self.fn(on_progress=lambda done, total: self.progress.emit(int(done), int(total)),
                             should_stop=self.stop_event.is_set)
        except BaseException as exc:  # noqa: BLE001 - reported to the person as a sentence
            self.failed.emit(describe_error(exc, self.doing))
            return
        self.done.emit(result)


class GlossaryTask(QThread):
    progress = Signal(object)  # whatever fn reports: (done, total) for the glossary functions
    done = Signal(object)  # fn's result
    failed = Signal(str, list)  # sentence, import report (problems as text)

    def __init__(self, name: str, fn: Callable[..., Any], *, store: GlossaryStore,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.fn = fn
        self.store = store
        self.stop_event = threading.Event()

    def stop(self) -> None:
        self.stop_event.set()

    def _call(self, store: GlossaryStore) -> None:
        try:
            result = self.fn(store, on_progress=lambda *p: self.progress.emit(p),
                             should_stop=self.stop_event.is_set)
            self.done.emit(result)
        except GlossaryImportError as exc:
            self.failed.emit(str(exc), [str(p) for p in exc.report])
        except BaseException as exc:  # noqa: BLE001 - reported to the person, never a traceback
            self.failed.emit(describe_error(exc, self.name), [])

    def run(self) -> None:
        store = GlossaryStore(self.store.path, connect=self.store.connect)
        try:
            self._call(store)
        finally:
            store.close()

    def begin(self) -> None:
        """Start on a thread of its own, with a connection of its own to the glossary."""
        self.start()
