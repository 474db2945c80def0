"""The dialog for one concept: its terms (a table with language, type, usage status, match mode
and case), subject fields, a definition in every language the concept has (add a language,
remove one), note, source and review status. Edits a copy; the caller stores it.

The text is checked as an import checks it (``glossary.formats.clean``): control characters,
text-direction overrides, invisible-only terms and the like are refused with a sentence
before anything is saved. A term typed by hand gets the language its script suggests
("心房颤动" -> zh) until the person picks one.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from glossary.formats.base import check_lang
from glossary.formats.clean import concept_problem
from glossary.model import Concept, MatchMode, Status, Term, TermStatus, TermType, guess_language

#: Languages offered in the lists (any other code can be typed).
COMMON_LANGS = ["en", "zh", "es", "fr", "de", "ja", "ko", "pt", "it", "ru", "ar", "nl"]
_AUTO = "auto"  # a term row whose language follows what is typed


class _DefinitionRow(QWidget):
    """One language's definition: the language code, the text and a remove button."""

    def __init__(self, lang: str, text: str, dialog: ConceptDialog) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.lang = QComboBox()
        self.lang.setEditable(True)
        self.lang.addItems(COMMON_LANGS)
        self.lang.setCurrentText(lang)
        self.lang.setFixedWidth(80)
        self.lang.setAccessibleName(QCoreApplication.translate("ConceptDialog", "Language of the definition"))
        self.text = QPlainTextEdit(text)
        self.text.setFixedHeight(70)
        self.text.setAccessibleName(QCoreApplication.translate("ConceptDialog", "Definition in {lang}").format(lang=lang))
        self.remove = QPushButton(QCoreApplication.translate("ConceptDialog", "Remove"))
        self.remove.setAccessibleName(QCoreApplication.translate("ConceptDialog", "Remove the definition in {lang}").format(lang=lang))
        self.remove.clicked.connect(lambda: dialog.remove_language(self))
        lay.addWidget(self.lang)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.remove)

    def code(self) -> str:
        return self.lang.currentText().strip()


