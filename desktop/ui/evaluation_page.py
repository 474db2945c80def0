"""The Evaluation page: choose a test set, the methods and an adapter; run them on the
loaded model with a progress bar and Cancel; read the per-method table, the groups
(subject field, seen/held-out, terms found/missed by the matcher) and the chart;
export the report as Markdown, CSV and PNG.

The run is one job on the model thread (``evaluation_job``); the page never waits on
it and never imports torch. The report is saved encrypted under the data directory
by the job; Export writes plain files into a folder the person chooses. Runs on the
GUI thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QProgressBar, QPushButton, QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
    QWidget,
)

from desktop.workers.jobs import list_adapters_job
from desktop.workers.model_worker import Job
from glossary.errors import TermLensError

TESTSETS = Path(__file__).resolve().parents[2] / "resources" / "testsets"
SAMPLE, GENERAL, GLOSSARY, FILE = "sample", "general", "glossary", "file"
METHODS = ("base", "inject", "lora", "lora+inject", "oracle")
NEEDS_ADAPTER = ("lora", "lora+inject")
JOB_NAME = "evaluate"


def _run_evaluation(lm: Any, on_progress: Callable, should_stop: Callable, *, spec: dict, concepts: list,
                    cancel: threading.Event) -> Any:
    """The whole run, on the model thread; progress goes out as ``(done, total, message)``."""
    # The engine is imported here, on the model thread, never by the widgets.
    from desktop.engine.evaluate.request import EvalRequest, EvalSettings, run_request

    fields = dict(spec)
    request = EvalRequest(settings=EvalSettings(**fields.pop("settings", {})), **fields)
    return run_request(lm, request, concepts=concepts, should_stop=lambda: cancel.is_set() or should_stop(),
                       on_progress=lambda done, total, msg: on_progress((done, total, msg)))


def evaluation_job(spec: dict, concepts: list, cancel: threading.Event) -> Job:
    """A model-thread job for ``spec`` (``EvalRequest`` fields as plain data, ``settings`` as a
    dict of ``EvalSettings`` fields) over a snapshot of the glossary's ``concepts``. Setting
    ``cancel`` stops it after the current question; unlike the worker's own stop flag, it
    cannot stop another page's job while this one waits in the queue."""
    return Job(JOB_NAME, _run_evaluation, kwargs={"spec": spec, "concepts": concepts, "cancel": cancel})


def _pct(x: float) -> str:
    return f"{x:.2f}"


def _cell(group: Any) -> str:
    if group is None or not group.n:
        return "–"
    lo, hi = group.ci
    return f"{_pct(group.accuracy)} [{_pct(lo)}, {_pct(hi)}] n={group.n}"


def _memory(nbytes: int | None) -> str:
    if nbytes is None:
        return "?"
    return f"{nbytes / 2**20:,.0f} MiB" if abs(nbytes) >= 2**20 else f"{nbytes / 1024:,.0f} KiB"


def _p(p: float) -> str:
    return f"p={p:.3f}" if p >= 0.001 else "p<0.001"


