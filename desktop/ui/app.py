"""Starting the window: the application object, style, language, the context, and
either the event loop or a one-off screenshot.

``run_app`` is what ``main.py`` calls with no subcommand. The window shows at once;
the model loads afterwards on the model thread behind the status bar's progress.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def make_app():
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("TermLens")
    app.setOrganizationName("TermLens")
    icon = RESOURCES / "icons" / "termlens.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    qss = RESOURCES / "style.qss"
    if qss.is_file():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    return app


def run_app(*, screenshot: str | None = None, lang: str | None = None, model: str | None = None) -> int:
    """Open the main window (or, with ``screenshot``, render it into a PNG and exit)."""
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_app()
    from PySide6.QtCore import QTimer

    from desktop.ui import i18n
    from desktop.ui.context import open_context
    from desktop.ui.main_window import MainWindow

    ctx = open_context(model=model, sample=bool(screenshot))
    if lang:
        ctx.settings.language = i18n.normalize(lang)
    i18n.set_language(ctx.settings.language, app)
    if screenshot:
        from desktop.ui.screenshot import render_screenshot

        return render_screenshot(ctx, Path(screenshot))
    window = MainWindow(ctx)
    window.show()
    QTimer.singleShot(0, window.start)
    return int(app.exec())
