"""File dialogs that open where the person works: the folder last used in any TermLens
file dialog during this run, else their home folder (never the folder the program was
started from, which is what Qt shows for an empty start path).

The last folder is kept on the application object, like the translators, so that each
test's application starts afresh and nothing is written outside the data folder.
GUI thread.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

_KEY = "termlens_last_folder"


def start_folder() -> str:
    """The folder a file dialog opens in: the last one used, else the home folder."""
    app = QCoreApplication.instance()
    last = app.property(_KEY) if app is not None else None
    if last and Path(last).is_dir():
        return str(last)
    return str(Path.home())


def remember(path: str) -> None:
    """Make the folder of ``path`` (or ``path`` itself, a folder) the next dialog's start."""
    app = QCoreApplication.instance()
    if path and app is not None:
        folder = path if Path(path).is_dir() else str(Path(path).parent)
        app.setProperty(_KEY, folder)


def open_file(parent: QWidget | None, title: str, filter: str, *, start: str | None = None) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, start or start_folder(), filter)
    remember(path)
    return path


def open_files(parent: QWidget | None, title: str, filter: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, start_folder(), filter)
    if paths:
        remember(paths[0])
    return paths


def save_file(parent: QWidget | None, title: str, name: str, filter: str) -> str:
    """A path to write; the dialog proposes ``name`` in the start folder."""
    path, _ = QFileDialog.getSaveFileName(parent, title, os.path.join(start_folder(), name), filter)
    remember(path)
    return path


def folder(parent: QWidget | None, title: str, *, start: str | None = None) -> str:
    chosen = QFileDialog.getExistingDirectory(parent, title, start or start_folder())
    remember(chosen)
    return chosen
