"""The list of saved conversations: search, new, rename, delete, export as Markdown.

Works on the conversation source it is given and tells the window which
conversation to open (``open_requested``); the chat itself is not its business.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QInputDialog, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
    QVBoxLayout, QWidget,
)

from desktop.ui import file_dialogs
from desktop.ui.i18n import Retranslating
from glossary.errors import TermLensError


class ConversationList(Retranslating, QWidget):
    open_requested = Signal(int)
    new_requested = Signal()

    def __init__(self, source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.current_id = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.refresh())
        lay.addWidget(self.search)
        self.new_btn = QPushButton()
        self.new_btn.setObjectName("newChatButton")
        self.new_btn.clicked.connect(self.new_requested)
        lay.addWidget(self.new_btn)
        self.list = QListWidget()
        self.list.setTextElideMode(Qt.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.rename_btn = QPushButton()
        self.rename_btn.clicked.connect(self.rename_current)
        self.delete_btn = QPushButton()
        self.delete_btn.clicked.connect(self.delete_current)
        self.export_btn = QPushButton()
        self.export_btn.clicked.connect(self.export_current)
        for b in (self.rename_btn, self.delete_btn, self.export_btn):
            row.addWidget(b)
        lay.addLayout(row)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search conversations (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search conversations"))
        self.new_btn.setText(self.tr("New chat"))
        self.new_btn.setAccessibleName(self.tr("Start a new conversation (Ctrl+N)"))
        self.list.setAccessibleName(self.tr("Conversations"))
        self.rename_btn.setText(self.tr("Rename"))
        self.rename_btn.setAccessibleName(self.tr("Rename the selected conversation"))
        self.delete_btn.setText(self.tr("Delete"))
        self.delete_btn.setAccessibleName(self.tr("Delete the selected conversation"))
        self.export_btn.setText(self.tr("Export"))
        self.export_btn.setAccessibleName(self.tr("Export the selected conversation as Markdown"))

    def refresh(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for conv in self.source.list(search=self.search.text().strip() or None):
            item = QListWidgetItem(conv["title"] or self.tr("(untitled)"))
            item.setData(Qt.UserRole, conv["id"])
            item.setToolTip(conv.get("updated_at", ""))
            self.list.addItem(item)
            if conv["id"] == self.current_id:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        has = self.selected_id() != 0
        for b in (self.rename_btn, self.delete_btn, self.export_btn):
            b.setEnabled(has)

    def set_current(self, conv_id: int) -> None:
        self.current_id = conv_id
        self.refresh()

    def selected_id(self) -> int:
        item = self.list.currentItem()
        return int(item.data(Qt.UserRole)) if item is not None and item.isSelected() else 0

    def _activated(self, item: QListWidgetItem) -> None:
        cid = int(item.data(Qt.UserRole))
        for b in (self.rename_btn, self.delete_btn, self.export_btn):
            b.setEnabled(True)
        if cid != self.current_id:
            self.current_id = cid
            self.open_requested.emit(cid)

    def rename_current(self) -> None:
        cid = self.selected_id()
        if not cid:
            return
        title, ok = QInputDialog.getText(self, self.tr("Rename conversation"), self.tr("New title:"),
                                         text=self.list.currentItem().text())
        if ok and title.strip():
            self._guard(lambda: self.source.rename(cid, title.strip()))
            self.refresh()

    def delete_current(self) -> None:
        cid = self.selected_id()
        if not cid:
            return
        answer = QMessageBox.question(self, self.tr("Delete conversation"),
                                      self.tr("Delete “{title}” and all its messages?").format(
                                          title=self.list.currentItem().text()))
        if answer != QMessageBox.Yes:
            return
        self._guard(lambda: self.source.delete(cid))
        if cid == self.current_id:
            self.current_id = 0
            self.new_requested.emit()
        self.refresh()

    def export_current(self, path: str | None = None) -> None:
        cid = self.selected_id() or self.current_id
        if not cid:
            return
        if path is None:
            path = file_dialogs.save_file(self, self.tr("Export conversation"), "conversation.md",
                                          self.tr("Markdown (*.md)"))
        if path:
            self._guard(lambda: open(path, "w", encoding="utf-8").write(self.source.export_markdown(cid)))

    def _guard(self, fn) -> None:
        try:
            fn()
        except (TermLensError, OSError) as exc:
            QMessageBox.warning(self, self.tr("TermLens"), str(exc))