class ConceptDialog(QDialog):
    def __init__(self, concept: Concept | None = None, *, fields: list[str] = (), parent: QWidget | None = None,
                 lookup: Callable[[str], list[Concept]] | None = None) -> None:
        """``lookup(text)``: the other concepts that already have the term ``text`` (shown as a hint)."""
        super().__init__(parent)
        self.lookup = lookup
        self.original = concept.copy() if concept is not None else Concept()
        self.setWindowTitle(self.tr("Edit concept") if concept is not None and concept.id else self.tr("New concept"))
        self.resize(760, 680)
        lay = QVBoxLayout(self)

        lay.addWidget(QLabel(self.tr("Terms (the words that name this concept):")))
        self.terms = QTableWidget(0, 6)
        self.terms.setHorizontalHeaderLabels([self.tr("Term"), self.tr("Language"), self.tr("Type"), self.tr("Usage"),
                                              self.tr("Matching"), self.tr("Case-sensitive")])
        self.terms.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.terms.setAccessibleName(self.tr("Terms of this concept"))
        self.terms.itemChanged.connect(self._term_edited)
        lay.addWidget(self.terms, 1)
        self.already = QLabel()  # the glossary has this term already: say where, before a duplicate is saved
        self.already.setObjectName("editHint")
        self.already.setWordWrap(True)
        self.already.setVisible(False)
        lay.addWidget(self.already)
        row = QHBoxLayout()
        self.add_term_btn = QPushButton(self.tr("Add term"))
        self.add_term_btn.setAccessibleName(self.tr("Add a term"))
        self.add_term_btn.clicked.connect(lambda: self._add_term(Term(text="", lang=""), auto_lang=True))
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
        lay.addLayout(form)

        lay.addWidget(QLabel(self.tr("Definitions, one per language:")))
        self._defs_box = QWidget()
        self._defs = QVBoxLayout(self._defs_box)
        self._defs.setContentsMargins(0, 0, 0, 0)
        self.definition_rows: list[_DefinitionRow] = []
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._defs_box)
        scroll.setMinimumHeight(160)
        lay.addWidget(scroll, 1)
        self.add_language_btn = QPushButton(self.tr("Add a language"))
        self.add_language_btn.setAccessibleName(self.tr("Add a definition in another language"))
        self.add_language_btn.clicked.connect(lambda: self.add_language(""))
        lay.addWidget(self.add_language_btn, 0, Qt.AlignLeft)

        form = QFormLayout()
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
            self._add_term(Term(text="", lang=""), auto_lang=True)
        self._show_already()
        langs = list(dict.fromkeys(["en", "zh", *self.original.definitions, *(t.lang for t in self.original.terms)]))
        for lang in langs:
            self.add_language(lang, self.original.definitions.get(lang, ""))

    # --- definitions ---

    def add_language(self, lang: str, text: str = "") -> QPlainTextEdit:
        """Show a definition row for ``lang`` (an empty code: the person types one); returns its editor."""
        row = _DefinitionRow(lang, text, self)
        self.definition_rows.append(row)
        self._defs.addWidget(row)
        if not lang:
            row.lang.setFocus()
        return row.text

    def remove_language(self, row: _DefinitionRow) -> None:
        self.definition_rows.remove(row)
        self._defs.removeWidget(row)
        row.deleteLater()

    def definition_box(self, lang: str) -> QPlainTextEdit:
        """The editor of the definition in ``lang`` (added when the concept has none yet)."""
        for row in self.definition_rows:
            if row.code() == lang:
                return row.text
        return self.add_language(lang)

    @property
    def def_en(self) -> QPlainTextEdit:
        return self.definition_box("en")

    @property
    def def_zh(self) -> QPlainTextEdit:
        return self.definition_box("zh")

    # --- terms ---

    def _combo(self, items: list[tuple[str, object]], current: object, name: str) -> QComboBox:
        box = QComboBox()
        for label, value in items:
            box.addItem(label, value)
        values = [v for _, v in items]
        box.setCurrentIndex(values.index(current) if current in values else 0)
        box.setAccessibleName(name)
        return box

    def _add_term(self, term: Term, *, auto_lang: bool = False) -> None:
        r = self.terms.rowCount()
        self.terms.blockSignals(True)
        self.terms.insertRow(r)
        item = QTableWidgetItem(term.text)
        item.setData(Qt.UserRole, term.id)
        self.terms.setItem(r, 0, item)
        self.terms.blockSignals(False)
        lang = QComboBox()
        lang.setEditable(True)
        lang.addItems(COMMON_LANGS)
        lang.setCurrentText(term.lang)
        lang.setProperty(_AUTO, auto_lang)
        lang.setAccessibleName(self.tr("Language of the term"))
        lang.activated.connect(lambda _i, box=lang: box.setProperty(_AUTO, False))
        lang.lineEdit().textEdited.connect(lambda _t, box=lang: box.setProperty(_AUTO, False))
        self.terms.setCellWidget(r, 1, lang)
        names = {"preferred": self.tr("preferred"), "synonym": self.tr("synonym"),
                 "abbreviation": self.tr("abbreviation"), "deprecated": self.tr("deprecated")}
        self.terms.setCellWidget(r, 2, self._combo([(names[t.value], t.value) for t in TermType], term.type.value,
                                                   self.tr("Type of the term")))
        usage = {"preferred": self.tr("preferred"), "admitted": self.tr("admitted"), "deprecated": self.tr("deprecated"),
                 "superseded": self.tr("superseded"), "forbidden": self.tr("forbidden")}
        status_items = [(self.tr("as its type"), "")] + [(usage[s.value], s.value) for s in TermStatus]
        self.terms.setCellWidget(r, 3, self._combo(status_items, term.status.value if term.status else "",
                                                   self.tr("Usage status of the term")))
        modes = [(self.tr("automatic"), ""), (self.tr("exact"), MatchMode.EXACT.value),
                 (self.tr("inflected forms too"), MatchMode.INFLECTED.value)]
        self.terms.setCellWidget(r, 4, self._combo(modes, term.match_mode.value if term.match_mode else "",
                                                   self.tr("How the term is found in text")))
        cs = QCheckBox()
        cs.setChecked(term.case_sensitive)
        cs.setAccessibleName(self.tr("Match case exactly"))
        self.terms.setCellWidget(r, 5, cs)

    def _show_already(self) -> None:
        if self.lookup is None:
            return
        found: list[str] = []
        for r in range(self.terms.rowCount()):
            item = self.terms.item(r, 0)
            text = " ".join(item.text().split()) if item else ""
            for c in (self.lookup(text) if text else []):
                if c.id != self.original.id and len(found) < 3:
                    where = ", ".join(c.subject_fields)
                    found.append(self.tr("“{term}” is already in the glossary as “{label}” ({where}).").format(
                        term=text, label=c.label(), where=where or self.tr("no subject field")))
        if found:
            found.append(self.tr("Saving adds a separate concept; to add to that one, edit it instead."))
        self.already.setText(" ".join(found))
        self.already.setVisible(bool(found))

    def _term_edited(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        self._show_already()
        lang = self.terms.cellWidget(item.row(), 1)
        if lang is not None and lang.property(_AUTO) and item.text().strip():
            lang.setCurrentText(guess_language(item.text()))

    def _remove_term(self) -> None:
        r = self.terms.currentRow()
        if r >= 0:
            self.terms.removeRow(r)

    # --- result ---

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
                              case_sensitive=self.terms.cellWidget(r, 5).isChecked(), id=item.data(Qt.UserRole),
                              status=self.terms.cellWidget(r, 3).currentData() or None,
                              match_mode=self.terms.cellWidget(r, 4).currentData() or None))
        c.terms = terms
        c.subject_fields = [f.strip() for f in self.fields.text().replace("，", ",").split(",") if f.strip()]
        c.definitions = {row.code(): row.text.toPlainText().strip() for row in self.definition_rows
                         if row.code() and row.text.toPlainText().strip()}
        c.note = self.note.text().strip()
        c.source = self.source.text().strip()
        c.status = Status(self.status.currentData())
        return c

    def problem(self) -> str | None:
        """Why the form cannot be saved (one sentence), or None."""
        codes = [row.code() for row in self.definition_rows if row.text.toPlainText().strip()]
        langs = codes + [self.terms.cellWidget(r, 1).currentText().strip() for r in range(self.terms.rowCount())
                         if self.terms.item(r, 0) and self.terms.item(r, 0).text().strip()]
        for code in langs:
            try:
                check_lang(code)
            except ValueError:
                return self.tr("'{code}' is not a language code such as en, zh or es.").format(code=code)
            if code != code.lower() or "-" in code or "_" in code:
                return self.tr("Write the language as its short code in small letters ('{short}', not '{code}').").format(
                    short=check_lang(code), code=code)
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            return self.tr("There are two definitions in '{lang}'; keep one.").format(lang=twice[0])
        c = self.concept()
        if not c.terms:
            return self.tr("A concept needs at least one term.")
        return concept_problem(c)

    def _accept(self) -> None:
        why = self.problem()
        if why:
            self.error.setText(why)
            return
        self.accept()
