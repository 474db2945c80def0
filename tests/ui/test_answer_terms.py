"""The window checks the answer's terms: a deprecated term the model used shows under
"In the answer" with the preferred term, and one click asks again with the preferred terms."""

from __future__ import annotations

from PySide6.QtCore import Qt

from glossary.model import Concept, Term, TermType
from tests.ui.fakes import FakeWorker

ANSWER = "Electroversions restore sinus rhythm quickly."


def test_a_deprecated_term_in_the_answer_is_listed_with_the_preferred_term(open_window, qtbot):
    worker = FakeWorker(rate=2000, answer=ANSWER)
    win = open_window(worker=worker, max_new_tokens=len(ANSWER.split(" ")))
    win.ctx.store.add_concept(Concept(terms=[Term("cardioversion"), Term("electroversion", type=TermType.DEPRECATED)],
                                      definitions={"en": "Restoring a normal heart rhythm."}))
    win.chat.input.setPlainText("When is cardioversion used?")
    with qtbot.waitSignal(win.session.answer_checked, timeout=10_000) as blocker:
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    check = blocker.args[0]
    assert [(i["kind"], i["text"], i["preferred"]) for i in check["term_issues"]] == [
        ("non_preferred", "Electroversions", "cardioversion")]
    panel = win.terms
    qtbot.waitUntil(lambda: panel.answer_list.isVisible())
    assert panel.answer_heading.text() == "In the answer"
    shown = panel.answer_list.text()
    assert "Electroversions" in shown and "deprecated" in shown and "cardioversion" in shown
    assert panel.reask_btn.isVisible()
    bubble = win.chat.bubbles[-1]  # the answer shows the deprecated term marked, linked to its concept
    assert 'href="concept:' in bubble.body.text() and ">Electroversions</a>" in bubble.body.text()

    with qtbot.waitSignal(win.session.answer_finished, timeout=10_000):
        qtbot.mouseClick(panel.reask_btn, Qt.LeftButton)
    sent = worker.requests[-1].messages[-1]["content"]
    assert sent.startswith("When is cardioversion [Restoring a normal heart rhythm.] used?")  # inline, the default
    assert 'Use "cardioversion" instead of "Electroversions" (deprecated).' in sent
    assert [m["role"] for m in win.ctx.conversations.messages(win.session.conv_id)] == ["user", "assistant"]


def test_a_clean_answer_shows_no_issue_and_a_new_question_clears_the_list(open_window, qtbot):
    worker = FakeWorker(rate=2000, answer="Cardioversion restores the rhythm.")
    win = open_window(worker=worker, max_new_tokens=4)
    win.ctx.store.add_concept(Concept(terms=[Term("cardioversion"), Term("electroversion", type=TermType.DEPRECATED)]))
    win.chat.input.setPlainText("When is cardioversion used?")
    with qtbot.waitSignal(win.session.answer_checked, timeout=10_000) as blocker:
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    assert blocker.args[0]["term_issues"] == []
    panel = win.terms
    assert "Used as in the glossary: Cardioversion" in panel.answer_list.text()
    assert not panel.reask_btn.isVisible()
    win.session.new()
    assert not panel.answer_list.isVisible()
