"""Importing and exporting glossary files, with the error report shown in the dialog.

Import is all-or-nothing unless "skip bad entries" is ticked; a file with problems
lists every bad line in the dialog (what and where), and nothing is changed. Entries
already in the glossary are never doubled: by default the import stops and says so, and
the person chooses to merge, skip or replace them (the "Already in the glossary" list).
A CSV file's encoding is detected unless the person names it. The file is read on a
``GlossaryTask`` thread with a progress bar. Exports neutralise spreadsheet formulas in
CSV cells unless the ``csv_neutralise_formulas`` setting is off.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget,
)

from desktop.ui import file_dialogs
from desktop.ui.feedback import plural, show_message
from desktop.workers.background import GlossaryTask
from glossary.formats.encoding import CHOICES
from glossary.model import Concept
from glossary.store import GlossaryStore

FORMATS = [("auto", ""), ("CSV", "csv"), ("JSON", "json"), ("JSON Lines", "jsonl"), ("TBX", "tbx")]
FILTER = "Glossaries (*.csv *.tsv *.txt *.json *.jsonl *.ndjson *.tbx *.xml);;All files (*)"


class ImportDialog(QDialog):
    imported = Signal(int)  # concepts added

    def __init__(self, store: GlossaryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.task: GlossaryTask | None = None
        self.setWindowTitle(self.tr("Import glossary"))
        self.resize(640, 480)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName(self.tr("File to import"))
        browse = QPushButton(self.tr("Browse…"))
        browse.setAccessibleName(self.tr("Choose the file to import"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(self.tr("File:"), row)
        self.format = QComboBox()
        for label, value in FORMATS:
            self.format.addItem(self.tr("From the file name") if value == "" else label, value)
        self.format.setAccessibleName(self.tr("File format"))
        form.addRow(self.tr("Format:"), self.format)
        self.encoding = QComboBox()
        self.encoding.addItem(self.tr("Detect"), "")
        for codec, name in CHOICES:
            self.encoding.addItem(name, codec)
        self.encoding.setAccessibleName(self.tr("Text encoding of a CSV file"))
        form.addRow(self.tr("Encoding (CSV):"), self.encoding)
        self.existing = QComboBox()
        for label, value in ((self.tr("Stop and tell me"), "ask"),
                             (self.tr("Merge: add their new terms and definitions"), "merge"),
                             (self.tr("Skip them: keep the glossary's version"), "skip"),
                             (self.tr("Replace them with the file's version"), "replace")):
            self.existing.addItem(label, value)
        self.existing.setAccessibleName(self.tr("What to do with entries already in the glossary"))
        form.addRow(self.tr("Already in the glossary:"), self.existing)
        self.skip_bad = QCheckBox(self.tr("Skip bad entries and import the rest"))
        self.skip_bad.setAccessibleName(self.tr("Skip bad entries"))
        form.addRow("", self.skip_bad)
        lay.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Import progress"))
        self.progress.setVisible(False)
        lay.addWidget(self.progress)
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName(self.tr("Problems found in the file"))
        self.report.setPlaceholderText(self.tr("Problems found in the file are listed here."))
        lay.addWidget(self.report, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.import_btn = self.buttons.addButton(self.tr("Import"), QDialogButtonBox.ActionRole)
        self.import_btn.setAccessibleName(self.tr("Import the file"))
        self.import_btn.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def _browse(self) -> None:
        path = file_dialogs.open_file(self, self.tr("Import glossary"), FILTER)
        if path:
            self.path.setText(path)

    def start(self) -> None:
        path = self.path.text().strip()
        if not path:
            show_message(self.message, self.tr("Choose a file first."), error=True)
            return
        from glossary.importer import import_file

        fmt, skip = self.format.currentData() or None, self.skip_bad.isChecked()
        existing, encoding = self.existing.currentData(), self.encoding.currentData() or None
        self.report.clear()
        show_message(self.message, self.tr("Importing {name}…").format(name=Path(path).name), error=False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.import_btn.setEnabled(False)
        self.task = GlossaryTask("importing the glossary",
                                 lambda store, on_progress, should_stop: import_file(
                                     store, path, format=fmt, skip_bad=skip, existing=existing,
                                     encoding=encoding, on_progress=lambda d, t: on_progress(d, t),
                                     should_stop=should_stop),
                                 store=self.store, parent=self)
        self.task.progress.connect(self._on_progress)
        self.task.done.connect(self._on_done)
        self.task.failed.connect(self._on_failed)
        self.task.begin()

    def _on_progress(self, p: tuple) -> None:
        done, total = p
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / max(total, 1)))

    def _finish(self) -> None:
        self.progress.setVisible(False)
        self.import_btn.setEnabled(True)

    def _on_done(self, result) -> None:
        self._finish()
        text = plural(result.added, self.tr("Imported {n} concept."), self.tr("Imported {n} concepts."))
        if result.merged or result.replaced or result.kept:
            text += " " + self.tr("Already in the glossary: {merged} merged, {replaced} replaced, {kept} left as they "
                                  "were.").format(merged=result.merged, replaced=result.replaced, kept=result.kept)
        if result.problems:
            text += " " + plural(result.skipped, self.tr("{n} entry was skipped; see the list below."),
                                 self.tr("{n} entries were skipped; see the list below."))
            self.report.setPlainText("\n".join(str(p) for p in result.problems))
        show_message(self.message, text, error=False)
        self.imported.emit(result.added)

    def _on_failed(self, sentence: str, report: list) -> None:
        self._finish()
        show_message(self.message, sentence, error=True)
        self.report.setPlainText("\n".join(report))
        if self.existing.currentData() == "ask" and not report:
            self.existing.setFocus()  # entries already there: the choice the sentence asks for

    def done(self, r: int) -> None:  # noqa: D401 - QDialog.done
        if self.task is not None and self.task.isRunning():
            self.task.stop()
            self.task.wait(5000)
        super().done(r)


def export_glossary(*, parent: QWidget, store: GlossaryStore, path: str | None = None,
                    concepts: Iterable[Concept] | None = None) -> int | None:
    """Write ``concepts`` (default: the whole glossary) to a file chosen by the person; returns how many
    were written."""
    from PySide6.QtWidgets import QMessageBox

    from glossary.errors import TermLensError
    from glossary.formats import write

    if path is None:
        path = file_dialogs.save_file(parent, QCoreApplication.translate("ImportDialog", "Export glossary"), "glossary.jsonl",
                                      "JSON Lines (*.jsonl);;CSV (*.csv);;JSON (*.json);;TBX (*.tbx)")
    if not path:
        return None
    from desktop.storage.config import load

    try:
        return write(store.iter_concepts() if concepts is None else concepts, path, neutralise=load().csv_neutralise_formulas)
    except (TermLensError, OSError) as exc:
        QMessageBox.warning(parent, QCoreApplication.translate("ImportDialog", "Export glossary"), str(exc))
        return None
