"""The conversation: message bubbles, the streamed answer, and the question box.

Answers are rendered as Markdown; a question shows its glossary terms as highlighted
links. While an answer streams, deltas are appended to a buffer and the bubble is
re-rendered at most every ``RENDER_MS``, so a fast model never stalls the window.
The view only shows and asks: it emits signals and never talks to the model or stores.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QMenu, QPlainTextEdit, QPushButton, QScrollArea, QSizePolicy, QToolButton,
    QVBoxLayout, QWidget,
)

from desktop.ui.render import highlighted_question, markdown_html, settled_prefix

RENDER_MS = 33


class TextLabel(QLabel):
    """A word-wrapped rich-text label that remembers its height for a width until its text,
    font or style changes.

    Each time the streamed answer grows, the chat's layout asks every label in the
    conversation for its height again; a QLabel lays its whole text out to answer, so each
    frame cost more the longer the conversation (16 earlier 600-word answers: 31 ms a frame
    instead of 7; ``benchmarks/bench_chat_history.py``). Only the label whose text changed
    is laid out again now.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heights: dict[int, int] = {}  # width -> height
        self._hint: QSize | None = None  # QLabel's own size hint

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        if text == self.text():
            return
        self._forget()
        super().setText(text)

    def clear(self) -> None:
        self._forget()
        super().clear()

    def _forget(self) -> None:
        self._heights.clear()
        self._hint = None

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) > 16:  # widths seen while a window is resized
                self._heights.clear()
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):
            self._forget()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The height the text needs at the width the label has (QLabel guesses a narrower width,
        and that taller guess, as the label's minimum, left blank space below the conversation)."""
        if self._hint is None:
            self._hint = super().sizeHint()
        if self.width() > 0 and self.wordWrap():
            return QSize(self._hint.width(), self.heightForWidth(self.width()))
        return self._hint

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the height it needs changed with the width


class MessageBubble(QFrame):
    """One message; its body is a selectable rich-text label."""

    link_clicked = Signal(str)
    add_to_glossary = Signal(str)
    show_prompt = Signal(str)
    selected = Signal(object)  # the bubble

    def __init__(self, role: str, message: dict | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self.message = dict(message or {"role": role, "content": ""})
        self.setObjectName("userBubble" if role == "user" else "assistantBubble")
        self.setFrameShape(QFrame.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(4)
        self.who = QLabel()
        self.who.setObjectName("bubbleRole")
        lay.addWidget(self.who)
        self.streaming = False  # set while an answer streams in (see render)
        self._settled: list[QLabel] = []  # labels of the answer's settled blocks, above ``body``
        self._settled_len = 0
        self._settled_text = ""
        self._lay = lay
        self.body = self._text_label()
        lay.addWidget(self.body)
        self.actions = QHBoxLayout()
        self.actions.setSpacing(6)
        self.copy_btn = QToolButton()
        self.copy_btn.clicked.connect(self.copy)
        self.prompt_btn = QToolButton()
        self.prompt_btn.clicked.connect(lambda: self.show_prompt.emit(self.message.get("prompt") or ""))
        self.stats = QLabel()
        self.stats.setObjectName("bubbleStats")
        for w in (self.copy_btn, self.prompt_btn):
            w.setAutoRaise(True)
            self.actions.addWidget(w)
        self.actions.addStretch(1)
        self.actions.addWidget(self.stats)
        if role == "assistant":
            lay.addLayout(self.actions)
        self.copy_btn.setVisible(role == "assistant")
        self.prompt_btn.setVisible(False)
        self.retranslate()
        self.render()

    def retranslate(self) -> None:
        self.who.setText(self.tr("You") if self.role == "user" else "TermLens")
        self.copy_btn.setText(self.tr("Copy"))
        self.copy_btn.setAccessibleName(self.tr("Copy this answer"))
        self.prompt_btn.setText(self.tr("Show prompt"))
        self.prompt_btn.setAccessibleName(self.tr("Show the prompt the model received"))
        self.body.setAccessibleName(self.tr("Your question") if self.role == "user" else self.tr("Answer"))

    def _text_label(self) -> QLabel:
        label = TextLabel()
        label.setObjectName("bubbleBody")
        label.setWordWrap(True)
        label.setTextFormat(Qt.RichText)
        label.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.LinksAccessibleByMouse
                                      | Qt.LinksAccessibleByKeyboard | Qt.TextSelectableByKeyboard)
        label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.MinimumExpanding)
        label.setContextMenuPolicy(Qt.CustomContextMenu)
        label.customContextMenuRequested.connect(self._menu)
        label.linkActivated.connect(self.link_clicked)
        return label

    @property
    def text(self) -> str:
        return self.message.get("content", "")

    def render(self) -> None:
        if self.role == "user":
            self.body.setText(highlighted_question(self.text, self.message.get("terms")))
        elif self.streaming or self._settled:
            self._render_streamed()
        else:
            self.body.setText(markdown_html(self.text) or "<p>…</p>")
        self.prompt_btn.setVisible(bool(self.message.get("prompt")))
        stats = self.message.get("stats") or {}
        if stats.get("new_tokens"):
            self.stats.setText(self.tr("{n} tokens · {r:.1f} tok/s").format(
                n=stats.get("new_tokens", 0), r=float(stats.get("tok_s", 0.0))))

    def update_message(self, message: dict) -> None:
        self.message.update(message)
        self.render()

    def _render_streamed(self) -> None:
        """An answer that streams in: blocks that are complete are rendered once into labels of
        their own, and only the last, growing block is rendered again on each frame, so that a
        long answer costs each frame the same little time as a short one."""
        text = self.text
        settled = text[:self._settled_len]
        if settled != self._settled_text:  # the final text differs from what streamed: start over
            for lb in self._settled:
                lb.deleteLater()
            self._settled, self._settled_len, self._settled_text = [], 0, ""
        cut = settled_prefix(text)
        if cut > self._settled_len:
            block = text[self._settled_len:cut]
            label = self._text_label()
            label.setText(markdown_html(block))
            self._lay.insertWidget(self._lay.indexOf(self.body), label)
            self._settled.append(label)
            self._settled_len = cut
            self._settled_text = text[:cut]
        tail = text[self._settled_len:]
        self.body.setText(markdown_html(tail) if tail.strip() else ("" if self._settled else "<p>…</p>"))
        self.body.setVisible(bool(tail.strip()) or not self._settled)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt)
        self.selected.emit(self)
        super().mousePressEvent(event)

    def _menu(self, pos: QPoint) -> None:
        label = self.sender() if isinstance(self.sender(), QLabel) else self.body
        menu = QMenu(self)
        chosen = label.selectedText().strip()
        copy_sel = menu.addAction(self.tr("Copy selection"))
        copy_sel.setEnabled(bool(chosen))
        copy_all = menu.addAction(self.tr("Copy message"))
        menu.addSeparator()
        add = menu.addAction(self.tr("Add “{text}” to glossary…").format(text=chosen[:40]) if chosen
                             else self.tr("Add to glossary… (select text first)"))
        add.setEnabled(bool(chosen))
        picked = menu.exec(label.mapToGlobal(pos))
        if picked is copy_sel:
            QGuiApplication.clipboard().setText(chosen)
        elif picked is copy_all:
            self.copy()
        elif picked is add:
            self.add_to_glossary.emit(chosen)


