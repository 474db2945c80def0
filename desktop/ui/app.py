"""Starting the window: the application object, style, language, the user's data, and
either the event loop or a one-off screenshot.

``run_app`` is what ``main.py`` calls with no subcommand. In order: take the data
directory (a second TermLens on it is refused with a sentence), get the data key (from
the keyring, or a passphrase asked in a dialog; where no secure keyring exists the
person is offered to choose one, never plaintext), check the database (restoring the
last good backup when it is damaged, and saying so), open the encrypted stores, take
the daily backup. The window shows at once; the model loads afterwards on the model
thread behind the status bar's progress. The screenshot run writes nothing. Where Qt
could not open a window at all (no display; on X11 without the xcb libraries Qt's
plugin loads, such as ``libxcb-cursor0``, which desktops do not always have), one
sentence says what to install, instead of Qt's abort.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


# What Qt's X11 platform plugin loads (Qt's "X11 requirements"), by Debian package
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4", "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1", "xcb-randr": "libxcb-randr0", "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0", "xcb-xkb": "libxcb-xkb1", "xkbcommon-x11": "libxkbcommon-x11-0",
}


def display_problem(env: Mapping[str, str] = os.environ, *,
                    find_library: Callable[[str], str | None] = ctypes.util.find_library) -> str | None:
    """Why Qt cannot open a window here (a sentence), or None."""
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, ...: chosen on purpose
    if not platform and env.get("WAYLAND_DISPLAY"):
        return None  # Qt takes Wayland
    if not env.get("DISPLAY"):
        return ("There is no screen to open the window on (DISPLAY is not set). Start TermLens from a desktop "
                "session, or use its commands: python main.py --help.")
    missing = [package for lib, package in XCB_LIBRARIES.items() if find_library(lib) is None]
    if missing:
        return (f"The window needs system libraries that are not installed: {', '.join(missing)}. Install them "
                f"(Debian, Ubuntu: sudo apt install {' '.join(missing)}) and start TermLens again.")
    return None


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
    problem = display_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    app = make_app()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from desktop.storage import config
    from desktop.errors import StorageError
    from desktop.ui import i18n
    from desktop.ui.context import open_context
    from desktop.ui.main_window import MainWindow

    i18n.set_language(i18n.normalize(lang) if lang else config.load().language, app)
    if screenshot:
        from desktop.ui.screenshot import render_screenshot

        ctx = open_context(model=model, sample=True)
        if lang:
            ctx.settings.language = i18n.normalize(lang)
        return render_screenshot(ctx, Path(screenshot))

    from desktop.storage.instance import SingleInstance
    from desktop.ui.collector import GuiCollector
    from desktop.ui.passphrase_dialog import obtain_key

    GuiCollector.install(app)  # garbage is collected in this thread only (desktop.heap says why)

    title = app.translate("PassphraseDialog", "TermLens")
    guard = SingleInstance()
    try:
        guard.acquire()
    except StorageError as exc:
        QMessageBox.information(None, title, str(exc))
        return 1
    key = obtain_key()
    if key is None:
        return 1
    from desktop.engine.fetch import remove_stale_work

    remove_stale_work()  # a model conversion killed half-way leaves the previous model in place
    try:
        ctx = open_context(model=model, key=key, exclusive=True)
    except StorageError as exc:
        QMessageBox.critical(None, title, str(exc))
        return 1
    ctx.instance = guard  # held until the process ends
    if lang:
        ctx.settings.language = i18n.normalize(lang)
    window = MainWindow(ctx)
    window.show()
    for note in ctx.notes:
        QTimer.singleShot(0, lambda n=note: QMessageBox.information(window, title, n))
    QTimer.singleShot(0, window.start)
    code = int(app.exec())
    ctx.close()  # done already when the window closed; a no-op then
    ctx.model_thread.exit_if_still_running(code)
    return code
