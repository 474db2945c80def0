"""Glossary operations started from anywhere in the window: edit a concept, add one
from selected text. Keyword-only functions that open the concept dialog and store
the result, reporting a refused change as a message. GUI thread.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop.ui.concept_dialog import ConceptDialog
from glossary.errors import TermLensError
from glossary.model import Concept, Term, guess_language
from glossary.store import GlossaryStore


def same_term(store: GlossaryStore) -> Callable[[str], list[Concept]]:
    """The concepts that have a term written ``text`` (letter case and spacing aside)."""

    def lookup(text: str) -> list[Concept]:
        want = " ".join(text.split()).casefold()
        try:
            found = store.search(text, limit=20)
        except TermLensError:
            return []  # a query the search cannot read: no hint rather than an error while typing
        return [c for c in found if any(" ".join(t.text.split()).casefold() == want for t in c.terms)]

    return lookup


def _run(parent: QWidget, dialog: ConceptDialog, save: Callable[[Concept], object]) -> bool:
    while dialog.exec() == QDialog.Accepted:
        try:
            save(dialog.concept())
            return True
        except TermLensError as exc:
            QMessageBox.warning(parent, QCoreApplication.translate("ConceptDialog", "Concept not saved"), str(exc))
    return False


def edit_concept(*, parent: QWidget, store: GlossaryStore, concept_id: int,
                 make_dialog: Callable[..., ConceptDialog] = ConceptDialog) -> bool:
    """Open concept ``concept_id`` for editing; True when a change was saved."""
    try:
        concept = store.get_concept(concept_id)
    except TermLensError as exc:
        QMessageBox.warning(parent, "TermLens", str(exc))
        return False
    dialog = make_dialog(concept, fields=store.subject_fields(), parent=parent, lookup=same_term(store))
    return _run(parent, dialog, store.update_concept)


def add_concept(*, parent: QWidget, store: GlossaryStore, text: str = "",
                make_dialog: Callable[..., ConceptDialog] = ConceptDialog) -> bool:
    """A new concept, its first term ``text`` (a selection from a message); True when saved."""
    text = " ".join(text.split())
    seed = Concept(terms=[Term(text=text, lang=guess_language(text))] if text else [])
    dialog = make_dialog(seed, fields=store.subject_fields(), parent=parent, lookup=same_term(store))
    return _run(parent, dialog, store.add_concept)
