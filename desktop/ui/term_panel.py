"""The side panel of detected terms for one question.

Each term is a card: the preferred term (a link that opens the concept), the text
that matched, subject fields, definition and source, a check box that keeps the term
out of the prompt, and, for an ambiguous term, a combo of the other meanings. When
the person changes a box or a meaning, "Ask again" resends the question with
``excluded`` and ``choices``. Under "In the answer" it lists, once an answer is
finished, the glossary terms the answer used and its term issues (a deprecated,
superseded or forbidden term, with the preferred term beside it; a question term the
answer never names), and "Ask again using the preferred terms" resends the question
with the instruction naming them (``reask_requested``). Shows data only; never touches
the glossary or model.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from desktop.ui.cards import card_column, named_label
from desktop.ui.i18n import Retranslating
from desktop.ui.render import concept_id_of, concept_link


class TermCard(QFrame):
    changed = Signal()
    open_concept = Signal(int)

    def __init__(self, term: dict, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.term = term
        lay = card_column(self, "termCard", margins=(10, 8, 10, 8), spacing=3)
        self.title = named_label("termTitle", lay, rich=True)
        self.title.linkActivated.connect(self._open)
        self.matched = named_label("termMeta", lay, wrap=True)
        self.choice = QComboBox()
        alts = term.get("alternative_labels") or []
        self.choice.addItem(term.get("preferred", ""), term["concept_id"])
        for cid, label in alts:
            self.choice.addItem(label, cid)
        self.choice.setVisible(bool(alts))
        self.choice.setEnabled(editable)
        self.choice.currentIndexChanged.connect(lambda _i: self.changed.emit())
        lay.addWidget(self.choice)
        self.definition = named_label("termDefinition", lay, wrap=True, selectable=True)
        self.source = named_label("termMeta", lay, wrap=True)
        self.use = QCheckBox()
        self.use.setChecked(not term.get("excluded"))
        self.use.setEnabled(editable)
        self.use.toggled.connect(lambda _on: self.changed.emit())
        lay.addWidget(self.use)
        self.retranslate()

    def retranslate(self) -> None:
        t = self.term
        self.title.setText(concept_link(t["concept_id"], t.get("preferred", "")))
        self.title.setToolTip(self.tr("Open this concept in the glossary editor"))
        self.title.setAccessibleName(self.tr("Open concept {name}").format(name=t.get("preferred", "")))
        fields = ", ".join(t.get("subject_fields") or []) or self.tr("no subject field")
        self.matched.setText(self.tr("Matched “{text}” · {fields}").format(text=t.get("text", ""), fields=fields))
        self.definition.setText(t.get("definition") or self.tr("(no definition)"))
        src = t.get("source") or self.tr("not given")
        state = "" if t.get("injected") or t.get("excluded") else self.tr(" · not in prompt (over the token budget)")
        self.source.setText(self.tr("Source: {source}").format(source=src) + state)
        self.use.setText(self.tr("Use in prompt"))
        self.use.setAccessibleName(self.tr("Use {name} in the prompt").format(name=t.get("preferred", "")))
        self.choice.setAccessibleName(self.tr("Meaning of {text}").format(text=t.get("text", "")))
        self.choice.setToolTip(self.tr("This term has more than one meaning in your glossary; pick the one you mean."))

    def _open(self, href: str) -> None:
        cid = concept_id_of(href)
        if cid is not None:
            self.open_concept.emit(cid)

    @property
    def excluded(self) -> bool:
        return not self.use.isChecked()

    @property
    def chosen(self) -> int:
        return int(self.choice.currentData())


class TermPanel(Retranslating, QWidget):
    open_concept = Signal(int)
    resend_requested = Signal(object, object)  # excluded concept ids, {start: chosen concept id}
    reask_requested = Signal(str)  # the instruction to add: use the preferred terms

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: list[TermCard] = []
        self._terms: list[dict] = []
        self._editable = False
        self._initial: tuple = ((), ())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.heading = named_label("panelHeading", lay)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        inner = QWidget()
        self.list = QVBoxLayout(inner)
        self.list.setContentsMargins(0, 0, 4, 0)
        self.list.setSpacing(8)
        self.empty = named_label("termEmpty", self.list, wrap=True)
        self.list.addStretch(1)
        self.scroll.setWidget(inner)
        lay.addWidget(self.scroll, 1)
        self.answer_heading = named_label("panelHeading", lay)
        self.answer_list = named_label("termMeta", lay, wrap=True, rich=True, selectable=True)
        self.reask_btn = QPushButton()
        self.reask_btn.clicked.connect(lambda: self.reask_requested.emit(self._check.get("reask", "")))
        lay.addWidget(self.reask_btn)
        self._check: dict = {}
        self.resend_btn = QPushButton()
        self.resend_btn.setEnabled(False)
        self.resend_btn.clicked.connect(self._resend)
        lay.addWidget(self.resend_btn)
        self.retranslate()
        self.show_terms([])

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Terms in this question"))
        self.empty.setText(self.tr("No glossary terms were found in this question."))
        self.resend_btn.setText(self.tr("Ask again with these choices"))
        self.resend_btn.setAccessibleName(self.tr("Ask the question again with the terms chosen above"))
        self.scroll.setAccessibleName(self.tr("Detected terms"))
        self.answer_heading.setText(self.tr("In the answer"))
        self.reask_btn.setText(self.tr("Ask again using the preferred terms"))
        self.reask_btn.setAccessibleName(self.tr("Ask the question again, telling the model to use the preferred terms"))
        for c in self.cards:
            c.retranslate()
        self.show_answer_check(self._check or None)

    def show_terms(self, terms: list[dict], *, editable: bool = False) -> None:
        for c in self.cards:
            self.list.removeWidget(c)
            c.hide()
            c.deleteLater()
        self.cards = []
        self._terms = list(terms)
        self._editable = editable
        for t in terms:
            card = TermCard(t, editable=editable)
            card.changed.connect(self._on_changed)
            card.open_concept.connect(self.open_concept)
            self.list.insertWidget(self.list.count() - 1, card)
            self.cards.append(card)
        self.empty.setVisible(not terms)
        self.show_answer_check(None)  # a new question: its answer is not checked yet
        self._initial = self._state()
        self.resend_btn.setEnabled(False)
        self.resend_btn.setVisible(editable and bool(terms))

    def _state(self) -> tuple:
        excluded = tuple(sorted(c.term["concept_id"] for c in self.cards if c.excluded))
        choices = tuple(sorted((c.term["start"], c.chosen) for c in self.cards
                               if c.chosen != c.term["concept_id"]))
        return excluded, choices

    def _on_changed(self) -> None:
        self.resend_btn.setEnabled(self._editable and self._state() != self._initial)

    def excluded(self) -> set[int]:
        return {c.chosen for c in self.cards if c.excluded} | {c.term["concept_id"] for c in self.cards if c.excluded}

    def choices(self) -> dict[int, int]:
        return {int(c.term["start"]): c.chosen for c in self.cards if c.chosen != c.term["concept_id"]}

    def _resend(self) -> None:
        self.resend_requested.emit(self.excluded(), self.choices())

    def show_answer_check(self, check: dict | None) -> None:
        """Show the answer's terms and term issues (``glossary.answer_check`` as data), or hide them."""
        self._check = dict(check or {})
        issues = self._check.get("term_issues") or []
        used = self._check.get("answer_terms") or []
        shown = bool(check) and bool(issues or used)
        lines = []
        for i in issues:
            text, pref = html.escape(i.get("text", "")), html.escape(i.get("preferred", ""))
            if i.get("kind") == "missing":
                lines.append(self.tr("“{term}” from the question is not named; use “{preferred}”").format(
                    term=text, preferred=pref))
            elif i.get("kind") == "forbidden":
                lines.append(self.tr("“{term}” is forbidden; use “{preferred}”").format(term=text, preferred=pref))
            else:
                lines.append(self.tr("“{term}” is {status}; use “{preferred}”").format(
                    term=text, status=html.escape(i.get("status", "")), preferred=pref))
        flagged = {(i.get("start"), i.get("end")) for i in issues}
        good = [html.escape(t.get("text", "")) for t in used if (t.get("start"), t.get("end")) not in flagged]
        if good:
            lines.append(self.tr("Used as in the glossary: {terms}").format(terms=", ".join(dict.fromkeys(good))))
        self.answer_list.setText("<br>".join(lines))
        for w in (self.answer_heading, self.answer_list):
            w.setVisible(shown)
        self.reask_btn.setVisible(shown and bool(issues))
