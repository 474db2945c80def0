""""Show prompt": exactly the text the model received for one answer, read-only."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class PromptDialog(QDialog):
    def __init__(self, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Prompt the model received"))
        self.resize(760, 560)
        lay = QVBoxLayout(self)
        note = QLabel(self.tr("This is the full prompt for this answer, after the chat template, "
                              "including the glossary definitions that were injected."))
        note.setWordWrap(True)
        lay.addWidget(note)
        self.text = QPlainTextEdit(prompt or self.tr("(The prompt is not known for this answer.)"))
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.text.setAccessibleName(self.tr("Prompt text"))
        lay.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        copy = buttons.addButton(self.tr("Copy"), QDialogButtonBox.ActionRole)
        copy.setAccessibleName(self.tr("Copy the prompt"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(prompt))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
