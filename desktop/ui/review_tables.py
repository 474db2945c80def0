"""The tables and the edit dialog of the Training data page: Q&A pairs of one status
(or all) with their review state, and candidate terms found in documents. Models over
plain lists (``desktop.ui.table_model.RowsModel``); GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QWidget

from desktop.ui.table_model import RowsModel
from glossary import candidates, dataset


# ---- pairs ------------------------------------------------------------------------------

class PairTableModel(RowsModel):
    """The pairs of one status (or all); ``rows`` are positions in ``pairs``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pairs: list[dict] = []
        self.rows: list[int] = []
        self.status: str | None = None
        self.labels: dict[Any, str] = {}  # concept id -> its name
        self.headers = ["Status", "Kind", "Language", "Question", "Answer", "Concept"]
        self.status_names = {s: s for s in dataset.STATUSES}
        self.kind_names: dict[str, str] = {}
        self.lang_names: dict[str, str] = {}

    def set_pairs(self, pairs: list[dict], status: str | None) -> None:
        self.beginResetModel()
        self.pairs, self.status = pairs, status
        self.rows = [i for i, p in enumerate(pairs) if status is None or p.get("status") == status]
        self.endResetModel()

    def changed(self) -> None:
        """The pairs changed in place: refilter and repaint."""
        self.set_pairs(self.pairs, self.status)

    def pair(self, row: int) -> dict:
        return self.pairs[self.rows[row]]

    def data(self, index: QModelIndex, role=Qt.DisplayRole) -> Any:
        p = self.pair(index.row())
        col = index.column()
        status = p.get("status", "pending")
        if role == Qt.ForegroundRole and col == 0:
            return QBrush(QColor({"accepted": "#2e7d32", "rejected": "#9e9e9e"}.get(status, "#ef6c00")))
        if role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        msgs = p["messages"]
        if col == 0:
            return self.status_names.get(status, status) + (" *" if p.get("edited") else "")
        if col == 1:
            return self.kind_names.get(p.get("kind", ""), p.get("kind", ""))
        if col == 2:
            return self.lang_names.get(p.get("lang", ""), p.get("lang", ""))
        if col in (3, 4):
            role_name = "user" if col == 3 else "assistant"
            text = next((m["content"] for m in reversed(msgs) if m["role"] == role_name), "")
            return text if role == Qt.ToolTipRole else " ".join(text.split())[:200]
        if col == 5:
            cid = p.get("concept_id")
            return self.labels.get(cid, "" if cid is None else str(cid))
        return None


class PairDialog(QDialog):
    """Edit the question and the answer of one pair."""

    def __init__(self, pair: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit training pair"))
        msgs = pair["messages"]
        self.question = QPlainTextEdit(next((m["content"] for m in msgs if m["role"] == "user"), ""))
        self.answer = QPlainTextEdit(next((m["content"] for m in reversed(msgs) if m["role"] == "assistant"), ""))
        self.question.setAccessibleName(self.tr("Question"))
        self.answer.setAccessibleName(self.tr("Answer"))
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Question"), self.question)
        form.addRow(self.tr("Answer"), self.answer)
        form.addRow(self.problem)
        form.addRow(buttons)
        self.resize(640, 420)

    def _check(self) -> None:
        if not self.question.toPlainText().strip() or not self.answer.toPlainText().strip():
            self.problem.setText(self.tr("A pair needs both a question and an answer."))
            return
        self.accept()

    def texts(self) -> tuple[str, str]:
        return self.question.toPlainText().strip(), self.answer.toPlainText().strip()


# ---- candidate terms -------------------------------------------------------------------

class CandidateTableModel(RowsModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[candidates.Candidate] = []
        self.headers = ["Term", "Language", "Score", "Occurrences", "Documents", "Example"]

    def set_items(self, items: list[candidates.Candidate]) -> None:
        self.beginResetModel()
        self.rows = list(items)
        self.endResetModel()

    def data(self, index: QModelIndex, role=Qt.DisplayRole) -> Any:
        c = self.rows[index.row()]
        col = index.column()
        if role == Qt.ToolTipRole and col == 5:
            return f"{c.example}\n\n{', '.join(c.sources)}"
        if role != Qt.DisplayRole:
            return None
        return (c.label, c.lang, f"{c.score:.1f}", c.count, c.documents, c.example)[col]
