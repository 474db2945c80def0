"""The candidate terms part of the Training data page: documents in, proposed terms out.

Add .txt, .md or .docx files and press Find terms; the proposals (``glossary.candidates``)
show their score, how often they occur and a sentence where they do; the selected ones
become draft concepts of the glossary (one undo step). Reading the documents runs as the
page's background job (``run``); sentences go to the page's message line (``say``).
GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QVBoxLayout, QWidget,
)

from desktop.ui import file_dialogs
from desktop.ui.i18n import Retranslating
from desktop.ui.table_model import rows_table
from desktop.ui.review_tables import CandidateTableModel
from glossary import candidates
from glossary.errors import TermLensError

MAX_CANDIDATES = 100


class CandidatesBox(Retranslating, QGroupBox):
    found = Signal(int)  # how many terms were proposed

    def __init__(self, ctx, *, run: Callable[..., Any], say: Callable[[str], None],
                 glossary_changed: Callable[[], None], parent: QWidget | None = None) -> None:
        """``run(label, doing, fn, on_done)`` starts a background job (None when one is running);
        ``glossary_changed()`` is called after terms were added."""
        super().__init__(parent)
        self.ctx = ctx
        self._run, self._say, self._glossary_changed = run, say, glossary_changed
        self.files: list[str] = []
        self.add_files_btn, self.clear_files_btn, self.find_btn = QPushButton(), QPushButton(), QPushButton()
        self.add_files_btn.clicked.connect(self.choose_files)
        self.clear_files_btn.clicked.connect(self.clear_files)
        self.find_btn.clicked.connect(self.find_terms)
        self.files_label = QLabel()
        self.files_label.setWordWrap(True)
        self.cand_model = CandidateTableModel(self)
        self.cand_table = rows_table(self.cand_model)
        self.cand_table.horizontalHeader().setSectionResizeMode(5, QHeaderView.Stretch)
        self.cand_table.setColumnWidth(0, 280)
        self.new_field = QComboBox()
        self.new_field.setEditable(True)
        self.new_field_label = QLabel()
        self.new_field_label.setBuddy(self.new_field)
        self.add_terms_btn = QPushButton()
        self.add_terms_btn.clicked.connect(self.add_selected_terms)
        files_row = QHBoxLayout()
        files_row.addWidget(self.add_files_btn)
        files_row.addWidget(self.clear_files_btn)
        files_row.addWidget(self.files_label, 1)
        files_row.addWidget(self.find_btn)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_field_label)
        add_row.addWidget(self.new_field)
        add_row.addStretch(1)
        add_row.addWidget(self.add_terms_btn)
        cand_lay = QVBoxLayout(self)
        cand_lay.addLayout(files_row)
        cand_lay.addWidget(self.cand_table, 1)
        cand_lay.addLayout(add_row)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Candidate terms from documents"))
        self.new_field_label.setText(self.tr("Subject field of new concepts"))
        for b, text, name in (
            (self.add_files_btn, self.tr("Add files…"), self.tr("Add documents to look for terms in")),
            (self.clear_files_btn, self.tr("Clear"), self.tr("Remove the documents from the list")),
            (self.find_btn, self.tr("Find terms"), self.tr("Find candidate terms in the documents")),
            (self.add_terms_btn, self.tr("Add selected to glossary"),
             self.tr("Add the selected terms to the glossary as draft concepts")),
        ):
            b.setText(text)
            b.setAccessibleName(name)
        self.cand_table.setAccessibleName(self.tr("Candidate terms"))
        self.cand_model.headers = [self.tr("Term"), self.tr("Language"), self.tr("Score"), self.tr("Occurrences"),
                                   self.tr("Documents"), self.tr("Example")]
        self.cand_model.headerDataChanged.emit(Qt.Horizontal, 0, len(self.cand_model.headers) - 1)
        self._show_files()

    def fill_fields(self, fields: list[str]) -> None:
        """Offer the glossary's subject fields for new concepts, keeping what was typed."""
        typed = self.new_field.currentText()
        self.new_field.blockSignals(True)
        self.new_field.clear()
        self.new_field.addItems([""] + fields)
        self.new_field.setEditText(typed)
        self.new_field.blockSignals(False)

    def choose_files(self) -> None:
        paths = file_dialogs.open_files(self, self.tr("Documents to look for terms in"),
                                        self.tr("Documents (*.txt *.md *.docx);;All files (*)"))
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> int:
        """Add documents to the list; files of other kinds are named and left out."""
        refused = [Path(p).name for p in paths if Path(p).suffix.lower() not in candidates.SUPPORTED]
        added = 0
        for p in paths:
            if Path(p).suffix.lower() in candidates.SUPPORTED and p not in self.files:
                self.files.append(p)
                added += 1
        self._show_files()
        if refused:
            self._say(self.tr("TermLens reads .txt, .md and .docx documents; left out: {names}.").format(
                names=", ".join(refused)))
        return added

    def clear_files(self) -> None:
        self.files = []
        self.cand_model.set_items([])
        self._show_files()

    def _show_files(self) -> None:
        if self.files:
            names = ", ".join(Path(p).name for p in self.files[:6]) + (" …" if len(self.files) > 6 else "")
            self.files_label.setText(self.tr("{n} documents: {names}").format(n=len(self.files), names=names))
        else:
            self.files_label.setText(self.tr("No documents yet: add .txt, .md or .docx files."))

    def find_terms(self) -> Any:
        if not self.files:
            self._say(self.tr("Add one or more documents first."))
            return None
        files = list(self.files)
        known = candidates.known_forms(self.ctx.store.iter_concepts())

        def work(on_progress, should_stop) -> list[candidates.Candidate]:
            return candidates.propose_from_files(files, known=known, top=MAX_CANDIDATES,
                                                 on_progress=on_progress, should_stop=should_stop)

        return self._run(self.tr("Reading the documents…"), "reading the documents", work, self._on_found)

    def _on_found(self, found: list[candidates.Candidate]) -> None:
        self.cand_model.set_items(found)
        if found:
            self._say(self.tr("{n} candidate terms; select the ones to add to the glossary.").format(n=len(found)))
        else:
            self._say(self.tr("No new terms found: every recurring term is already in the glossary, "
                             "or the documents are too short."))
        self.found.emit(len(found))

    def selected_candidates(self) -> list[candidates.Candidate]:
        rows = sorted({i.row() for i in self.cand_table.selectionModel().selectedRows()})
        return [self.cand_model.rows[r] for r in rows if 0 <= r < len(self.cand_model.rows)]

    def add_selected_terms(self) -> list[int]:
        chosen = self.selected_candidates()
        if not chosen:
            self._say(self.tr("Select one or more candidate terms first."))
            return []
        try:
            ids = candidates.add_to_glossary(self.ctx.store, chosen, subject_field=self.new_field.currentText())
        except TermLensError as exc:
            self._say(str(exc))
            return []
        self.cand_model.set_items([c for c in self.cand_model.rows if c not in chosen])
        self._glossary_changed()
        self._say(self.tr("Added {n} draft concepts to the glossary; give them definitions on the Glossary page.")
                 .format(n=len(ids)))
        return ids
