"""The glossary page: a table of concepts with search (Chinese and English) and a
subject-field filter; add, edit, delete; bulk status change; undo; import, export,
starter glossaries and ICD-10-CM with a progress bar.

The table model loads concepts a page at a time as the person scrolls, so a
70,000-code glossary opens at once. Long loads run on a ``GlossaryTask`` thread;
when one ends, ``glossary_replaced`` asks the window to rebuild term detection.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox,
    QProgressBar, QPushButton, QVBoxLayout, QWidget,
)

from desktop.ui.feedback import plural
from desktop.ui.i18n import Retranslating
from desktop.ui.table_model import RowsModel, rows_table
from desktop.ui import glossary_actions
from desktop.ui.import_dialog import ImportDialog, export_glossary
from desktop.workers.background import GlossaryTask
from glossary.errors import TermLensError
from glossary.model import Concept, Status
from glossary.store import GlossaryStore

PAGE = 500


class ConceptTableModel(RowsModel):
    def __init__(self, store: GlossaryStore, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.rows: list[Concept] = []
        self.search = ""
        self.field: str | None = None
        self._done = True
        self.headers = ["Term", "Other terms", "Subject fields", "Definition", "Source", "Status"]

    def set_query(self, search: str, field: str | None) -> None:
        self.beginResetModel()
        self.search, self.field = search.strip(), field
        if self.search:
            found = self.store.search(self.search, limit=2000)
            self.rows = [c for c in found if field is None or field in c.subject_fields]
            self._done = True
        else:
            self.rows = self.store.concepts(domain=field, limit=PAGE, offset=0)
            self._done = len(self.rows) < PAGE
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802 (Qt)
        return not parent.isValid() and not self._done

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: N802 (Qt)
        more = self.store.concepts(domain=self.field, limit=PAGE, offset=len(self.rows))
        self._done = len(more) < PAGE
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()

    def data(self, index: QModelIndex, role=Qt.DisplayRole) -> Any:
        c = self.rows[index.row()]
        col = index.column()
        if role == Qt.UserRole:
            return c.id
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            if col == 0:
                return c.label()
            if col == 1:
                pref = c.preferred()
                return ", ".join(t.text for t in c.terms if t is not pref)
            if col == 2:
                return ", ".join(c.subject_fields)
            if col == 3:
                text = " / ".join(v for v in (c.definitions.get("en"), c.definitions.get("zh")) if v) \
                    or c.definition("en")
                return text if role == Qt.ToolTipRole else text[:160]
            if col == 4:
                return c.source
            if col == 5:
                return {"draft": self.tr("draft"), "approved": self.tr("approved")}.get(c.status.value, c.status.value)
        return None

    def ids(self, rows: list[int]) -> list[int]:
        return [self.rows[r].id for r in rows if 0 <= r < len(self.rows)]


class GlossaryEditor(Retranslating, QWidget):
    glossary_replaced = Signal()  # written through another connection: rebuild detection

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task: GlossaryTask | None = None
        self._news = None  # makes the status line's text, again after a change of language
        self._changed: list[int] = []  # concept ids of the last change to the glossary
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=200, timeout=self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        top.addWidget(self.search, 2)
        self.field = QComboBox()
        self.field.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.field, 1)
        self.count = QLabel()
        top.addWidget(self.count)
        lay.addLayout(top)

        bar = QHBoxLayout()
        self.add_btn = QPushButton()
        self.add_btn.clicked.connect(self.add_concept)
        self.edit_btn = QPushButton()
        self.edit_btn.clicked.connect(self.edit_selected)
        self.delete_btn = QPushButton()
        self.delete_btn.clicked.connect(self.delete_selected)
        self.approve_btn = QPushButton()
        self.approve_btn.clicked.connect(lambda: self.set_status(Status.APPROVED))
        self.draft_btn = QPushButton()
        self.draft_btn.clicked.connect(lambda: self.set_status(Status.DRAFT))
        self.undo_btn = QPushButton()
        self.undo_btn.clicked.connect(self.undo)
        self.redo_btn = QPushButton()
        self.redo_btn.clicked.connect(self.redo)
        self.import_btn = QPushButton()
        self.import_btn.clicked.connect(self.import_file)
        self.export_btn = QPushButton()
        self.export_btn.clicked.connect(self.export_file)
        self.starter_btn = QPushButton()
        self.starter_btn.clicked.connect(self.load_starters)
        self.icd_btn = QPushButton()
        self.icd_btn.clicked.connect(self.load_icd)
        for b in (self.add_btn, self.edit_btn, self.delete_btn, self.approve_btn, self.draft_btn, self.undo_btn, self.redo_btn):
            bar.addWidget(b)
        bar.addStretch(1)
        for b in (self.import_btn, self.export_btn, self.starter_btn, self.icd_btn):
            bar.addWidget(b)
        lay.addLayout(bar)

        self.model = ConceptTableModel(ctx.store, self)
        self.table = rows_table(self.model)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        lay.addWidget(self.table, 1)

        low = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.task_label = QLabel()
        self.task_label.setWordWrap(True)
        self.cancel_btn = QPushButton()
        self.cancel_btn.setVisible(False)
        self.cancel_btn.clicked.connect(lambda: self.task and self.task.stop())
        low.addWidget(self.task_label, 1)
        low.addWidget(self.progress)
        low.addWidget(self.cancel_btn)
        lay.addLayout(low)
        ctx.store.changed.append(self._on_store_changed)
        self.retranslate()
        self.refresh()
        self._show_redo()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search terms and definitions (English or Chinese)"))
        self.search.setAccessibleName(self.tr("Search the glossary"))
        self.field.setAccessibleName(self.tr("Subject field filter"))
        for b, text, name in (
            (self.add_btn, self.tr("Add"), self.tr("Add a concept")),
            (self.edit_btn, self.tr("Edit"), self.tr("Edit the selected concept")),
            (self.delete_btn, self.tr("Delete"), self.tr("Delete the selected concepts")),
            (self.approve_btn, self.tr("Mark approved"), self.tr("Mark the selected concepts approved")),
            (self.draft_btn, self.tr("Mark draft"), self.tr("Mark the selected concepts draft")),
            (self.undo_btn, self.tr("Undo"), self.tr("Undo the last glossary change")),
            (self.redo_btn, self.tr("Redo"), self.tr("Make the undone change again")),
            (self.import_btn, self.tr("Import…"), self.tr("Import a glossary file")),
            (self.export_btn, self.tr("Export…"), self.tr("Export the glossary to a file")),
            (self.starter_btn, self.tr("Starter glossaries…"), self.tr("Load starter glossaries")),
            (self.icd_btn, self.tr("ICD-10-CM"), self.tr("Load the ICD-10-CM code set")),
            (self.cancel_btn, self.tr("Cancel"), self.tr("Cancel the running glossary task")),
        ):
            b.setText(text)
            b.setAccessibleName(name)
        self.table.setAccessibleName(self.tr("Concepts"))
        self.progress.setAccessibleName(self.tr("Glossary task progress"))
        self.model.headers = [self.tr("Term"), self.tr("Other terms"), self.tr("Subject fields"),
                              self.tr("Definition"), self.tr("Source"), self.tr("Status")]
        self.model.headerDataChanged.emit(Qt.Horizontal, 0, len(self.model.headers) - 1)
        self._fill_fields()
        self._show_count()
        self.task_label.setText(self._news() if self._news else "")

    def say(self, news) -> None:
        """Show ``news()`` in the status line below the table; it is called again when the
        language changes, and the line is cleared by the next change to the glossary."""
        self._news = news
        self.task_label.setText(news() if news else "")

    def _fill_fields(self) -> None:
        current = self.field.currentData()
        self.field.blockSignals(True)
        self.field.clear()
        self.field.addItem(self.tr("All subject fields"), None)
        for f in self.ctx.store.subject_fields():
            self.field.addItem(f, f)
        i = self.field.findData(current)
        self.field.setCurrentIndex(max(i, 0))
        self.field.blockSignals(False)

    # ---- showing ----------------------------------------------------------------------
    def refresh(self) -> None:
        if self.ctx.closed:
            return
        self.model.set_query(self.search.text(), self.field.currentData())
        self._show_count()

    def _show_count(self) -> None:
        if not self.ctx.closed:
            self.count.setText(plural(self.ctx.store.count(), self.tr("{n} concept in the glossary"),
                                      self.tr("{n} concepts in the glossary")))

    def _on_store_changed(self, ids: list[int]) -> None:
        self._changed = list(ids)
        self.say(None)  # what the line said is about the glossary before this change
        QTimer.singleShot(0, self, self._show_redo)  # after the undo or redo that caused it has finished
        self._refresh_later()

    def _refresh_later(self) -> None:
        QTimer.singleShot(0, self, self.refresh)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return self.model.ids(rows)

    def select_concept(self, concept_id: int) -> None:
        for r, c in enumerate(self.model.rows):
            if c.id == concept_id:
                self.table.selectRow(r)
                return

    # ---- editing ----------------------------------------------------------------------
    def add_concept(self) -> None:
        if glossary_actions.add_concept(parent=self, store=self.ctx.store):
            self._fill_fields()

    def edit_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            glossary_actions.edit_concept(parent=self, store=self.ctx.store, concept_id=ids[0])

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if QMessageBox.question(self, self.tr("Delete concepts"),
                                plural(len(ids), self.tr("Delete {n} concept? Undo brings it back."),
                                       self.tr("Delete {n} concepts? Undo brings them back."))) \
                != QMessageBox.Yes:
            return
        if self._guard(lambda: self._delete(ids)):
            n = len(ids)
            self.say(lambda: plural(n, self.tr("Deleted {n} concept. Undo brings it back."),
                                    self.tr("Deleted {n} concepts. Undo brings them back.")))

    def _delete(self, ids: list[int]) -> None:
        with self.ctx.store.transaction():  # one undo step
            for cid in ids:
                self.ctx.store.delete_concept(cid)

    def set_status(self, status: Status) -> None:
        ids = self.selected_ids()
        if ids:
            self._guard(lambda: self.ctx.store.set_status(ids, status))

    def undo(self) -> None:
        """Undo the last glossary change and say what it touched (or that there was nothing)."""
        self._changed = []
        done: list[bool] = []
        if not self._guard(lambda: done.append(self.ctx.store.undo())):
            return
        n = len(self._changed)
        if not done[0]:
            self.say(lambda: self.tr("Nothing to undo."))
        else:
            self.say(lambda: plural(n, self.tr("Undone: the last change, to {n} concept, is reversed."),
                                    self.tr("Undone: the last change, to {n} concepts, is reversed.")))
        self._show_redo()

    def redo(self) -> None:
        """Make the undone change again, while nothing newer has changed the glossary."""
        self._changed = []
        done: list[bool] = []
        if not self._guard(lambda: done.append(self.ctx.store.redo())):
            return
        n = len(self._changed)
        if not done[0]:
            self.say(lambda: self.tr("Nothing to redo: no change was undone since the glossary last changed."))
        else:
            self.say(lambda: plural(n, self.tr("Redone: the change to {n} concept is made again."),
                                    self.tr("Redone: the change to {n} concepts is made again.")))
        self._show_redo()

    def _show_redo(self) -> None:
        self.redo_btn.setEnabled(not self.ctx.closed and self.ctx.store.can_redo())

    def _guard(self, fn) -> bool:
        try:
            fn()
            return True
        except TermLensError as exc:
            QMessageBox.warning(self, self.tr("Glossary"), str(exc))
            return False

    # ---- files and long loads ------------------------------------------------------------
    def import_file(self) -> ImportDialog:
        dialog = ImportDialog(self.ctx.store, self)
        dialog.imported.connect(lambda n: (self._after_bulk(), self.say(
            lambda: plural(n, self.tr("Imported {n} concept."), self.tr("Imported {n} concepts.")))))
        dialog.open()
        return dialog

    def export_file(self) -> None:
        """Export what the table shows: the search results and subject field chosen, else everything."""
        search, field = self.model.search, self.model.field
        if search:
            concepts = self.model.rows
        elif field is not None:
            concepts = self.ctx.store.iter_concepts(domain=field)
        else:
            concepts = None
        n = export_glossary(parent=self, store=self.ctx.store, concepts=concepts)
        if n is None:
            return
        shown = " · ".join(x for x in (f"“{search}”" if search else "", field or "") if x)
        if shown:
            self.say(lambda: plural(n, self.tr("Exported the {n} concept shown ({shown})."),
                                    self.tr("Exported the {n} concepts shown ({shown})."), shown=shown))
        else:
            self.say(lambda: plural(n, self.tr("Exported {n} concept."), self.tr("Exported {n} concepts.")))

    def load_starters(self) -> None:
        try:
            from glossary.importer import load_starter, starter_names
        except ImportError:
            self.say(lambda: self.tr("Starter glossaries are not available in this installation."))
            return
        names = starter_names()
        if not names:
            self.say(lambda: self.tr("Starter glossaries are not available in this installation."))
            return
        choice, ok = QInputDialog.getItem(self, self.tr("Starter glossaries"), self.tr("Load:"),
                                          [self.tr("All")] + names, 0, False)
        if not ok:
            return
        chosen = None if choice == self.tr("All") else [choice]
        self.run_task(self.tr("Loading starter glossaries…"), "loading the starter glossaries",
                      lambda store, on_progress, should_stop: load_starter(store, chosen, on_progress=on_progress))

    def load_icd(self) -> None:
        try:
            from glossary import icd10cm
        except ImportError:
            self.say(lambda: self.tr("ICD-10-CM is not available in this installation."))
            return
        self.run_task(self.tr("Loading ICD-10-CM…"), "loading ICD-10-CM",
                      lambda store, on_progress, should_stop: icd10cm.load(store, on_progress=on_progress))

    def run_task(self, label: str, doing: str, fn) -> GlossaryTask | None:
        if self.task is not None and self.task.isRunning():
            return None
        self.say(lambda: label)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.cancel_btn.setVisible(True)
        for b in (self.import_btn, self.starter_btn, self.icd_btn):
            b.setEnabled(False)
        self.task = GlossaryTask(doing, fn, store=self.ctx.store, parent=self)
        self.task.progress.connect(self._on_progress)
        self.task.done.connect(self._on_task_done)
        self.task.failed.connect(lambda sentence, _r: (self._end_task(), self.say(lambda: sentence)))
        self.task.begin()
        return self.task

    def _on_progress(self, p: tuple) -> None:
        if len(p) >= 2 and p[1]:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * p[0] / max(p[1], 1)))

    def _on_task_done(self, result: Any) -> None:
        n = result if isinstance(result, int) else getattr(result, "added", None)
        self._end_task()
        self._after_bulk()
        self.say(lambda: plural(n, self.tr("Added {n} concept."), self.tr("Added {n} concepts."))
                 if n is not None else self.tr("Done."))

    def _end_task(self) -> None:
        self.progress.setVisible(False)
        self.cancel_btn.setVisible(False)
        for b in (self.import_btn, self.starter_btn, self.icd_btn):
            b.setEnabled(True)

    def _after_bulk(self) -> None:
        self.glossary_replaced.emit()
        self._fill_fields()
        self.refresh()

    def shutdown(self) -> None:
        if self._on_store_changed in self.ctx.store.changed:
            self.ctx.store.changed.remove(self._on_store_changed)
        if self.task is not None and self.task.isRunning():
            self.task.stop()
            self.task.wait(10_000)
