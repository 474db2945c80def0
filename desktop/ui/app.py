"""The Qt application object: its name, icon, style sheet and language, and whether a
window can be opened here at all.

Where Qt could not open a window (no display; on X11 without the xcb libraries Qt's
plugin loads, such as ``libxcb-cursor0``, which desktops do not always have),
``display_problem`` gives one sentence saying what to install, instead of Qt's abort.
What is opened and in which order at start is the composition root's (``desktop.app``).
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


def set_language(app, lang: str | None) -> str:
    """Translate the interface into ``lang`` ("en", "zh", "zh_CN"; None: the saved setting);
    returns the language used, as the settings spell it."""
    from desktop.storage import config
    from desktop.ui import i18n

    language = i18n.normalize(lang) if lang else config.load().language
    i18n.set_language(language, app)
    return language
