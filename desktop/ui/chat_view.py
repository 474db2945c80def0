"""The conversation: message bubbles, the streamed answer, and the question box.

Answers are rendered as Markdown; a question shows its glossary terms as highlighted
links. While an answer streams, deltas are appended to a buffer and the bubble is
re-rendered at most every ``RENDER_MS``, so a fast model never stalls the window.
The view only shows and asks: it emits signals and never talks to the model or stores.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget,
)

from desktop.ui.chat_bubble import MessageBubble
from desktop.ui.i18n import Retranslating
from desktop.ui.render import concept_id_of

RENDER_MS = 50  # 20 renders a second while an answer streams (FRAME_S in desktop.workers.handle says why)
# a pause in typing this long hands the question to the model thread, which decodes its prompt
# ahead of Send (llama.cpp keeps it cached), so that the answer's first token comes at once
DRAFT_PAUSE_MS = 300


class MessageInput(QPlainTextEdit):
    """The question box: Enter sends, Shift+Enter starts a new line."""

    submit = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt)
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not (event.modifiers() & Qt.ShiftModifier):
            self.submit.emit()
            return
        super().keyPressEvent(event)


class ChatView(Retranslating, QWidget):
    send_requested = Signal(str)
    edit_resend_requested = Signal(str)
    stop_requested = Signal()
    regenerate_requested = Signal()
    continue_requested = Signal()  # the last answer stopped at the token limit: let it go on
    show_prompt_requested = Signal(str)
    add_to_glossary_requested = Signal(str)
    concept_clicked = Signal(int)
    question_selected = Signal(dict)  # a user message, to show its terms
    draft_changed = Signal(str)  # the question being typed, once typing pauses (DRAFT_PAUSE_MS)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bubbles: list[MessageBubble] = []
        self._streaming: MessageBubble | None = None
        self._buffer: list[str] = []
        self._busy = False
        self._editing = False
        self._stick = True
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_MS)
        self._render_timer.timeout.connect(self._flush)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_PAUSE_MS)
        self._draft_timer.timeout.connect(self._on_draft_pause)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.banner = QLabel()
        self.banner.setObjectName("errorBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.banner.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.banner)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.inner = QWidget()
        self.inner.setObjectName("chatInner")
        self.list = QVBoxLayout(self.inner)
        self.list.setContentsMargins(12, 12, 12, 12)
        self.list.setSpacing(10)
        self.placeholder = QLabel()
        self.placeholder.setObjectName("chatPlaceholder")
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.list.addWidget(self.placeholder)
        self.list.addStretch(1)
        self.scroll.setWidget(self.inner)
        bar = self.scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range)
        bar.valueChanged.connect(lambda v: setattr(self, "_stick", v >= bar.maximum() - 24))
        lay.addWidget(self.scroll, 1)

        tools = QHBoxLayout()
        self.edit_hint = QLabel()
        self.edit_hint.setObjectName("editHint")
        self.edit_hint.setVisible(False)
        tools.addWidget(self.edit_hint, 1)
        self.limit_note = QLabel()  # "the answer reached the token limit", beside Continue
        self.limit_note.setObjectName("termMeta")
        self.limit_note.setVisible(False)
        tools.addWidget(self.limit_note)
        self.continue_btn = QPushButton()
        self.continue_btn.setVisible(False)
        self.continue_btn.clicked.connect(self.continue_requested)
        tools.addWidget(self.continue_btn)
        tools.addStretch(0)
        self.regen_btn = QPushButton()
        self.regen_btn.clicked.connect(self.regenerate_requested)
        self.edit_btn = QPushButton()
        self.edit_btn.clicked.connect(self.start_edit_last)
        tools.addWidget(self.edit_btn)
        tools.addWidget(self.regen_btn)
        lay.addLayout(tools)

        row = QHBoxLayout()
        self.input = MessageInput()
        self.input.setObjectName("questionInput")
        self.input.setFixedHeight(72)
        self.input.submit.connect(self._submit)
        self.input.textChanged.connect(self._draft_timer.start)
        row.addWidget(self.input, 1)
        buttons = QVBoxLayout()
        self.send_btn = QPushButton()
        self.send_btn.setObjectName("sendButton")
        self.send_btn.setDefault(True)
        self.send_btn.clicked.connect(self._submit)
        self.stop_btn = QPushButton()
        self.stop_btn.setObjectName("stopButton")
        self.stop_btn.clicked.connect(self.stop_requested)
        buttons.addWidget(self.send_btn)
        buttons.addWidget(self.stop_btn)
        row.addLayout(buttons)
        lay.addLayout(row)
        self.retranslate()
        self.set_busy(False)

    # ---- language ---------------------------------------------------------------------
    def retranslate(self) -> None:
        self.placeholder.setText(self.tr("Ask a question. Terms from your glossary are detected as you send it, "
                                         "shown on the right, and their definitions given to the model."))
        self.input.setPlaceholderText(self.tr("Ask a question (Enter sends, Shift+Enter for a new line)"))
        self.input.setAccessibleName(self.tr("Question"))
        self.send_btn.setText(self.tr("Send"))
        self.send_btn.setAccessibleName(self.tr("Send the question"))
        self.stop_btn.setText(self.tr("Stop"))
        self.stop_btn.setAccessibleName(self.tr("Stop the answer (Esc)"))
        self.regen_btn.setText(self.tr("Regenerate"))
        self.continue_btn.setText(self.tr("Continue"))
        self.continue_btn.setAccessibleName(self.tr("Let the last answer go on where it stopped"))
        self.regen_btn.setAccessibleName(self.tr("Answer the last question again"))
        self.edit_btn.setText(self.tr("Edit last question"))
        self.edit_btn.setAccessibleName(self.tr("Edit and resend the last question"))
        self.edit_hint.setText(self.tr("Editing the last question: Enter resends it, Esc cancels."))
        self.banner.setAccessibleName(self.tr("Error message"))
        self.scroll.setAccessibleName(self.tr("Conversation"))
        for b in self.bubbles:
            b.retranslate()
            b.render()

    # ---- showing ----------------------------------------------------------------------
    def set_font_size(self, points: int) -> None:
        f = QFont(self.inner.font())
        f.setPointSize(points)
        self.inner.setFont(f)
        self.input.setFont(f)

    def clear(self) -> None:
        self._render_timer.stop()
        self._streaming, self._buffer = None, []
        for b in self.bubbles:
            self.list.removeWidget(b)
            b.hide()
            b.deleteLater()
        self.bubbles = []
        self.placeholder.setVisible(True)
        self.hide_error()

    def set_messages(self, messages: list[dict]) -> None:
        self.clear()
        for m in messages:
            self._add(m["role"], m)
        self._update_tools()

    def _add(self, role: str, message: dict) -> MessageBubble:
        b = MessageBubble(role, message)
        b.link_clicked.connect(self._on_link)
        b.add_to_glossary.connect(self.add_to_glossary_requested)
        b.show_prompt.connect(self.show_prompt_requested)
        b.selected.connect(self._on_bubble_selected)
        self.list.insertWidget(self.list.count() - 1, b)
        self.bubbles.append(b)
        self.placeholder.setVisible(False)
        self._stick = True
        return b

    def add_question(self, message: dict) -> MessageBubble:
        b = self._add("user", message)
        self._update_tools()
        return b

    def begin_answer(self) -> None:
        self._show_limit(None)
        self._buffer = []
        self._streaming = self._add("assistant", {"role": "assistant", "content": ""})
        self._streaming.streaming = True

    def append_delta(self, text: str) -> None:
        """Add streamed text; the bubble re-renders on the next render tick."""
        if self._streaming is None:
            self.begin_answer()
        self._buffer.append(text)
        if not self._render_timer.isActive():
            self._render_timer.start()

    def _flush(self) -> None:
        b = self._streaming
        if b is None or not self._buffer:
            return
        b.message["content"] = b.message.get("content", "") + "".join(self._buffer)
        self._buffer = []
        b.render()

    def set_prompt(self, prompt: str) -> None:
        if self._streaming is not None:
            self._streaming.message["prompt"] = prompt

    def resume_answer(self) -> None:
        """Continue: the deltas that follow extend the last answer's bubble."""
        self._show_limit(None)
        last = next((b for b in reversed(self.bubbles) if b.role == "assistant"), None)
        if last is None:
            self.begin_answer()
            return
        self._buffer = []
        self._streaming = last
        last.streaming = True

    def _show_limit(self, stats: dict | None) -> None:
        """Say so when an answer stopped at the token limit, and offer Continue."""
        hit = bool(stats) and stats.get("finish_reason") == "length"
        if hit:
            self.limit_note.setText(self.tr("The answer reached the token limit ({tokens}).").replace(
                "{tokens}", str(int(stats.get("new_tokens") or 0))))
        self.limit_note.setVisible(hit)
        self.continue_btn.setVisible(hit)

    def finish_answer(self, message: dict) -> None:
        """The answer ended: show its final text (and stats, prompt)."""
        self._show_limit(message.get("stats"))
        self._render_timer.stop()
        self._buffer = []
        b = self._streaming or self._add("assistant", message)
        b.update_message(message)
        b.streaming = False
        if message.get("answer_terms"):
            b.render()  # once more, now finished: with the glossary terms it uses marked
        self._streaming = None
        self._update_tools()

    def fail_answer(self, sentence: str) -> None:
        self._flush()
        b = self._streaming
        if b is not None and not b.text.strip():
            self.bubbles.remove(b)
            self.list.removeWidget(b)
            b.hide()
            b.deleteLater()
        self._streaming = None
        self.show_error(sentence)
        self._update_tools()

    def show_error(self, sentence: str) -> None:
        self.banner.setText(sentence)
        self.banner.setVisible(True)

    def hide_error(self) -> None:
        self.banner.setVisible(False)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.send_btn.setEnabled(not busy)
        self.stop_btn.setEnabled(busy)
        self._update_tools()

    @property
    def editing(self) -> bool:
        return self._editing

    def _update_tools(self) -> None:
        has_q = any(b.role == "user" for b in self.bubbles)
        self.regen_btn.setEnabled(has_q and not self._busy)
        self.continue_btn.setEnabled(not self._busy)
        self.edit_btn.setEnabled(has_q and not self._busy)

    def _on_range(self, _lo: int, hi: int) -> None:
        if self._stick:
            self.scroll.verticalScrollBar().setValue(hi)

    def _on_link(self, href: str) -> None:
        cid = concept_id_of(href)
        if cid is not None:
            self.concept_clicked.emit(cid)

    def _on_bubble_selected(self, bubble: MessageBubble) -> None:
        if bubble.role == "user":
            self.question_selected.emit(bubble.message)

    # ---- asking -----------------------------------------------------------------------
    def _submit(self) -> None:
        text = self.input.toPlainText().strip()
        if not text or self._busy:
            return
        self.input.clear()
        self._draft_timer.stop()
        self.hide_error()
        if self._editing:
            self.cancel_edit()
            self.edit_resend_requested.emit(text)
        else:
            self.send_requested.emit(text)

    def _on_draft_pause(self) -> None:
        if not self._editing and not self._busy:
            self.draft_changed.emit(self.input.toPlainText().strip())

    def start_edit_last(self) -> None:
        for b in reversed(self.bubbles):
            if b.role == "user":
                self._editing = True
                self.input.setPlainText(b.text)
                self.edit_hint.setVisible(True)
                self.input.setFocus()
                return

    def cancel_edit(self) -> None:
        if self._editing:
            self._editing = False
            self.edit_hint.setVisible(False)
