"""The Evaluation page: choose a test set, the methods and an adapter; run them on the
loaded model with a progress bar and Cancel; then the results (``evaluation_results``):
the per-method table, the groups, the chart, and Export.

The run is one job on the model thread (``desktop.workers.evaluation_jobs``); the page
holds its handle, listens to it only, and cancels it only. It never waits on it and
never imports the engine. The report is saved encrypted under the data directory by
the job; Export writes plain files into a folder the person chooses. Runs on the GUI
thread.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton,
    QSpinBox, QVBoxLayout, QWidget,
)

from desktop.ui import file_dialogs
from desktop.ui.evaluation_results import METHODS, EvaluationResultsView
from desktop.ui.feedback import RateEstimate, time_left
from desktop.ui.i18n import Retranslating
from desktop.workers import lora_jobs
from desktop.workers.evaluation_jobs import evaluation_job
from desktop.workers.handle import JobHandle
from glossary.errors import TermLensError

TESTSETS = Path(__file__).resolve().parents[2] / "resources" / "testsets"
SAMPLE, GENERAL, GLOSSARY, FILE = "sample", "general", "glossary", "file"
NEEDS_ADAPTER = ("lora", "lora+inject")


class EvaluationPage(Retranslating, EvaluationResultsView, QWidget):
    evaluation_finished = Signal(object)  # the outcome: report, folder, chart
    evaluation_failed = Signal(str)  # the sentence shown

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.outcome: Any = None
        self.running = False
        self._pace = RateEstimate(time.monotonic)  # time left, from the pace of the answers scored
        self._file = ""
        self.job: JobHandle | None = None  # the running evaluation
        self._worker_busy = False

        lay = QVBoxLayout(self)
        self.setup_box = QGroupBox()
        form = QFormLayout(self.setup_box)
        set_row = QHBoxLayout()
        self.testset = QComboBox()
        for key in (SAMPLE, GENERAL, GLOSSARY, FILE):
            self.testset.addItem("", key)
        self.testset.currentIndexChanged.connect(lambda _i: self._update_controls())
        self.choose_btn = QPushButton()
        self.choose_btn.clicked.connect(self.choose_file)
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.glossary_n = QSpinBox()
        self.glossary_n.setRange(4, 2000)
        self.glossary_n.setValue(40)
        set_row.addWidget(self.testset, 1)
        set_row.addWidget(self.choose_btn)
        set_row.addWidget(self.glossary_n)
        set_row.addWidget(self.file_label, 2)
        self.testset_label = QLabel()
        form.addRow(self.testset_label, set_row)

        methods_row = QHBoxLayout()
        self.method_boxes: dict[str, QCheckBox] = {}
        for m in METHODS:
            box = QCheckBox()
            box.setChecked(m in ("base", "inject", "oracle"))
            box.toggled.connect(lambda _on: self._update_controls())
            self.method_boxes[m] = box
            methods_row.addWidget(box)
        methods_row.addStretch(1)
        self.methods_label = QLabel()
        form.addRow(self.methods_label, methods_row)

        adapter_row = QHBoxLayout()
        self.adapter = QComboBox()
        self.adapter.currentIndexChanged.connect(lambda _i: self._update_controls())
        self.forgetting = QCheckBox()
        self.forgetting.setChecked(True)
        adapter_row.addWidget(self.adapter, 1)
        adapter_row.addWidget(self.forgetting)
        self.adapter_label = QLabel()
        form.addRow(self.adapter_label, adapter_row)

        self.limit = QSpinBox()
        self.limit.setRange(0, 100_000)
        self.limit_label = QLabel()
        form.addRow(self.limit_label, self.limit)
        lay.addWidget(self.setup_box)

        bar = QHBoxLayout()
        self.run_btn = QPushButton()
        self.run_btn.clicked.connect(self.run)
        self.cancel_btn = QPushButton()
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel)
        self.export_btn = QPushButton()
        self.export_btn.setEnabled(False)
        self.export_btn.clicked.connect(self.export)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        for w in (self.run_btn, self.cancel_btn, self.progress, self.export_btn):
            bar.addWidget(w, 1 if w is self.progress else 0)
        lay.addLayout(bar)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.status)

        self._build_results(lay)

        ctx.worker.busy_changed.connect(self._on_busy)
        ctx.worker.loaded.connect(self.refresh_adapters)  # a new model, or a job that may have made an adapter
        self.retranslate()
        self.refresh_adapters()

    # ---- text ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setup_box.setTitle(self.tr("What to evaluate"))
        self.testset_label.setText(self.tr("Test set:"))
        for i, text in enumerate((self.tr("Sample set (medicine, law, finance; English and Chinese)"),
                                  self.tr("General knowledge (the forgetting check)"),
                                  self.tr("Questions made from my glossary"),
                                  self.tr("A test-set file (JSONL)"))):
            self.testset.setItemText(i, text)
        self.testset.setAccessibleName(self.tr("Test set"))
        self.choose_btn.setText(self.tr("Choose file…"))
        self.glossary_n.setSuffix(self.tr(" questions"))
        self.glossary_n.setAccessibleName(self.tr("Number of questions made from the glossary"))
        self.methods_label.setText(self.tr("Methods:"))
        for m, box in self.method_boxes.items():
            box.setText(self.method_label(m))
        self.method_boxes["oracle"].setToolTip(self.tr("The right definitions always injected: the upper bound "
                                                       "of what injection can give."))
        self.adapter_label.setText(self.tr("Adapter:"))
        self.adapter.setAccessibleName(self.tr("Adapter for the LoRA methods"))
        if self.adapter.count():
            self.adapter.setItemText(0, self.tr("No adapter (LoRA methods are skipped)"))
        self.forgetting.setText(self.tr("Add the forgetting check"))
        self.forgetting.setToolTip(self.tr("Also score the general-knowledge questions, to see whether the adapter "
                                           "made the model worse at everything else."))
        self.limit_label.setText(self.tr("At most:"))
        self.limit.setSpecialValueText(self.tr("all questions"))
        self.limit.setSuffix(self.tr(" questions per set"))
        self.run_btn.setText(self.tr("Run evaluation"))
        self.cancel_btn.setText(self.tr("Cancel"))
        self.cancel_btn.setAccessibleName(self.tr("Cancel the evaluation"))
        self.export_btn.setText(self.tr("Export…"))
        self.export_btn.setToolTip(self.tr("Write the report as Markdown, CSV and PNG into a folder"))
        self.progress.setAccessibleName(self.tr("Evaluation progress"))
        self._retranslate_results()
        self._update_file_label()
        if self.outcome is not None:
            self.show_outcome(self.outcome)
        elif not self.running:
            self.status.setText(self.tr("Choose what to evaluate, then Run. The loaded model answers every question "
                                        "under each method; nothing leaves this computer."))

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        super().showEvent(event)
        self.refresh_adapters()

    # ---- choices -------------------------------------------------------------------------
    def set_testset(self, kind: str, path: str | None = None) -> None:
        """Choose the test set (``sample``, ``general``, ``glossary`` or ``file`` with ``path``)."""
        if path is not None:
            self._file = str(path)
        self.testset.setCurrentIndex(self.testset.findData(kind))
        self._update_file_label()
        self._update_controls()

    def set_methods(self, methods: list[str]) -> None:
        for m, box in self.method_boxes.items():
            box.setChecked(m in methods)

    def choose_file(self) -> None:
        path = file_dialogs.open_file(self, self.tr("Choose a test set"), self.tr("Test sets (*.jsonl *.json);;All files (*)"),
                                      start=str(Path(self._file).parent) if self._file else None)
        if path:
            self.set_testset(FILE, path)

    def _update_file_label(self) -> None:
        self.file_label.setText(Path(self._file).name if self._file else self.tr("no file chosen"))
        self.file_label.setToolTip(self._file)

    def _update_controls(self) -> None:
        kind = self.testset.currentData()
        self.choose_btn.setVisible(kind == FILE)
        self.file_label.setVisible(kind == FILE)
        self.glossary_n.setVisible(kind == GLOSSARY)
        has_adapter = bool(self.adapter.currentData())
        for m in NEEDS_ADAPTER:
            self.method_boxes[m].setEnabled(has_adapter and not self.running)
        self.forgetting.setEnabled(has_adapter and self.method_boxes["lora"].isChecked() and not self.running)
        self.setup_box.setEnabled(not self.running)
        self.run_btn.setEnabled(not self.running)
        self.cancel_btn.setEnabled(self.running)
        self.export_btn.setEnabled(self.outcome is not None and not self.running)

    # ---- adapters --------------------------------------------------------------------------
    def refresh_adapters(self, *_info: Any) -> None:
        """List the adapter folders (their metadata files, read here: quick, and never queued
        behind a job of the model thread), keeping the choice."""
        current = self.adapter.currentData()
        self.adapter.blockSignals(True)
        self.adapter.clear()
        self.adapter.addItem(self.tr("No adapter (LoRA methods are skipped)"), "")
        for a in lora_jobs.adapter_rows():
            name = a["name"]
            self.adapter.addItem(name, "" if a["problem"] else name)
            if a["problem"]:
                i = self.adapter.count() - 1
                self.adapter.model().item(i).setEnabled(False)
                self.adapter.setItemData(i, a["problem"], Qt.ToolTipRole)
        i = self.adapter.findData(current) if current else 0
        self.adapter.setCurrentIndex(max(0, i))
        self.adapter.blockSignals(False)
        self._update_controls()

    # ---- running ---------------------------------------------------------------------------
    def selected_methods(self) -> list[str]:
        return [m for m, box in self.method_boxes.items() if box.isChecked() and box.isEnabled()]

    def _spec(self) -> dict | None:
        kind = self.testset.currentData()
        methods = self.selected_methods()
        if not methods:
            self._fail(self.tr("Choose at least one method."))
            return None
        spec: dict[str, Any] = {"methods": methods, "adapter": self.adapter.currentData() or None,
                                "forgetting": self.forgetting.isChecked(),
                                "limit": self.limit.value() or None, "testsets": []}
        settings = self.ctx.settings  # the app's own prompt and term budget: what the chat does
        spec["settings"] = {"system_prompt": settings.system_prompt, "budget_tokens": settings.injection_budget}
        if kind == SAMPLE:
            spec["testsets"] = [str(TESTSETS / "sample.jsonl")]
        elif kind == GENERAL:
            spec["testsets"] = [str(TESTSETS / "general.jsonl")]
        elif kind == GLOSSARY:
            spec["from_glossary"] = self.glossary_n.value()
        else:
            if not self._file:
                self._fail(self.tr("Choose a test-set file first."))
                return None
            if not Path(self._file).is_file():
                self._fail(self.tr("The test set {path} no longer exists.").format(path=self._file))
                return None
            spec["testsets"] = [self._file]
        return spec

    def run(self) -> None:
        if self.running:
            return
        if getattr(self.ctx.worker, "lm", None) is None:
            self._fail(self.tr("No model is loaded yet. Wait for the model to finish loading, or load one in "
                               "Model ▸ Model manager."))
            return
        spec = self._spec()
        if spec is None:
            return
        try:
            concepts = list(self.ctx.store.iter_concepts())  # a snapshot: the job must not share the connection
        except TermLensError as exc:
            self._fail(str(exc))
            return
        self.running = True
        self._pace.reset()
        self.progress.setRange(0, 0)  # busy until the first item is scored
        self.status.setText(self.tr("Preparing the questions…") if not self._worker_busy else
                            self.tr("Waiting for the model to finish its current task…"))
        self._update_controls()
        self.job = self.ctx.worker.submit(evaluation_job(spec, concepts))
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)

    def _on_busy(self, busy: bool) -> None:
        self._worker_busy = busy

    def cancel(self) -> None:
        if self.running:
            self.job.cancel()
            self.cancel_btn.setEnabled(False)
            self.status.setText(self.tr("Stopping after the current question…"))

    def _on_progress(self, payload: tuple[int, int, str]) -> None:
        done, total, message = payload
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        method, _, item = str(message).partition(": ")
        label = self.method_label(method) if method in METHODS else method
        left = self._pace.seconds_left(done, total)
        if self.cancel_btn.isEnabled():
            self.status.setText(self.tr("{done} of {total} answers scored ({method}: {item})").format(
                done=done, total=total, method=label, item=item)
                + (" · " + time_left(left) if left is not None and done < total else ""))

    def _end_run(self, outcome: Any = None) -> None:
        self.running, self.job = False, None
        if outcome is not None:  # the bar keeps what was scored: all of it, or up to Cancel
            total = max(1, self.progress.maximum())
            self.progress.setRange(0, total)
            self.progress.setValue(min(total, len(outcome.report.results)))
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
        self._update_controls()

    def _on_finished(self, result: Any) -> None:
        self.outcome = result
        self._end_run(result)
        self.show_outcome(result)
        self.evaluation_finished.emit(result)

    def _on_failed(self, sentence: str) -> None:
        self._end_run()
        self._fail(sentence)

    def _fail(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.evaluation_failed.emit(sentence)

    def shutdown(self) -> None:
        """Stop a running evaluation (the window is closing)."""
        if self.job is not None:
            self.job.cancel()
