"""The framed cards of the chat page and the named labels inside them: a message bubble and
a term card are both a styled frame holding a column of labels whose object names the style
sheet (``resources/style.qss``) knows. Widgets only; GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLayout, QVBoxLayout


def card_column(frame: QFrame, name: str, *, margins: tuple[int, int, int, int], spacing: int) -> QVBoxLayout:
    """Make ``frame`` a styled card named ``name`` and give it the column its parts go into."""
    frame.setObjectName(name)
    frame.setFrameShape(QFrame.StyledPanel)
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(*margins)
    lay.setSpacing(spacing)
    return lay


def named_label(name: str, into: QLayout | None = None, *, wrap: bool = False, rich: bool = False,
                selectable: bool = False) -> QLabel:
    """A label the style sheet knows by ``name``, added to ``into`` when given."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    if rich:
        label.setTextFormat(Qt.RichText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if into is not None:
        into.addWidget(label)
    return label
