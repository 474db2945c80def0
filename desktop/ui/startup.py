"""What happens right after the window shows: nothing the person does waits for it.

``show_window`` shows the main window at once, then starts three things in the background:

* the glossary's detection index (``Indexer``): built on a thread of its own from a
  connection of its own (98,186 ICD-10-CM concepts take seconds); the term panel says
  "Indexing N concepts…" meanwhile. A question asked before it is ready is answered
  without injected definitions, and the panel says its terms were not looked up. Edits
  made to the glossary during the build are applied to the index when it arrives.
* the model load, behind the status bar's progress (``MainWindow.start``);
* the daily backup (``desktop.storage.backup.start_backup``), with its progress in the
  status bar; closing the window cancels it (nothing half-written is kept).

Runs on the GUI thread; the two helper threads only build objects and report through
queued signals. Knows nothing of torch or of the engine.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar

from desktop import log
from desktop.ui.context import AppContext

_log = log.get("ui")


def _emit(signal: Any, *args: Any) -> None:
    """Emit from a helper thread; nothing to tell when the window (and this object) is gone."""
    try:
        signal.emit(*args)
    except RuntimeError:  # "Signal source has been deleted": the window was closed meanwhile
        pass


class Indexer(QObject):
    """Builds the matcher off the GUI thread and hands it to ``ctx`` when ready."""

    ready = Signal(object)  # the Matcher, on the GUI thread
    failed = Signal(str)  # why there is no index (a sentence), on the GUI thread
    _built = Signal(object, object)  # (matcher or None, error sentence or None), from the thread

    def __init__(self, ctx: AppContext, build: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._build = build
        self._changed: list[int] = []
        self._stale = False
        self.thread: threading.Thread | None = None
        self._built.connect(self._arrived)

    @property
    def building(self) -> bool:
        return self.thread is not None and self.ctx.matcher is None

    def invalidate(self) -> None:
        """The glossary changed through another connection (an import) while the index is built:
        build it again when this build ends."""
        if self.building:
            self._stale = True

    def start(self) -> None:
        self._stale = False
        self._changed.clear()
        self.ctx.store.changed.append(self._changed.extend)  # edits made while the index is built
        self.thread = threading.Thread(target=self._run, name="termlens-index", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        # No automatic garbage collection while ~100,000 concepts are read: each full pass over
        # the growing heap held the GIL, and so stopped the window, for up to 1 s (measured on
        # ICD-10-CM: longest stall of a 5 ms timer 988 ms with it, 19 ms without; the read
        # also took 6.7 s instead of 3.2 s). Nothing built here is cyclic garbage.
        collecting = gc.isenabled()
        gc.disable()
        try:
            matcher = self._build()
            # Everything made while collection was off sits in the youngest generation: the first
            # collection after ``gc.enable`` would walk all of the index's millions of objects at
            # once, holding the GIL (ICD-10-CM: 216 ms on an idle machine, up to 1.8 s under load,
            # on whichever thread allocated next, most often the GUI thread). ``gc.freeze`` moves
            # them out of the collector's reach in constant time; they live as long as the window
            # and are freed by reference counting when replaced (benchmarks/bench_start.py).
            if collecting:
                gc.freeze()
        except BaseException as exc:  # noqa: BLE001 - a sentence in the panel, never a dead thread
            _log.exception("building the detection index failed")
            _emit(self._built, None, str(exc) or type(exc).__name__)
            return
        finally:
            if collecting:
                gc.enable()
        _emit(self._built, matcher, None)

    def _arrived(self, matcher: Any, error: str | None) -> None:
        if self._changed.extend in self.ctx.store.changed:
            self.ctx.store.changed.remove(self._changed.extend)
        if matcher is None:
            self.failed.emit(error or "")
            return
        if self.ctx.closed:
            return
        if self._stale:
            self.start()
            return
        matcher.active_fields = set(self.ctx.settings.active_fields)  # changed in Settings meanwhile, perhaps
        matcher.follow(self.ctx.store, changed=self._changed)
        self.ctx.matcher = matcher
        _log.info("detection index ready")
        if getattr(matcher, "skipped", None):  # terms stored before the length limit: left out, said once
            text = self.tr("{n} concepts have a term longer than 256 characters; such terms are left out of "
                           "detection. Shorten them in the glossary (concepts {ids}).").format(
                n=len(matcher.skipped), ids=", ".join(map(str, matcher.skipped[:10])))
            QTimer.singleShot(0, lambda: QMessageBox.information(None, "TermLens", text))
        self.ready.emit(matcher)


class Startup(QObject):
    """The window's background start: the index, the model, the backup (see the module)."""

    _backup_progress = Signal(int, int)
    _backup_done = Signal(object)

    def __init__(self, window: Any, build_matcher: Callable[[], Any] | None) -> None:
        super().__init__(window)
        self.window = window
        ctx: AppContext = window.ctx
        self.ctx = ctx
        self.backup_job: Any = None
        # a line above the detected terms while the index is built
        self.index_note = QLabel()
        self.index_note.setObjectName("indexNote")
        self.index_note.setWordWrap(True)
        self.index_note.setVisible(False)
        window.terms.layout().insertWidget(1, self.index_note)
        # the backup's progress, in the status bar beside the model's
        self.backup_bar = QProgressBar()
        self.backup_bar.setObjectName("backupProgress")
        self.backup_bar.setMaximumWidth(200)
        self.backup_bar.setVisible(False)
        self.backup_bar.setAccessibleName(self.tr("Backup progress"))
        window.status.addWidget(self.backup_bar)
        self.indexer = Indexer(ctx, build_matcher, self) if build_matcher is not None else None
        self._backup_progress.connect(self._on_backup_progress)
        self._backup_done.connect(self._on_backup_done)
        window.session.question_added.connect(self._note_skipped_detection)
        if self.indexer is not None:
            window.glossary.glossary_replaced.connect(self.indexer.invalidate)

    def start(self) -> None:
        if self.indexer is not None:
            self.index_note.setText(self.tr("Indexing {n} concepts… Terms are detected once this is done.").format(
                n=f"{self.ctx.store.count():,}"))
            self.index_note.setVisible(True)
            self.indexer.ready.connect(self._on_index_ready)
            self.indexer.failed.connect(self._on_index_failed)
            self.indexer.start()
        self.window.start()  # the latest conversation, then the model behind the progress bar
        if self.ctx.key is not None:
            from desktop.storage import backup

            self.backup_job = backup.start_backup(
                key=self.ctx.key, home=self.ctx.home,
                on_progress=lambda done, total: _emit(self._backup_progress, done, total),
                on_done=lambda job: _emit(self._backup_done, job))

    def shutdown(self) -> None:
        if self.backup_job is not None and not self.backup_job.done.is_set():
            self.backup_job.cancel()
            self.backup_job.wait(5)

    # ---- the index --------------------------------------------------------------------
    def _on_index_ready(self, _matcher: Any) -> None:
        self.index_note.setVisible(False)

    def _on_index_failed(self, error: str) -> None:
        self.index_note.setText(self.tr("Terms cannot be detected: {reason}").format(reason=error))

    def _note_skipped_detection(self, *_: Any) -> None:
        if self.indexer is not None and self.indexer.building:
            self.index_note.setText(self.tr(
                "Indexing the glossary… This question's terms were not looked up, so no definitions were sent."))

    # ---- the backup -------------------------------------------------------------------
    def _on_backup_progress(self, done: int, total: int) -> None:
        self.backup_bar.setVisible(True)
        self.backup_bar.setRange(0, max(total, 1))
        self.backup_bar.setValue(done)
        self.backup_bar.setFormat(self.tr("Backup %p%"))

    def _on_backup_done(self, job: Any) -> None:
        self.backup_bar.setVisible(False)
        if job.error is not None:
            self.window.status.showMessage(self.tr("Today's automatic backup was not made: {reason}").format(
                reason=str(job.error)), 15000)
        elif job.result is not None:
            self.window.status.showMessage(self.tr("Backup saved."), 5000)


def show_window(ctx: AppContext, *, build_matcher: Callable[[], Any] | None):
    """Show the main window now, and start the index, the model and the backup behind it.

    ``build_matcher`` builds the detection index on another thread (None: ``ctx.matcher``
    is already built). Returns the window (the caller keeps it alive)."""
    from desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    startup = Startup(window, build_matcher)
    window.startup = startup
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(startup.shutdown)
    window.show()
    title = QCoreApplication.translate("PassphraseDialog", "TermLens")
    for note in ctx.notes:
        QTimer.singleShot(0, lambda n=note: QMessageBox.information(window, title, n))
    QTimer.singleShot(0, startup.start)
    return window
