"""One message of the conversation: a bubble with its Markdown body, its actions (copy,
show the prompt) and its statistics, and the text label that keeps its laid-out height.

A streamed answer renders its settled blocks once and only its growing last block on
each frame (``MessageBubble._render_streamed``). Used by ``chat_view``; GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from desktop.ui.cards import card_column, named_label
from desktop.ui.render import highlighted_answer, highlighted_question, markdown_html, settled_prefix


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
        lay = card_column(self, "userBubble" if role == "user" else "assistantBubble", margins=(12, 8, 12, 8), spacing=4)
        self.who = named_label("bubbleRole", lay)
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
        self.stats = named_label("bubbleStats")
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
        elif not self.streaming and self.message.get("answer_terms"):
            self._drop_settled()  # a finished answer whose glossary terms are known: rendered whole, marked
            self.body.setText(highlighted_answer(self.text, self.message["answer_terms"]))
            self.body.setVisible(True)
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
            self._drop_settled()
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

    def _drop_settled(self) -> None:
        for lb in self._settled:
            lb.deleteLater()
        self._settled, self._settled_len, self._settled_text = [], 0, ""

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
