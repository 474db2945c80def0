"""Training pairs to and from JSON Lines files, for the Training data page.

``export_to`` writes the page's pairs (all, or those of one status) to a file; ``import_from``
adds a file's pairs to the page's set (a pair with the same id is replaced) and saves it,
keeping the set as it was when the file or the save is refused. Both report on the page's
message line, in one sentence, and return the number of pairs (None when nothing was done).
The file formats themselves are ``desktop.storage.trainingset``'s; this module only asks for
the file and tells the person. Runs on the GUI thread. Texts keep the page's translation
context ("ReviewPage").
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QCoreApplication

from desktop.storage import trainingset
from desktop.ui import file_dialogs
from glossary.errors import TermLensError


class ReviewPage(Protocol):
    """What these functions use of the page (``desktop.ui.review_page.ReviewPage``, a widget)."""

    pairs: list[dict]

    def say(self, text: str) -> None: ...

    def save(self) -> bool: ...

    def refresh(self) -> None: ...


def export_file(page: ReviewPage) -> None:
    """Ask where to save, then ``export_to``."""
    path = file_dialogs.save_file(
        page, QCoreApplication.translate("ReviewPage", "Export training pairs"), "training-pairs.jsonl",
        QCoreApplication.translate("ReviewPage", "JSON Lines (*.jsonl)"))
    if path:
        export_to(page, path)


def export_to(page: ReviewPage, path: str, *, status: str | None = None) -> int | None:
    """Write the pairs (of one status, or all) to ``path``; the number written."""
    pairs = [p for p in page.pairs if status is None or p.get("status") == status]
    try:
        n = trainingset.export_jsonl(path, pairs)
    except TermLensError as exc:
        page.say(str(exc))
        return None
    page.say(QCoreApplication.translate(
        "ReviewPage", "Exported {n} pairs to {name}. This copy is not encrypted.").format(n=n, name=Path(path).name))
    return n


def import_file(page: ReviewPage) -> None:
    """Ask for a file, then ``import_from``."""
    path = file_dialogs.open_file(
        page, QCoreApplication.translate("ReviewPage", "Import training pairs"),
        QCoreApplication.translate("ReviewPage", "JSON Lines (*.jsonl);;All files (*)"))
    if path:
        import_from(page, path)


def import_from(page: ReviewPage, path: str) -> int | None:
    """Add the pairs of a JSONL file (a pair with the same id is replaced); the number read."""
    try:
        incoming = trainingset.import_jsonl(path)
    except TermLensError as exc:
        report = getattr(exc, "report", [])
        extra = "\n" + "\n".join(report[:5]) if len(report) > 1 else ""
        page.say(str(exc) + extra)
        return None
    old = page.pairs
    page.pairs = trainingset.combine(page.pairs, incoming)
    if not page.save():
        page.pairs = old
        return None
    page.refresh()
    page.say(QCoreApplication.translate(
        "ReviewPage", "Imported {n} pairs from {name}.").format(n=len(incoming), name=Path(path).name))
    return len(incoming)
