"""The concept dialog: every language a concept has, usage status and match mode per term,
a Chinese term typed by hand in Chinese, and dirty text refused before saving."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidgetItem

from desktop.ui.concept_dialog import ConceptDialog
from glossary.model import Concept, MatchMode, Term, TermStatus, TermType


def _spanish() -> Concept:
    return Concept(
        id=7,
        terms=[Term("open cluster", "en"), Term("galactic cluster", "en", TermType.SYNONYM, status=TermStatus.SUPERSEDED),
               Term("cúmulo abierto", "es")],
        definitions={"en": "A loose group of young stars.", "es": "Un grupo poco denso de estrellas jóvenes."},
    )


def test_every_language_is_shown_and_editable(qtbot) -> None:
    dialog = ConceptDialog(_spanish())
    qtbot.addWidget(dialog)
    shown = {row.code(): row.text.toPlainText() for row in dialog.definition_rows}
    assert shown["es"] == "Un grupo poco denso de estrellas jóvenes." and shown["en"] == "A loose group of young stars."
    dialog.definition_box("es").setPlainText("Grupo de estrellas jóvenes.")
    dialog.add_language("fr").setPlainText("Un amas ouvert.")
    dialog.remove_language(next(r for r in dialog.definition_rows if r.code() == "en"))
    c = dialog.concept()
    assert c.definitions == {"es": "Grupo de estrellas jóvenes.", "fr": "Un amas ouvert."}
    assert dialog.problem() is None


def test_status_and_match_mode_are_editable(qtbot) -> None:
    dialog = ConceptDialog(_spanish())
    qtbot.addWidget(dialog)
    assert dialog.terms.cellWidget(1, 3).currentData() == "superseded"
    dialog.terms.cellWidget(0, 4).setCurrentIndex(dialog.terms.cellWidget(0, 4).findData("exact"))
    dialog.terms.cellWidget(1, 3).setCurrentIndex(dialog.terms.cellWidget(1, 3).findData("forbidden"))
    terms = {t.text: t for t in dialog.concept().terms}
    assert terms["open cluster"].match_mode is MatchMode.EXACT and terms["open cluster"].status is None
    assert terms["galactic cluster"].status is TermStatus.FORBIDDEN
    assert terms["cúmulo abierto"].match_mode is None  # automatic stays automatic


def test_a_chinese_term_typed_by_hand_is_chinese(qtbot) -> None:
    dialog = ConceptDialog()
    qtbot.addWidget(dialog)
    dialog.terms.setItem(0, 0, QTableWidgetItem("心房颤动"))
    dialog.add_term_btn.click()
    dialog.terms.setItem(1, 0, QTableWidgetItem("atrial fibrillation"))
    assert [(t.text, t.lang) for t in dialog.concept().terms] == [("心房颤动", "zh"), ("atrial fibrillation", "en")]


def test_a_language_chosen_by_hand_is_kept(qtbot) -> None:
    dialog = ConceptDialog()
    qtbot.addWidget(dialog)
    box = dialog.terms.cellWidget(0, 1)
    box.setCurrentText("ja")
    box.activated.emit(0)
    box.setCurrentText("ja")
    dialog.terms.setItem(0, 0, QTableWidgetItem("心房細動"))
    assert dialog.concept().terms[0].lang == "ja"


def test_dirty_text_is_refused_before_saving(qtbot) -> None:
    dialog = ConceptDialog(_spanish())
    qtbot.addWidget(dialog)
    dialog.terms.item(0, 0).setText("open\u202ecluster")
    dialog._accept()
    assert "text-direction override" in dialog.error.text() and dialog.result() == 0
    dialog.terms.item(0, 0).setText("open cluster")
    dialog.add_language("es").setPlainText("otra")
    dialog._accept()
    assert "two definitions in 'es'" in dialog.error.text()
