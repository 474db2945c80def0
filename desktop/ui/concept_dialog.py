"""The dialog for one concept: its terms (a table), subject fields, definitions in
English and Chinese, note, source and status. Edits a copy; the caller stores it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from glossary.model import Concept, Status, Term, TermType, guess_language


class ConceptDialog(QDialog):
    def __init__(self, concept: Concept | None = None, *, fields: list[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = concept.copy() if concept is not None else Concept()
        self.setWindowTitle(self.tr("Edit concept") if concept is not None and concept.id else self.tr("New concept"))
        self.resize(640, 600)
        lay = QVBoxLayout(self)

        lay.addWidget(QLabel(self.tr("Terms (the words that name this concept):")))
        self.terms = QTableWidget(0, 4)
        self.terms.setHorizontalHeaderLabels([self.tr("Term"), self.tr("Language"), self.tr("Type"),
                                              self.tr("Case-sensitive")])
        self.terms.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.terms.setAccessibleName(self.tr("Terms of this concept"))
        lay.addWidget(self.terms, 1)
        row = QHBoxLayout()
        self.add_term_btn = QPushButton(self.tr("Add term"))
        self.add_term_btn.setAccessibleName(self.tr("Add a term"))
        self.add_term_btn.clicked.connect(lambda: self._add_term(Term(text="", lang="en")))
        self.remove_term_btn = QPushButton(self.tr("Remove term"))
        self.remove_term_btn.setAccessibleName(self.tr("Remove the selected term"))
        self.remove_term_btn.clicked.connect(self._remove_term)
        row.addWidget(self.add_term_btn)
        row.addWidget(self.remove_term_btn)
        row.addStretch(1)
        lay.addLayout(row)

        form = QFormLayout()
        self.fields = QLineEdit(", ".join(self.original.subject_fields))
        self.fields.setPlaceholderText(self.tr("e.g. medicine, cardiology"))
        self.fields.setCompleter(QCompleter(list(fields)))
        self.fields.setAccessibleName(self.tr("Subject fields"))
        form.addRow(self.tr("Subject fields:"), self.fields)
        self.def_en = QPlainTextEdit(self.original.definitions.get("en", ""))
        self.def_en.setAccessibleName(self.tr("Definition in English"))
        self.def_en.setFixedHeight(80)
        form.addRow(self.tr("Definition (English):"), self.def_en)
        self.def_zh = QPlainTextEdit(self.original.definitions.get("zh", ""))
        self.def_zh.setAccessibleName(self.tr("Definition in Chinese"))
        self.def_zh.setFixedHeight(80)
        form.addRow(self.tr("Definition (Chinese):"), self.def_zh)
        self.note = QLineEdit(self.original.note)
        self.note.setAccessibleName(self.tr("Note"))
        form.addRow(self.tr("Note:"), self.note)
        self.source = QLineEdit(self.original.source)
        self.source.setAccessibleName(self.tr("Source"))
        form.addRow(self.tr("Source:"), self.source)
        self.status = QComboBox()
        self.status.addItem(self.tr("Draft"), Status.DRAFT.value)
        self.status.addItem(self.tr("Approved"), Status.APPROVED.value)
        self.status.setCurrentIndex(0 if self.original.status is Status.DRAFT else 1)
        self.status.setAccessibleName(self.tr("Review status"))
        form.addRow(self.tr("Status:"), self.status)
        lay.addLayout(form)

        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        for t in self.original.terms:
            self._add_term(t)
        if not self.original.terms:
            self._add_term(Term(text="", lang="en"))

    def _add_term(self, term: Term) -> None:
        r = self.terms.rowCount()
        self.terms.insertRow(r)
        item = QTableWidgetItem(term.text)
        item.setData(Qt.UserRole, term.id)
        self.terms.setItem(r, 0, item)
        lang = QComboBox()
        lang.setEditable(True)
        lang.addItems(["en", "zh"])
        lang.setCurrentText(term.lang)
        lang.setAccessibleName(self.tr("Language of the term"))
        self.terms.setCellWidget(r, 1, lang)
        typ = QComboBox()
        names = {"preferred": self.tr("preferred"), "synonym": self.tr("synonym"),
                 "abbreviation": self.tr("abbreviation"), "deprecated": self.tr("deprecated")}
        for tt in TermType:
            typ.addItem(names.get(tt.value, tt.value), tt.value)
        typ.setCurrentIndex([tt for tt in TermType].index(term.type))
        typ.setAccessibleName(self.tr("Type of the term"))
        self.terms.setCellWidget(r, 2, typ)
        cs = QCheckBox()
        cs.setChecked(term.case_sensitive)
        cs.setAccessibleName(self.tr("Match case exactly"))
        self.terms.setCellWidget(r, 3, cs)

    def _remove_term(self) -> None:
        r = self.terms.currentRow()
        if r >= 0:
            self.terms.removeRow(r)

    def concept(self) -> Concept:
        """The edited concept (a copy of the original with the form's values)."""
        c = self.original.copy()
        terms = []
        for r in range(self.terms.rowCount()):
            item = self.terms.item(r, 0)
            text = item.text().strip() if item else ""
            if not text:
                continue
            lang = self.terms.cellWidget(r, 1).currentText().strip() or guess_language(text)
            terms.append(Term(text=text, lang=lang, type=self.terms.cellWidget(r, 2).currentData(),
                              case_sensitive=self.terms.cellWidget(r, 3).isChecked(),
                              id=item.data(Qt.UserRole)))
        c.terms = terms
        c.subject_fields = [f.strip() for f in self.fields.text().replace("，", ",").split(",") if f.strip()]
        defs = {}
        for lang, box in (("en", self.def_en), ("zh", self.def_zh)):
            if box.toPlainText().strip():
                defs[lang] = box.toPlainText().strip()
        for lang, text in self.original.definitions.items():
            if lang not in ("en", "zh"):
                defs[lang] = text
        c.definitions = defs
        c.note = self.note.text().strip()
        c.source = self.source.text().strip()
        c.status = Status(self.status.currentData())
        return c

    def _accept(self) -> None:
        if not self.concept().terms:
            self.error.setText(self.tr("A concept needs at least one term."))
            return
        self.accept()
