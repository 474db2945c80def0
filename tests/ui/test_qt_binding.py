"""The Qt binding must not corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` each time a Qt method that
returns nothing is called; after enough events the interpreter aborts ("deallocating
None") and the window vanishes mid-session. pyproject.toml excludes that release; this
test catches any other release that does the same.
"""

from __future__ import annotations

import sys


def test_void_qt_calls_leave_the_count_of_none_alone(qtbot):
    from PySide6.QtWidgets import QApplication, QWidget

    w = QWidget()
    qtbot.addWidget(w)
    w.show()
    app = QApplication.instance()
    before = sys.getrefcount(None)
    for _ in range(500):
        w.setWindowTitle("TermLens")
        w.update()
        app.processEvents()
    assert sys.getrefcount(None) - before > -50  # a real leak would be -1,000 or worse
