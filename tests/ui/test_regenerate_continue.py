"""Regenerate samples a new answer; an answer cut at the token limit says so and Continue extends it."""

from __future__ import annotations

from tests.ui.conftest import ask
from tests.ui.fakes import FakeWorker


def test_regenerate_samples_with_a_new_seed_and_the_repetition_penalty(open_window, qtbot):
    worker = FakeWorker(rate=2000)
    win = open_window(worker=worker, max_new_tokens=5)
    ask(qtbot, win, "What does CKD-EPI estimate?")
    first = worker.requests[-1]
    assert first.temperature == 0.0 and first.seed is None  # a first answer is greedy, as set
    assert first.repetition_penalty == win.ctx.settings.repetition_penalty > 1.0
    seeds = []
    for _ in range(2):
        with qtbot.waitSignal(win.session.answer_finished, timeout=5_000):
            win.chat.regen_btn.click()
        req = worker.requests[-1]
        assert req.temperature == win.ctx.settings.regenerate_temperature > 0
        seeds.append(req.seed)
    assert None not in seeds and seeds[0] != seeds[1]
    win.ctx.settings.regenerate_temperature = 0.0  # the person chose greedy: Regenerate repeats it
    with qtbot.waitSignal(win.session.answer_finished, timeout=5_000):
        win.chat.regen_btn.click()
    assert worker.requests[-1].temperature == 0.0 and worker.requests[-1].seed is None


def test_an_answer_at_the_token_limit_says_so_and_continue_extends_it(open_window, qtbot):
    worker = FakeWorker(rate=2000)
    win = open_window(worker=worker, max_new_tokens=5)
    answer = ask(qtbot, win, "What does CKD-EPI estimate?")
    assert answer["stats"]["finish_reason"] == "length"
    assert win.chat.continue_btn.isVisible() and "5" in win.chat.limit_note.text()
    before = answer["content"]
    with qtbot.waitSignal(win.session.answer_finished, timeout=5_000) as done:
        win.chat.continue_btn.click()
    req = worker.requests[-1]
    assert req.messages[-1] == {"role": "assistant", "content": before}  # the model goes on inside it
    merged = done.args[0]["content"]
    assert merged.startswith(before) and len(merged) > len(before)
    # one answer, in the window and in the saved conversation
    assert [b.role for b in win.chat.bubbles] == ["user", "assistant"]
    assert win.chat.bubbles[-1].text == merged
    saved = win.ctx.conversations.messages(win.session.conv_id)
    assert [m["content"] for m in saved if m["role"] == "assistant"] == [merged]
