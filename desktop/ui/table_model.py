"""A table model over a Python list: one row per item of ``rows``, one column per header.

Subclasses fill ``rows`` and ``headers`` and write ``data``; ``rows_table`` shows one
the way every list in the app is shown. GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView


class RowsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []
        self.headers: list[str] = []

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt)
        return len(self.headers)

    def headerData(self, section: int, orientation, role=Qt.DisplayRole) -> Any:  # noqa: N802 (Qt)
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.headers[section]
        return None


def rows_table(model: QAbstractTableModel) -> QTableView:
    """A read-only table of whole rows, several selectable at once, without row numbers."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    return table
