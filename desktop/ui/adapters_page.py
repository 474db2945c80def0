"""The Adapters page: the LoRA adapters under the data directory, and which one the
model uses.

The table lists every adapter folder with its base model, when it was made, how many
pairs it learned from and its losses; a folder that cannot be used (pickle weights,
missing metadata) or that was made for another model says so in its row. Load
merges the selected adapter into the loaded model's weights in place (seconds, no
reload), Unload puts the original weights back, Delete removes the folder after a
confirmation, and Merge writes a new model folder with the adapter built in. The
engine refuses an adapter made for another base model, or one with pickle weights,
and its sentence is shown here; the model keeps its weights.

The adapter in use is remembered in the settings and applied again after the next
model load. Listing reads metadata files on the GUI thread (never queued behind a
training run); loading, unloading, deleting and merging are jobs on the model thread,
and the page listens to the handles of its own jobs only.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QMessageBox, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from desktop import paths
from desktop.ui.i18n import Retranslating
from desktop.workers import jobs, lora_jobs
from desktop.workers.handle import Job, JobHandle

_FOLDER = re.compile(r"[^\W_][\w.\- ]{0,99}", re.UNICODE)


def _loss(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "—"


def _created(stamp: str) -> str:
    """'2025-03-01T14:05:09+0100' -> '2025-03-01 14:05'."""
    return stamp[:16].replace("T", " ") if stamp else "—"


class AdaptersPage(Retranslating, QWidget):
    adapters_changed = Signal()  # an adapter was loaded, unloaded, deleted or merged

    COLUMNS = 7

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = ctx.worker
        self.rows: list[dict] = []
        self.info: dict = {}  # the loaded model, as the worker last reported it
        self._load_key: tuple | None = None
        self._auto = False  # the running apply job restores the remembered adapter
        self._t0 = 0.0
        self._jobs: list[JobHandle] = []  # this page's jobs not yet done

        lay = QVBoxLayout(self)
        self.current = QLabel()
        self.current.setWordWrap(True)
        lay.addWidget(self.current)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self.load_selected())
        lay.addWidget(self.table, 1)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.details)
        row = QHBoxLayout()
        self.load_btn = QPushButton()
        self.load_btn.clicked.connect(self.load_selected)
        self.unload_btn = QPushButton()
        self.unload_btn.clicked.connect(self.unload)
        self.delete_btn = QPushButton()
        self.delete_btn.clicked.connect(self.delete_selected)
        self.merge_btn = QPushButton()
        self.merge_btn.clicked.connect(self.merge_selected)
        self.refresh_btn = QPushButton()
        self.refresh_btn.clicked.connect(self.refresh)
        for b in (self.load_btn, self.unload_btn, self.delete_btn, self.merge_btn):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.refresh_btn)
        lay.addLayout(row)
        self.message = QLabel()
        self.message.setObjectName("pageMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.message)

        w = self.worker
        w.loaded.connect(self._on_loaded)
        w.unloaded.connect(self._on_unloaded)
        self.retranslate()

    # ---- the list ----------------------------------------------------------------------
    def _in_use(self) -> str:
        return self.info.get("adapter") or ""

    def _state(self, r: dict) -> str:
        if r["problem"]:
            return r["problem"]
        if r["name"] == self._in_use():
            return self.tr("in use")
        fp = self.info.get("fingerprint")
        if fp and r["base_fingerprint"] != fp:
            return self.tr("made for {base}, not for the loaded model").format(base=r["base_model"] or "?")
        return self.tr("ready")

    def refresh(self) -> None:
        """Read the adapter folders again and show them, keeping the selection."""
        keep = self.selected_name()
        self.rows = lora_jobs.adapter_rows()
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            m = r["metrics"]
            cells = (r["name"], r["base_model"] or "—", _created(r["created"]),
                     str(r["n_pairs"]) if r["n_pairs"] is not None else "—", _loss(m.get("train_loss")),
                     _loss(m.get("val_loss")), self._state(r))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, r["name"])
                if col == self.COLUMNS - 1:
                    item.setToolTip(text)
                self.table.setItem(i, col, item)
            if r["name"] == keep:
                self.table.selectRow(i)
        if not self.rows:
            self.details.setText(self.tr("No adapters yet. Train one on the Training page."))
        self._show_current()
        self._on_selection()

    def selected_name(self) -> str:
        items = self.table.selectedItems()
        return items[0].data(Qt.UserRole) if items else ""

    def select(self, name: str) -> None:
        for i, r in enumerate(self.rows):
            if r["name"] == name:
                self.table.selectRow(i)
                return

    def _row(self, name: str) -> dict | None:
        return next((r for r in self.rows if r["name"] == name), None)

    def _on_selection(self) -> None:
        name = self.selected_name()
        r = self._row(name)
        has_model = bool(self.info.get("name"))
        self.load_btn.setEnabled(bool(r) and has_model)
        self.delete_btn.setEnabled(bool(r))
        self.merge_btn.setEnabled(bool(r) and has_model)
        self.unload_btn.setEnabled(bool(self._in_use()))
        if r is None:
            if self.rows:
                self.details.clear()
            return
        if r["problem"]:
            self.details.setText(r["problem"])
            return
        c, m = r["config"], r["metrics"]
        self.details.setText(self.tr(
            "Rank {rank}, alpha {alpha:g}, layers {layers}; learning rate {lr:g}, batch {batch}, {epochs} epochs. "
            "{steps} steps at {tps:,.0f} tokens/s. Glossary version {gv}.").format(
            rank=c.get("rank", "?"), alpha=float(c.get("alpha") or 0), layers=", ".join(c.get("target_modules") or []),
            lr=float(c.get("lr") or 0), batch=c.get("batch_size", "?"), epochs=c.get("epochs", "?"),
            steps=m.get("steps", "?"), tps=float(m.get("tokens_per_s") or 0),
            gv=r["glossary_version"] if r["glossary_version"] is not None else self.tr("unknown")))

    def _show_current(self) -> None:
        if not self.info.get("name"):
            self.current.setText(self.tr("No model is loaded; adapters can be listed and deleted, "
                                         "and loaded once a model is."))
        elif self._in_use():
            self.current.setText(self.tr("Model {model} with adapter {adapter}.").format(
                model=self.info["name"], adapter=self._in_use()))
        else:
            self.current.setText(self.tr("Model {model}, without an adapter.").format(model=self.info["name"]))

    # ---- actions ------------------------------------------------------------------------
    def load_selected(self) -> None:
        name = self.selected_name()
        if not name:
            self.message.setText(self.tr("Select an adapter first."))
            return
        if not self.info.get("name"):
            self.message.setText(self.tr("Load a model first; an adapter changes a loaded model."))
            return
        self._auto = False
        self._request_apply(name)

    def _request_apply(self, name: str) -> None:
        self._t0 = time.perf_counter()
        self.message.setText(self.tr("Loading adapter {name}…").format(name=name))
        self._submit(jobs.apply_adapter_job(name), self._on_applied, self._on_apply_failed)

    def unload(self) -> None:
        if not self._in_use():
            return
        self.message.setText(self.tr("Taking the adapter off…"))
        self._submit(jobs.remove_adapter_job(), self._on_removed)

    def delete_selected(self) -> None:
        name = self.selected_name()
        if not name:
            return
        answer = QMessageBox.question(
            self, self.tr("Delete adapter"),
            self.tr("Delete the adapter '{name}' and its files? This cannot be undone.").format(name=name),
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer != QMessageBox.Yes:
            return
        if name == self._in_use():
            self._submit(jobs.remove_adapter_job(), self._on_removed)
        self._submit(jobs.delete_adapter_job(name), self._on_deleted)

    def merge_selected(self) -> None:
        name = self.selected_name()
        if not name or not self.info.get("name"):
            return
        suggested = f"{self.info['name']}-{name}"
        folder, ok = QInputDialog.getText(
            self, self.tr("Merge into a new model"),
            self.tr("Name of the new model folder (under {where}):").format(where=paths.models_dir()),
            text=suggested)
        folder = (folder or "").strip()
        if not ok or not folder:
            return
        if not _FOLDER.fullmatch(folder) or folder.endswith((".", " ")):
            self.message.setText(self.tr("'{name}' cannot be a folder name: use letters, digits, spaces, dots, "
                                         "dashes or underscores.").format(name=folder))
            return
        target = paths.models_dir() / folder
        if target.exists():
            self.message.setText(self.tr("A model folder named '{name}' exists already; choose another name.").format(
                name=folder))
            return
        self.message.setText(self.tr("Merging {adapter} into a new model {name}…").format(adapter=name, name=folder))
        self._submit(lora_jobs.merge_adapter_job(name, str(target)), self._on_merged)

    def _submit(self, job: Job, on_finished: Callable[[Any], None],
                on_failed: Callable[[str], None] | None = None) -> None:
        """Queue ``job``; its outcome goes to ``on_finished`` or ``on_failed`` (by default the
        sentence is shown), then the list is read again."""
        handle = self.worker.submit(job)
        self._jobs = [h for h in self._jobs if not h.done] + [handle]
        handle.finished.connect(lambda result: self._job_ended(on_finished, result, changed=True))
        handle.failed.connect(lambda sentence: self._job_ended(on_failed or self.message.setText, sentence))

    def _job_ended(self, then: Callable[[Any], None], outcome: Any, *, changed: bool = False) -> None:
        then(outcome)
        self.refresh()
        if changed:
            self.adapters_changed.emit()

    # ---- from the worker -------------------------------------------------------------------
    def _on_loaded(self, info: dict) -> None:
        key = (info.get("path"), info.get("load_s"))
        fresh = key != self._load_key
        self._load_key = key
        self.info = dict(info)
        remembered = self.ctx.settings.adapter
        if fresh and remembered and not info.get("adapter") and info.get("engine") != "server":  # its own adapters
            self._auto = True
            self._request_apply(remembered)
        self.refresh()

    def _on_unloaded(self) -> None:
        self.info = {}
        self._load_key = None
        self.refresh()

    def _remember(self, name: str) -> None:
        if self.ctx.settings.adapter != name:
            self.ctx.settings.adapter = name
            self.ctx.save_settings()

    def _on_applied(self, name: str) -> None:
        self.message.setText(self.tr("Adapter {name} is in use (switched in {s:.1f} s); answers now come "
                                     "from the adapted model.").format(name=name, s=time.perf_counter() - self._t0))
        self._auto = False
        self._remember(name)

    def _on_apply_failed(self, sentence: str) -> None:
        if not self._auto:
            self.message.setText(sentence)
            return
        self._auto = False
        remembered = self.ctx.settings.adapter
        self._remember("")
        self.message.setText(self.tr("The adapter {name} used last time was not applied: {why}").format(
            name=remembered, why=sentence))

    def _on_removed(self, _result: None) -> None:
        self.message.setText(self.tr("The adapter was taken off; the model answers with its own weights."))
        self._remember("")

    def _on_deleted(self, name: str) -> None:
        self.message.setText(self.tr("Adapter {name} was deleted.").format(name=name))
        if self.ctx.settings.adapter == name:
            self._remember("")

    def _on_merged(self, path: str) -> None:
        self.message.setText(self.tr("Merged into {path}. Load it from Model ▸ Model manager.").format(path=path))

    # ---- language and life -------------------------------------------------------------------
    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("Base model"), self.tr("Created"), self.tr("Pairs"), self.tr("Training loss"),
            self.tr("Held-out loss"), self.tr("State")])
        self.table.setAccessibleName(self.tr("Adapters"))
        for b, text, acc in (
            (self.load_btn, self.tr("Load"), self.tr("Load the selected adapter onto the model")),
            (self.unload_btn, self.tr("Unload"), self.tr("Take the adapter off the model")),
            (self.delete_btn, self.tr("Delete…"), self.tr("Delete the selected adapter")),
            (self.merge_btn, self.tr("Merge into a new model…"),
             self.tr("Write a new model folder with the selected adapter built in")),
            (self.refresh_btn, self.tr("Refresh"), self.tr("Read the adapter folders again")),
        ):
            b.setText(text)
            b.setAccessibleName(acc)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        self.refresh()
        super().showEvent(event)

    def shutdown(self) -> None:
        w = self.worker
        for sig, slot in ((w.loaded, self._on_loaded), (w.unloaded, self._on_unloaded)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
