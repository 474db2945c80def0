"""The chat view while an answer streams: earlier answers are not laid out again each frame,
and every label still has the height its text needs."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from shiboken6 import getCppPointer

from desktop.ui.chat_bubble import TextLabel
from desktop.ui.chat_view import ChatView

LONG = " ".join(f"word{i}" for i in range(600))


def test_streaming_does_not_lay_out_earlier_answers_again(qtbot, monkeypatch):
    """The chat's layout asks every label for its height in every frame of a streamed answer;
    a label whose text did not change must not lay that text out again (with plain QLabels
    each earlier answer was laid out about four times a frame, so frames grew slower as the
    conversation grew)."""
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    history = []
    for i in range(4):
        history += [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": LONG}]
    view.set_messages(history)
    view.begin_answer()
    qtbot.wait(20)
    earlier = {getCppPointer(b.body)[0] for b in view.bubbles[:-1]}
    streaming = getCppPointer(view.bubbles[-1].body)[0]
    laid_out: list[int] = []
    plain = QLabel.heightForWidth

    def counting(self, width):
        laid_out.append(getCppPointer(self)[0])
        return plain(self, width)

    monkeypatch.setattr(QLabel, "heightForWidth", counting)
    for i in range(10):
        view.append_delta(f" streamed{i} " + "more words " * 5)
        view._flush()  # what the render timer does each frame
        qtbot.wait(2)
    assert streaming in laid_out  # the growing answer is laid out as it grows
    assert not earlier & set(laid_out), "an earlier message's text was laid out again while another streamed"
    assert "streamed9" in view.bubbles[-1].body.text()


def test_a_label_is_as_tall_as_its_text_needs_after_every_change(qtbot):
    ours, plain = TextLabel(), QLabel()
    for label in (ours, plain):
        qtbot.addWidget(label)
        label.setWordWrap(True)
    for text in ("short", LONG, LONG + " " + LONG, "short again"):
        ours.setText(text)
        plain.setText(text)
        assert ours.heightForWidth(400) == plain.heightForWidth(400)
        assert ours.heightForWidth(200) == plain.heightForWidth(200)
    ours.setText(LONG)
    tall = ours.heightForWidth(300)
    font = ours.font()
    font.setPointSize(font.pointSize() * 2)
    ours.setFont(font)
    assert ours.heightForWidth(300) > tall  # a bigger font needs more height
    ours.clear()
    assert ours.heightForWidth(300) < tall


def test_the_conversation_ends_at_its_last_message_without_blank_space_below(qtbot):
    """The scroll area is as tall as the messages at the width they have, so scrolling to the
    end shows the end of the last answer (a label's guessed minimum height used to add
    hundreds of blank pixels below it)."""
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    view.set_messages([{"role": "user", "content": "Question?"}, {"role": "assistant", "content": LONG}])
    view.begin_answer()
    for i in range(6):
        view.append_delta(f"Paragraph {i}: " + "words of the answer " * 20 + "\n\n")
        view._flush()
        qtbot.wait(5)
    view.finish_answer({"role": "assistant", "content": view.bubbles[-1].text, "stats": {"new_tokens": 600}})
    for width in (900, 500, 1100):
        view.resize(width, 600)
        qtbot.wait(30)
        needed = view.inner.heightForWidth(view.inner.width())
        assert view.inner.height() <= max(needed, view.scroll.viewport().height()) + 2, width
        last = view.bubbles[-1]
        bottom = last.mapTo(view.inner, last.rect().bottomLeft()).y()
        assert view.inner.height() - bottom < 40, width  # the margin below the last message, no more
