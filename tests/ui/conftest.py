"""Window fixtures: ``open_window`` builds the real main window on this test's data
directory, with the real model thread (``model_dir=...``) or a fast fake worker, and
closes it (stopping the model thread) at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

LOAD_TIMEOUT_MS = 180_000  # the first load in a process imports torch; a busy machine is slow
ANSWER_TIMEOUT_MS = 120_000


@pytest.fixture(autouse=True)
def _delete_closed_widgets(qtbot):
    """Delete the widgets a test closed before the next test runs. pytest-qt closes them and
    asks for their deletion, but only an event loop deletes them, and until then a closed
    page whose stores are closed still answers a language change of a later test."""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


@pytest.fixture
def open_window(qtbot):
    from desktop.ui.app import make_app
    from desktop.app import open_context
    from desktop.ui.main_window import MainWindow

    make_app()
    windows = []

    def make(*, model_dir: str | Path | None = None, worker=None, max_new_tokens: int = 24, wait: bool = True):
        ctx = open_context(model=str(model_dir) if model_dir else "fake-model", worker=worker)
        ctx.settings.max_new_tokens = max_new_tokens
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        win.show()
        windows.append(win)
        if worker is not None and model_dir is None:
            with qtbot.waitSignal(ctx.worker.loaded, timeout=5_000):
                win.session.open(0)
                ctx.worker.request_load("fake-model")
        elif wait:
            with qtbot.waitSignal(ctx.worker.loaded, timeout=LOAD_TIMEOUT_MS):
                win.start()
            # the signal reaches this test from the model thread at once; the window's own
            # slots run when the GUI thread gets to them
            qtbot.waitUntil(lambda: win.status.state == "loaded", timeout=10_000)
        else:
            win.start()
        return win

    yield make
    for w in windows:
        if not w.ctx.closed:
            w.close()


def ask(qtbot, win, question: str, *, timeout: int = ANSWER_TIMEOUT_MS) -> dict:
    """Type a question, press Enter, wait for the saved answer; returns it."""
    from PySide6.QtCore import Qt

    win.chat.input.setPlainText(question)
    with qtbot.waitSignal(win.session.answer_finished, timeout=timeout) as blocker:
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    return blocker.args[0]
