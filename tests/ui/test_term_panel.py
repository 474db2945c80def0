"""The term panel: every detected term with its definition, a box to keep a term out
of the prompt, meanings for ambiguous terms, and a link into the glossary editor."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from desktop.ui.concept_dialog import ConceptDialog
from desktop.ui.term_panel import TermPanel
from tests.ui.conftest import ask
from tests.ui.fakes import FakeWorker

AF_DEF = "uncoordinated atrial electrical activation"
CKD_DEF = "estimates glomerular filtration rate"


def test_excluding_a_term_keeps_its_definition_out_of_the_prompt(open_window, qtbot, default_model_dir):
    win = open_window(model_dir=default_model_dir, max_new_tokens=8)
    first = ask(qtbot, win, "What does CKD-EPI estimate for a patient with AF?")
    assert AF_DEF in first["prompt"] and CKD_DEF in first["prompt"]
    cards = {c.term["preferred"]: c for c in win.terms.cards}
    assert set(cards) >= {"CKD-EPI equation", "atrial fibrillation"}
    assert not win.terms.resend_btn.isEnabled()
    cards["atrial fibrillation"].use.setChecked(False)
    assert win.terms.resend_btn.isEnabled()
    with qtbot.waitSignal(win.session.answer_finished, timeout=120_000) as blocker:
        win.terms.resend_btn.click()
    prompt = blocker.args[0]["prompt"]
    assert AF_DEF not in prompt and CKD_DEF in prompt
    # the choice is kept with the question and shown again
    saved = win.ctx.conversations.messages(win.session.conv_id)[0]["terms"]
    assert {t["preferred"]: t["excluded"] for t in saved}["atrial fibrillation"] is True
    assert not {c.term["preferred"]: c for c in win.terms.cards}["atrial fibrillation"].use.isChecked()


def test_clicking_a_term_edits_the_concept_and_the_next_prompt_uses_it(open_window, qtbot, monkeypatch):
    worker = FakeWorker(rate=2000)
    win = open_window(worker=worker, max_new_tokens=3)
    ask(qtbot, win, "What does CKD-EPI estimate?")
    card = next(c for c in win.terms.cards if c.term["preferred"] == "CKD-EPI equation")

    def exec_(dialog: ConceptDialog) -> int:
        assert dialog.concept().label() == "CKD-EPI equation"
        dialog.def_en.setPlainText("Our clinic's own definition: kidney filtration estimate.")
        return QDialog.Accepted

    monkeypatch.setattr(ConceptDialog, "exec", exec_)
    card.title.linkActivated.emit(f"concept:{card.term['concept_id']}")
    assert win.ctx.store.get_concept(card.term["concept_id"]).definitions["en"].startswith("Our clinic's")
    answer = ask(qtbot, win, "And CKD-EPI in the elderly?")
    assert "Our clinic's own definition" in answer["prompt"]


def test_ambiguous_term_offers_meanings_and_reports_the_choice(qtbot):
    panel = TermPanel()
    qtbot.addWidget(panel)
    terms = [{"text": "AF", "start": 0, "end": 2, "concept_id": 1, "preferred": "atrial fibrillation",
              "subject_fields": ["medicine"], "definition": "An arrhythmia.", "source": "guideline",
              "alternatives": [2], "alternative_labels": [(2, "audit firm (finance)")], "injected": True,
              "excluded": False}]
    panel.show_terms(terms, editable=True)
    card = panel.cards[0]
    assert card.choice.isVisible() or not panel.isVisible()
    assert card.choice.count() == 2
    card.choice.setCurrentIndex(1)
    with qtbot.waitSignal(panel.resend_requested) as blocker:
        panel.resend_btn.click()
    excluded, choices = blocker.args
    assert excluded == set() and choices == {0: 2}


def test_add_to_glossary_from_a_selection(open_window, qtbot, monkeypatch):
    win = open_window(worker=FakeWorker(rate=2000), max_new_tokens=3)
    ask(qtbot, win, "What is the Wells score?")
    seen = {}

    def exec_(dialog: ConceptDialog) -> int:
        seen["terms"] = [t.text for t in dialog.concept().terms]
        dialog.def_en.setPlainText("A clinical rule for the probability of pulmonary embolism.")
        return QDialog.Accepted

    monkeypatch.setattr(ConceptDialog, "exec", exec_)
    before = win.ctx.store.count()
    win.chat.bubbles[0].add_to_glossary.emit("Wells score")
    assert seen["terms"] == ["Wells score"]
    assert win.ctx.store.count() == before + 1
    assert [h.text for h in win.ctx.matcher.detect("Is the Wells score high?")] == ["Wells score"]