class EvaluationPage(QWidget):
    evaluation_finished = Signal(object)  # the outcome: report, folder, chart
    evaluation_failed = Signal(str)  # the sentence shown

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.outcome: Any = None
        self.running = False
        self._file = ""
        self._adapters: list[dict] = []
        self._worker_busy = False
        self._adapters_wanted = False
        self._cancel = threading.Event()

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

        self.tabs = QTabWidget()
        self.table = self._make_table()
        self.groups = self._make_table()
        self.chart = QLabel()
        self.chart.setAlignment(Qt.AlignCenter)
        chart_scroll = QScrollArea()
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setWidget(self.chart)
        for w in (self.table, self.groups, chart_scroll):
            self.tabs.addTab(w, "")
        lay.addWidget(self.tabs, 1)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.notes)

        w = ctx.worker
        w.job_progress.connect(self._on_progress)
        w.job_finished.connect(self._on_job_finished)
        w.job_failed.connect(self._on_job_failed)
        w.busy_changed.connect(self._on_busy)
        w.loaded.connect(self._on_loaded)
        self.retranslate()
        self._fill_adapters()
        self._update_controls()

    @staticmethod
    def _make_table() -> QTableWidget:
        t = QTableWidget()
        t.setEditTriggers(QAbstractItemView.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectRows)
        t.verticalHeader().setVisible(False)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        return t

    # ---- text ----------------------------------------------------------------------------
    def method_label(self, method: str) -> str:
        return {"base": self.tr("Base"), "inject": self.tr("+ Injection"), "lora": self.tr("+ LoRA"),
                "lora+inject": self.tr("LoRA + injection"), "oracle": self.tr("Oracle injection")}[method]

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
        self.tabs.setTabText(0, self.tr("By method"))
        self.tabs.setTabText(1, self.tr("By group"))
        self.tabs.setTabText(2, self.tr("Chart"))
        self.table.setAccessibleName(self.tr("Accuracy by method"))
        self.groups.setAccessibleName(self.tr("Accuracy by group"))
        self.chart.setAccessibleName(self.tr("Accuracy chart"))
        self._update_file_label()
        if self.outcome is not None:
            self.show_outcome(self.outcome)
        elif not self.running:
            self.status.setText(self.tr("Choose what to evaluate, then Run. The loaded model answers every question "
                                        "under each method; nothing leaves this computer."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt)
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

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
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a test set"), self._file or str(TESTSETS),
                                              self.tr("Test sets (*.jsonl *.json);;All files (*)"))
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
    def refresh_adapters(self) -> None:
        """Ask the model thread for the adapters (when it is free: a queued request would
        clear the stop flag of a job that is running)."""
        if self._worker_busy or self.running:
            self._adapters_wanted = True
            return
        self._adapters_wanted = False
        self.ctx.worker.request_job(list_adapters_job())

    def _on_loaded(self, _info: dict) -> None:
        self.refresh_adapters()  # a new model, or a job that may have made an adapter

    def _on_busy(self, busy: bool) -> None:
        self._worker_busy = busy
        if not busy and self._adapters_wanted and not self.running:
            self.refresh_adapters()

    def _fill_adapters(self) -> None:
        current = self.adapter.currentData()
        self.adapter.blockSignals(True)
        self.adapter.clear()
        self.adapter.addItem(self.tr("No adapter (LoRA methods are skipped)"), "")
        for a in self._adapters:
            name = str(a.get("name", ""))
            usable = a.get("meta") is not None if "meta" in a else True
            self.adapter.addItem(name, name if usable else "")
            if not usable:
                i = self.adapter.count() - 1
                self.adapter.model().item(i).setEnabled(False)
                self.adapter.setItemData(i, str(a.get("problem", "")), Qt.ToolTipRole)
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
        self._cancel = threading.Event()
        self.progress.setRange(0, 0)  # busy until the first item is scored
        self.status.setText(self.tr("Preparing the questions…") if not self._worker_busy else
                            self.tr("Waiting for the model to finish its current task…"))
        self._update_controls()
        self.ctx.worker.request_job(evaluation_job(spec, concepts, self._cancel))

    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.cancel_btn.setEnabled(False)
            self.status.setText(self.tr("Stopping after the current question…"))

    def _on_progress(self, name: str, payload: Any) -> None:
        if name != JOB_NAME or not self.running:
            return
        try:
            done, total, message = payload
        except (TypeError, ValueError):
            return
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        method, _, item = str(message).partition(": ")
        label = self.method_label(method) if method in METHODS else method
        if self.cancel_btn.isEnabled():
            self.status.setText(self.tr("{done} of {total} answers scored ({method}: {item})").format(
                done=done, total=total, method=label, item=item))

    def _end_run(self, outcome: Any = None) -> None:
        self.running = False
        if outcome is not None:  # the bar keeps what was scored: all of it, or up to Cancel
            total = max(1, self.progress.maximum())
            self.progress.setRange(0, total)
            self.progress.setValue(min(total, len(outcome.report.results)))
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
        self._update_controls()
        if self._adapters_wanted:
            self.refresh_adapters()

    def _on_job_finished(self, name: str, result: Any) -> None:
        if name == "list adapters":
            if isinstance(result, list):
                self._adapters = [a for a in result if isinstance(a, dict)]
                self._fill_adapters()
            return
        if name != JOB_NAME or not self.running:
            return
        self.outcome = result
        self._end_run(result)
        self.show_outcome(result)
        self.evaluation_finished.emit(result)

    def _on_job_failed(self, name: str, sentence: str) -> None:
        if name != JOB_NAME or not self.running:
            return
        self._end_run()
        self._fail(sentence)

    def _fail(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.evaluation_failed.emit(sentence)

    # ---- results ---------------------------------------------------------------------------
    def show_outcome(self, outcome: Any) -> None:
        report = outcome.report
        self._fill_methods_table(report)
        self._fill_groups_table(report)
        pix = QPixmap()
        if outcome.png and pix.loadFromData(outcome.png, "PNG"):
            self.chart.setPixmap(pix)
        else:
            self.chart.clear()
        n_items = report.meta.get("n_items", 0)
        if report.stopped:
            head = self.tr("Stopped: the figures cover the {n} answers scored before Cancel.").format(
                n=len(report.results))
        else:
            head = self.tr("Done: {n} questions, {m} methods, {s:.0f} s.").format(
                n=n_items, m=len(report.methods), s=float(report.meta.get("total_s", 0.0)))
        where = self.tr(" The report is kept encrypted in {folder}; Export writes a plain copy.").format(
            folder=outcome.folder) if outcome.folder else ""
        self.status.setText(head + where)
        lines: list[str] = []
        if report.forgetting:
            f = report.forgetting
            lines.append(self.tr("Forgetting check (general knowledge, n={n}): base {b:.2f}, with the adapter "
                                 "{l:.2f} ({d:+.2f}, McNemar {p}).").format(
                n=f["n"], b=f["base"], l=f["lora"], d=f["delta"], p=_p(f["mcnemar"]["p_value"])))
        for m, why in report.skipped.items():
            lines.append(self.tr("{method} not run: {why}").format(method=self.method_label(m), why=why))
        lines += list(report.notes)
        lines.append(self.tr("Accuracy with its 95% Wilson interval; multiple choice scored by log-likelihood "
                             "per character, free text by key points. McNemar compares each method with base on "
                             "the same questions (b: base right, method wrong; c: the reverse)."))
        self.notes.setText("\n".join(lines))

    def _fill_methods_table(self, report: Any) -> None:
        headers = [self.tr("Method"), self.tr("n"), self.tr("Accuracy [95% CI]"), self.tr("L1"), self.tr("L2"),
                   self.tr("Unnormalised (MC)"), self.tr("vs base (McNemar)"), self.tr("Time"),
                   self.tr("Extra memory")]
        t = self.table
        t.clear()
        t.setColumnCount(len(headers))
        t.setHorizontalHeaderLabels(headers)
        t.setRowCount(len(report.methods))
        for row, m in enumerate(report.methods):
            s = report.summaries[m]
            lo, hi = s.ci
            vs = s.vs_base
            cells = [
                self.method_label(m), str(s.n), f"{s.accuracy:.3f} [{lo:.3f}, {hi:.3f}]",
                _cell(report.group(m, "level:L1")), _cell(report.group(m, "level:L2")),
                "–" if s.acc_raw is None else f"{s.acc_raw:.3f}",
                "–" if vs is None else f"b={vs.b} c={vs.c}, {_p(vs.p_value)}",
                f"{s.seconds:.1f} s", _memory(s.extra_memory_bytes),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, m)
                t.setItem(row, col, item)

    def _group_label(self, group: str) -> str:
        kind, _, value = group.partition(":")
        names = {"field": self.tr("Field: {v}"), "split": self.tr("Adapter data: {v}"),
                 "terms": self.tr("Terms {v} by the matcher"), "lang": self.tr("Language: {v}"),
                 "kind": self.tr("Kind: {v}"), "level": self.tr("Level: {v}")}
        return names.get(kind, "{v}").format(v=value or kind)

    def _fill_groups_table(self, report: Any) -> None:
        names = [g for g in report.group_names() if g != "all"]
        t = self.groups
        t.clear()
        t.setColumnCount(1 + len(report.methods))
        t.setHorizontalHeaderLabels([self.tr("Group")] + [self.method_label(m) for m in report.methods])
        t.setRowCount(len(names))
        for row, g in enumerate(names):
            first = QTableWidgetItem(self._group_label(g))
            first.setData(Qt.UserRole, g)
            t.setItem(row, 0, first)
            for col, m in enumerate(report.methods, 1):
                t.setItem(row, col, QTableWidgetItem(_cell(report.group(m, g))))

    # ---- export ----------------------------------------------------------------------------
    def export(self, folder: str | None = None) -> dict | None:
        """Write the report as plain files into ``folder`` (asked for when not given)."""
        if self.outcome is None:
            return None
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Export the evaluation report"))
            if not folder:
                return None
        try:
            paths = self.outcome.report.write(folder, private=False)
        except TermLensError as exc:
            self._fail(str(exc))
            return None
        self.status.setText(self.tr("Exported report.md, groups.csv, items.csv, report.json and accuracy.png "
                                    "to {folder}.").format(folder=folder))
        return paths

    def shutdown(self) -> None:
        """Stop a running evaluation (the window is closing)."""
        self._cancel.set()