class MessageInput(QPlainTextEdit):
    """The question box: Enter sends, Shift+Enter starts a new line."""

    submit = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt)
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not (event.modifiers() & Qt.ShiftModifier):
            self.submit.emit()
            return
        super().keyPressEvent(event)


class ChatView(QWidget):
    send_requested = Signal(str)
    edit_resend_requested = Signal(str)
    stop_requested = Signal()
    regenerate_requested = Signal()
    show_prompt_requested = Signal(str)
    add_to_glossary_requested = Signal(str)
    concept_clicked = Signal(int)
    question_selected = Signal(dict)  # a user message, to show its terms

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
        self.regen_btn.setAccessibleName(self.tr("Answer the last question again"))
        self.edit_btn.setText(self.tr("Edit last question"))
        self.edit_btn.setAccessibleName(self.tr("Edit and resend the last question"))
        self.edit_hint.setText(self.tr("Editing the last question: Enter resends it, Esc cancels."))
        self.banner.setAccessibleName(self.tr("Error message"))
        self.scroll.setAccessibleName(self.tr("Conversation"))
        for b in self.bubbles:
            b.retranslate()
            b.render()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt)
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

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

    def update_last_question(self, message: dict) -> None:
        for b in reversed(self.bubbles):
            if b.role == "user":
                b.update_message(message)
                return

    def begin_answer(self) -> None:
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

    def finish_answer(self, message: dict) -> None:
        """The answer ended: show its final text (and stats, prompt)."""
        self._render_timer.stop()
        self._buffer = []
        b = self._streaming or self._add("assistant", message)
        b.update_message(message)
        b.streaming = False
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

    def drop_last_answer(self) -> None:
        """Remove bubbles after the last question (before it is answered again)."""
        while self.bubbles and self.bubbles[-1].role != "user":
            b = self.bubbles.pop()
            self.list.removeWidget(b)
            b.hide()
            b.deleteLater()

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
    def busy(self) -> bool:
        return self._busy

    @property
    def editing(self) -> bool:
        return self._editing

    def _update_tools(self) -> None:
        has_q = any(b.role == "user" for b in self.bubbles)
        self.regen_btn.setEnabled(has_q and not self._busy)
        self.edit_btn.setEnabled(has_q and not self._busy)

    def _on_range(self, _lo: int, hi: int) -> None:
        if self._stick:
            self.scroll.verticalScrollBar().setValue(hi)

    def _on_link(self, href: str) -> None:
        if href.startswith("concept:"):
            try:
                self.concept_clicked.emit(int(href.split(":", 1)[1]))
            except ValueError:
                pass

    def _on_bubble_selected(self, bubble: MessageBubble) -> None:
        if bubble.role == "user":
            self.question_selected.emit(bubble.message)

    # ---- asking -----------------------------------------------------------------------
    def _submit(self) -> None:
        text = self.input.toPlainText().strip()
        if not text or self._busy:
            return
        self.input.clear()
        self.hide_error()
        if self._editing:
            self.cancel_edit()
            self.edit_resend_requested.emit(text)
        else:
            self.send_requested.emit(text)

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
