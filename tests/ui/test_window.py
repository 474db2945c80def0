"""The main window driven like a person would: with the default model, and with a fast
fake model where timing (Stop) or failure is what is tested."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from tests.ui.conftest import ask
from tests.ui.fakes import FakeWorker


def test_question_detects_terms_streams_and_persists(open_window, qtbot, default_model_dir):
    win = open_window(model_dir=default_model_dir, max_new_tokens=24)
    assert "SmolLM2" in win.status.model.text()
    arrivals: list[float] = []
    win.session.answer_delta.connect(lambda _t: arrivals.append(time.perf_counter()))
    answer = ask(qtbot, win, "What does CKD-EPI estimate?")
    finished_at = time.perf_counter()

    # the term panel lists the term, with its definition
    titles = [c.term["preferred"] for c in win.terms.cards]
    assert "CKD-EPI equation" in titles
    card = win.terms.cards[titles.index("CKD-EPI equation")]
    assert "glomerular filtration rate" in card.definition.text()
    # the term is highlighted in the question's bubble
    assert 'href="concept:' in win.chat.bubbles[0].body.text()
    # the answer streamed: text arrived before generation ended
    assert arrivals and arrivals[0] < finished_at
    assert answer["content"].strip()
    # the prompt the model received holds the definition; "Show prompt" offers it
    assert "estimates glomerular filtration rate" in answer["prompt"]
    assert win.chat.bubbles[-1].prompt_btn.isVisible()
    assert "tok/s" in win.status.speed.text()

    conv_id = win.session.conv_id
    win.close()

    again = open_window(model_dir=default_model_dir, wait=False)
    assert again.session.conv_id == conv_id
    assert [b.role for b in again.chat.bubbles] == ["user", "assistant"]
    assert again.chat.bubbles[0].text == "What does CKD-EPI estimate?"
    assert again.conversations.list.count() == 1
    assert "CKD-EPI equation" in [c.term["preferred"] for c in again.terms.cards]


def test_stop_ends_generation_within_half_a_second(open_window, qtbot):
    win = open_window(worker=FakeWorker(rate=50), max_new_tokens=2000)
    win.chat.input.setPlainText("What does CKD-EPI estimate?")
    with qtbot.waitSignal(win.session.answer_delta, timeout=5_000):
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    assert win.chat.stop_btn.isEnabled()
    t0 = time.perf_counter()
    with qtbot.waitSignal(win.session.answer_finished, timeout=2_000) as blocker:
        qtbot.keyClick(win, Qt.Key_Escape)
    assert time.perf_counter() - t0 < 0.5
    assert blocker.args[0]["stats"]["finish_reason"] == "stopped"
    assert not win.chat.stop_btn.isEnabled() and win.chat.send_btn.isEnabled()


def test_keyboard_enter_sends_shift_enter_newline_ctrl_n_new_chat(open_window, qtbot):
    win = open_window(worker=FakeWorker(rate=2000), max_new_tokens=5)
    qtbot.keyClicks(win.chat.input, "first line")
    qtbot.keyClick(win.chat.input, Qt.Key_Return, Qt.ShiftModifier)
    qtbot.keyClicks(win.chat.input, "second line")
    assert win.chat.input.toPlainText() == "first line\nsecond line"
    with qtbot.waitSignal(win.session.answer_finished, timeout=5_000):
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    assert win.chat.bubbles[0].text == "first line\nsecond line"
    assert win.conversations.list.count() == 1
    qtbot.keyClick(win, Qt.Key_N, Qt.ControlModifier)
    assert win.session.conv_id == 0 and win.chat.bubbles == []
    qtbot.keyClick(win, Qt.Key_F, Qt.ControlModifier)
    assert win.conversations.search.hasFocus() or win.focusWidget() is win.conversations.search


def test_worker_error_reaches_the_person_as_a_message(open_window, qtbot):
    sentence = "The GPU ran out of memory while answering; the answer was stopped."
    win = open_window(worker=FakeWorker(fail_generate=sentence))
    win.chat.input.setPlainText("What does CKD-EPI estimate?")
    with qtbot.waitSignal(win.session.answer_failed, timeout=5_000):
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    assert win.chat.banner.isVisible() and win.chat.banner.text() == sentence
    assert win.chat.send_btn.isEnabled()  # the window is usable again


def test_regenerate_and_edit_last_question(open_window, qtbot):
    worker = FakeWorker(rate=2000)
    win = open_window(worker=worker, max_new_tokens=5)
    ask(qtbot, win, "What does CKD-EPI estimate?")
    with qtbot.waitSignal(win.session.answer_finished, timeout=5_000):
        win.chat.regen_btn.click()
    assert [m["role"] for m in win.ctx.conversations.messages(win.session.conv_id)] == ["user", "assistant"]
    win.chat.edit_btn.click()
    assert win.chat.input.toPlainText() == "What does CKD-EPI estimate?"
    win.chat.input.setPlainText("What does eGFR mean?")
    with qtbot.waitSignal(win.session.answer_finished, timeout=5_000):
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    msgs = win.ctx.conversations.messages(win.session.conv_id)
    assert [m["content"] for m in msgs if m["role"] == "user"] == ["What does eGFR mean?"]
    assert "estimated glomerular filtration rate" in [c.term["preferred"] for c in win.terms.cards]
    # the model reads the definition inline (the default position); the conversation keeps the question as typed
    sent = worker.requests[-1].messages[-1]["content"]
    assert sent.startswith("What does eGFR [estimated glomerular filtration rate: ") and sent.endswith("] mean?")


def test_conversation_export_rename_delete(open_window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    win = open_window(worker=FakeWorker(rate=2000), max_new_tokens=5)
    ask(qtbot, win, "What does CKD-EPI estimate?")
    out = tmp_path / "conv.md"
    win.conversations.export_current(str(out))
    text = out.read_text(encoding="utf-8")
    assert "What does CKD-EPI estimate?" in text and text.startswith("# ")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Kidney question", True))
    win.conversations.rename_current()
    assert win.conversations.list.item(0).text() == "Kidney question"
    win.conversations.search.setText("nothing like this")
    assert win.conversations.list.count() == 0
    win.conversations.search.setText("kidney")
    assert win.conversations.list.count() == 1
    win.conversations.list.setCurrentRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    win.conversations.delete_current()
    assert win.ctx.conversations.list() == [] and win.chat.bubbles == []


def test_without_a_usable_display_the_window_says_what_to_install():
    from desktop.ui.app import display_problem

    from desktop.ui.app import XCB_LIBRARIES

    have = {lib: f"lib{lib}.so" for lib in XCB_LIBRARIES}
    assert display_problem({"DISPLAY": ":0"}, find_library=have.get) is None
    del have["xcb-cursor"], have["xcb-icccm"]
    missing = display_problem({"DISPLAY": ":0"}, find_library=have.get)
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4)" in missing
    assert "DISPLAY" in display_problem({}, find_library=have.get)
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, find_library={}.get) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, find_library={}.get) is None


def test_closing_hides_the_window_before_waiting_for_the_model_thread(open_window, qtbot, monkeypatch):
    """Stopping the model thread can take seconds (a load cannot be interrupted): the window must be
    off the screen by then, not standing there unresponsive."""
    win = open_window(worker=FakeWorker(rate=50))
    seen = []
    real_close = win.ctx.close

    def close():
        seen.append(win.isVisible())
        real_close()

    monkeypatch.setattr(win.ctx, "close", close)
    assert win.isVisible()
    win.close()
    assert seen == [False]
    assert win.ctx.closed


def test_a_question_being_typed_is_decoded_before_send(open_window, qtbot, default_model_dir):
    """On llama.cpp the window hands the typed question to the model thread once typing pauses;
    the prompt is in the engine's cache when Send is pressed, the first token is the next one
    decoded, and the answer is the one a question sent at once gets."""
    from desktop.engine import generate
    from tests.engine.llama_server import default_gguf, needs_llama

    needs_llama()
    default_gguf(default_model_dir)
    win = open_window(model_dir=default_model_dir, max_new_tokens=16)
    win.ctx.settings.temperature = 0.0  # greedy: the same prompt gives the same answer
    lm = win.ctx.worker.lm
    assert lm.engine == "llama.cpp"
    question = "What does CKD-EPI estimate?"
    turn = win.session.prepare(question, history=[])
    ids = generate.prepare(lm.tokenizer, turn.messages, context_length=lm.context_length,
                           max_new_tokens=16).input_ids
    win.chat.input.setPlainText(question)  # typing pauses here
    qtbot.waitUntil(lambda: lm.model.llm.n_tokens == len(ids)
                    and lm.model.llm._input_ids.tolist() == ids, timeout=30_000)  # noqa: SLF001
    with qtbot.waitSignal(win.session.answer_finished, timeout=60_000) as blocker:
        qtbot.keyClick(win.chat.input, Qt.Key_Return)
    ahead = blocker.args[0]
    assert ahead["stats"]["prompt_tokens"] == len(ids)
    lm.model.llm.reset()  # the same question again, decoded from nothing when sent
    with qtbot.waitSignal(win.session.answer_finished, timeout=60_000) as blocker:
        win.session.resend_last()
    assert blocker.args[0]["content"] == ahead["content"]
