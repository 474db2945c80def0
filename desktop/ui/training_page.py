"""The Training page: train a LoRA adapter on the loaded model from reviewed pairs.

The person picks the data (the pairs accepted on the Training data page, or a JSONL
file of pairs), names the adapter, adjusts the settings (each with a one-line
explanation; the less common ones under "Advanced") and presses Start. Training runs
as a job on the model thread; each step comes back as a ``TrainProgress`` and moves
the progress bar, the loss curve (training loss per step, held-out loss per epoch),
tokens per second and the time left. Cancel stops before the next step and keeps a
checkpoint; Resume continues a cancelled or crashed run from its last checkpoint,
with the settings it was started with.

GUI thread only; the engine is reached through ``desktop.workers.lora_jobs``, and the
page listens to the handle of its own training job only (its Cancel cancels that job).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
    QProgressBar, QPushButton, QRadioButton, QScrollArea, QSplitter, QVBoxLayout, QWidget,
)

from desktop.ui import file_dialogs
from desktop import paths
from desktop.storage import trainingset
from desktop.ui import train_form
from desktop.ui.i18n import Retranslating
from desktop.ui.loss_chart import LossChart
from desktop.ui.train_form import ADVANCED_FIELDS, MAIN_FIELDS
from desktop.workers import lora_jobs
from desktop.workers.handle import JobHandle
from glossary import dataset
from glossary.errors import TermLensError



def duration(seconds: float | None) -> str:
    """'1:02:03', '4:05' or '0:07' for a number of seconds."""
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "?"
    s = int(round(max(0.0, seconds)))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class TrainingPage(Retranslating, train_form.TrainFormTexts, QWidget):
    adapter_trained = Signal(str)  # the name of an adapter that was just saved
    run_ended = Signal(object)  # the TrainResult (finished or stopped), or the sentence of a failure

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = ctx.worker
        self.defaults = lora_jobs.train_defaults()
        self.running = False
        self.resuming = False
        self.first_report = False
        self.run_name = ""
        self.job: JobHandle | None = None  # the training job of this page, while it runs
        self.losses: list[float] = []
        self.val_points: list[tuple[int, float]] = []
        self.editors: dict[str, QWidget] = {}
        self.field_labels: dict[str, QLabel] = {}
        self.field_help: dict[str, QLabel] = {}

        # left: what to train on and how (scrolls); right: the run, always in view
        splitter = QSplitter(Qt.Horizontal, self)
        QVBoxLayout(self).addWidget(splitter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        body = QWidget()
        lay = QVBoxLayout(body)
        scroll.setWidget(body)
        splitter.addWidget(scroll)
        run_panel = QWidget()
        run = QVBoxLayout(run_panel)
        splitter.addWidget(run_panel)
        scroll.setMinimumWidth(380)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 760])
        splitter.setChildrenCollapsible(False)

        self._build_data(lay)
        self._build_name(run)
        self._build_settings(lay)
        self._build_run(run)
        self.retranslate()
        self._update_buttons()

    # ---- building -----------------------------------------------------------------------
    def _build_data(self, lay: QVBoxLayout) -> None:
        """What to train on: the reviewed pairs or a file of pairs."""
        self.data_box = QGroupBox()
        dl = QGridLayout(self.data_box)
        self.review_radio = QRadioButton()
        self.file_radio = QRadioButton()
        self.source_group = QButtonGroup(self)
        self.source_group.addButton(self.review_radio)
        self.source_group.addButton(self.file_radio)
        self.review_radio.setChecked(True)
        self.file_path = QLineEdit()
        self.browse_btn = QPushButton()
        self.browse_btn.clicked.connect(self._browse)
        self.data_summary = QLabel()
        self.data_summary.setWordWrap(True)
        dl.addWidget(self.review_radio, 0, 0, 1, 3)
        dl.addWidget(self.file_radio, 1, 0)
        dl.addWidget(self.file_path, 1, 1)
        dl.addWidget(self.browse_btn, 1, 2)
        dl.addWidget(self.data_summary, 2, 0, 1, 3)
        dl.setColumnStretch(1, 1)
        self.review_radio.toggled.connect(self.refresh_data)
        self.file_path.editingFinished.connect(self.refresh_data)
        lay.addWidget(self.data_box)

    def _build_name(self, run: QVBoxLayout) -> None:
        """The adapter's name, and the stopped run of that name that could be resumed."""
        name_row = QHBoxLayout()
        self.name_label = QLabel()
        self.name_edit = QLineEdit("glossary")
        self.name_edit.textChanged.connect(self._refresh_stopped_run)
        name_row.addWidget(self.name_label)
        name_row.addWidget(self.name_edit, 1)
        run.addLayout(name_row)
        self.stopped_label = QLabel()
        self.stopped_label.setWordWrap(True)
        run.addWidget(self.stopped_label)

    def _build_settings(self, lay: QVBoxLayout) -> None:
        """One editor per training setting; the less common ones under "Advanced"."""
        self.settings_box = QGroupBox()
        self.settings_form = QFormLayout(self.settings_box)
        for name, spec in MAIN_FIELDS.items():
            self._add_field(self.settings_form, name, spec)
        lay.addWidget(self.settings_box)
        self.advanced_box = QGroupBox()
        self.advanced_box.setCheckable(True)
        self.advanced_box.setChecked(False)
        self.advanced_inner = QWidget()
        self.advanced_form = QFormLayout(self.advanced_inner)
        QVBoxLayout(self.advanced_box).addWidget(self.advanced_inner)
        self.advanced_inner.setVisible(False)
        self.advanced_box.toggled.connect(self.advanced_inner.setVisible)
        for name, spec in ADVANCED_FIELDS.items():
            self._add_field(self.advanced_form, name, spec)
        lay.addWidget(self.advanced_box)
        lay.addStretch(1)
        self.set_config(self.defaults)

    def _build_run(self, run: QVBoxLayout) -> None:
        """Start, Cancel, Resume, Restore defaults; the progress, the figures and the loss curve."""
        buttons = QHBoxLayout()
        self.start_btn = QPushButton()
        self.start_btn.clicked.connect(self.start)
        self.cancel_btn = QPushButton()
        self.cancel_btn.clicked.connect(self.cancel)
        self.resume_btn = QPushButton()
        self.resume_btn.clicked.connect(self.resume)
        self.defaults_btn = QPushButton()
        self.defaults_btn.clicked.connect(lambda: self.set_config(self.defaults))
        for b in (self.start_btn, self.cancel_btn, self.resume_btn, self.defaults_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        run.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        run.addWidget(self.progress)
        self.stats = QLabel()
        self.stats.setWordWrap(True)
        self.stats.setTextInteractionFlags(Qt.TextSelectableByMouse)
        run.addWidget(self.stats)
        self.chart = LossChart(self)
        run.addWidget(self.chart, 1)
        self.message = QLabel()
        self.message.setObjectName("pageMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        run.addWidget(self.message)

    # ---- the form ----------------------------------------------------------------------
    def _add_field(self, form: QFormLayout, name: str, spec: tuple) -> None:
        self.editors[name], self.field_labels[name], self.field_help[name] = train_form.add_field(form, name, spec)

    def set_config(self, values: dict[str, Any]) -> None:
        """Show these settings in the form (fields not given keep their value)."""
        train_form.set_values(self.editors, values)

    def config(self) -> dict[str, Any]:
        """The settings in the form, as TrainConfig field values; ``ValueError`` with a sentence if one is unusable."""
        return train_form.read_values(self.editors)

    # ---- data --------------------------------------------------------------------------
    def _browse(self) -> None:
        path = file_dialogs.open_file(self, self.tr("Choose a file of training pairs"),
                                      self.tr("Training pairs (*.jsonl);;All files (*)"))
        if path:
            self.file_path.setText(path)
            self.file_radio.setChecked(True)
            self.refresh_data()

    def load_pairs(self) -> tuple[list[dict], int | None]:
        """(the pairs that will train, the glossary version they come from) or ``TermLensError``."""
        if self.review_radio.isChecked():
            return list(trainingset.accepted()), self.ctx.store.version()
        path = self.file_path.text().strip()
        if not path:
            raise TermLensError(self.tr("Choose a file of training pairs (JSONL), or use the reviewed pairs."))
        return lora_jobs.trainable(dataset.read_jsonl(path)), None

    def refresh_data(self) -> None:
        """Say how many pairs will train from the chosen source."""
        self.file_path.setEnabled(self.file_radio.isChecked())
        self.browse_btn.setEnabled(True)
        if self.file_radio.isChecked() and not self.file_path.text().strip():
            self.data_summary.setText(self.tr("Choose a JSONL file of pairs (one conversation a line)."))
            return
        try:
            pairs, _version = self.load_pairs()
        except TermLensError as exc:
            self.data_summary.setText(str(exc))
            return
        concepts = {p.get("concept_id") for p in pairs if p.get("concept_id") is not None}
        if not pairs:
            self.data_summary.setText(self.tr("No pairs to train on yet: accept pairs on the Training data page."))
        else:
            self.data_summary.setText(self.tr("{n} pairs will train, from {c} concepts.").format(
                n=len(pairs), c=len(concepts)))

    # ---- actions ------------------------------------------------------------------------
    def _name(self) -> str:
        return self.name_edit.text().strip()

    def _refresh_stopped_run(self) -> None:
        info = None if self.running else lora_jobs.stopped_run(self._name())
        if info:
            self.stopped_label.setText(self.tr("A stopped run of '{name}' can be resumed from step {step} of "
                                               "{total}.").format(name=self._name(), step=info["step"],
                                                                  total=info["total"]))
        else:
            self.stopped_label.clear()
        self.stopped_label.setVisible(bool(info))
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_stopped = not self.running and lora_jobs.stopped_run(self._name()) is not None
        self.start_btn.setEnabled(not self.running)
        self.cancel_btn.setEnabled(self.running)
        self.resume_btn.setEnabled(has_stopped)
        self.defaults_btn.setEnabled(not self.running)
        for box in (self.settings_box, self.advanced_inner, self.data_box):
            box.setEnabled(not self.running)
        self.name_edit.setEnabled(not self.running)

    def _ask(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text, QMessageBox.Yes | QMessageBox.No,
                                    QMessageBox.No) == QMessageBox.Yes

    def _needs_full_precision(self) -> bool:
        """Say so and return True when the model in use has 8-bit weights (training needs full ones)."""
        if self.worker.info.get("weights") != "int8":
            return False
        self.message.setText(self.tr(
            "Training needs the model's full-precision weights, and it is loaded with 8-bit weights. Load it with "
            "full-precision weights (Model ▸ Model manager ▸ Weights), train, then switch back if you like: the "
            "adapter works with 8-bit weights too."))
        return True

    def start(self) -> None:
        """Train afresh with the form's settings."""
        if self.running or self._needs_full_precision():
            return
        name = self._name()
        problem = lora_jobs.name_problem(name)
        if problem:
            self.message.setText(problem)
            return
        if (paths.adapters_dir() / name).is_dir() and not self._ask(
                self.tr("Replace adapter"),
                self.tr("An adapter named '{name}' exists. Replace it when this training ends?").format(name=name)):
            return
        stopped = lora_jobs.stopped_run(name)
        if stopped and not self._ask(
                self.tr("Start afresh"),
                self.tr("A stopped run of '{name}' could be resumed from step {step}. Start afresh instead?").format(
                    name=name, step=stopped["step"])):
            return
        self._launch(resume=False)

    def resume(self) -> None:
        """Continue the stopped run of this name from its checkpoint, with the settings it had."""
        if self.running or self._needs_full_precision():
            return
        info = lora_jobs.stopped_run(self._name())
        if info is None:
            self.message.setText(self.tr("There is no stopped run named '{name}' to resume.").format(name=self._name()))
            self._update_buttons()
            return
        self.set_config(info["config"])
        self._launch(resume=True, history=info)

    def _launch(self, *, resume: bool, history: dict | None = None) -> None:
        try:
            config = self.config()
            pairs, version = self.load_pairs()
        except (ValueError, TermLensError) as exc:
            self.message.setText(str(exc))
            return
        if not pairs:
            self.message.setText(self.tr("There are no pairs to train on: accept pairs on the Training data page, "
                                         "or choose a file of pairs."))
            return
        self.running, self.resuming, self.run_name = True, resume, self._name()
        self.first_report = True
        self.losses = list(history["losses"]) if history else []
        self.val_points = []
        self.chart.set_data(self.losses, self.val_points)
        self.progress.setRange(0, max(1, history["total"]) if history else 1)
        self.progress.setValue(history["step"] if history else 0)
        self.stats.setText(self.tr("Preparing {n} pairs…").format(n=len(pairs)))
        self.message.clear()
        self.stopped_label.setVisible(False)
        self._update_buttons()
        self.job = self.worker.submit(lora_jobs.train_job(pairs, config=config, out_name=self.run_name,
                                                          resume=resume, glossary_version=version))
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)

    def cancel(self) -> None:
        if not self.running:
            return
        self.job.cancel()
        self.message.setText(self.tr("Stopping after the current step…"))

    # ---- from this page's training job ----------------------------------------------------
    def _on_progress(self, p: Any) -> None:
        if self.first_report:  # a resumed run brings the losses of the steps before it
            self.losses = list(p.history)
        self.losses.append(float(p.loss))
        self.val_points = [(min(p.total, (i + 1) * p.steps_per_epoch), v) for i, v in enumerate(p.val_losses)]
        self.chart.set_data(self.losses, self.val_points)
        self.progress.setRange(0, p.total)
        self.progress.setValue(p.step)
        val = f"{p.val_loss:.3f}" if p.val_loss is not None else self.tr("not yet")
        self.stats.setText(self.tr(
            "Step {step} of {total} · epoch {epoch} of {epochs} · training loss {loss:.3f} · held-out loss {val} · "
            "{tps:,.0f} tokens/s · {eta} left").format(
            step=p.step, total=p.total, epoch=p.epoch, epochs=p.epochs, loss=p.loss, val=val,
            tps=p.tokens_per_s, eta=duration(p.eta_s)))
        if self.first_report and p.resumed_from:
            self.message.setText(self.tr("Resumed from step {step}.").format(step=p.resumed_from))
        elif self.first_report and self.resuming:
            self.message.setText(self.tr("The checkpoint was made from other pairs or settings, so training "
                                         "started afresh."))
        self.first_report = False

    def _on_finished(self, result: Any) -> None:
        self.running, self.job = False, None
        self.progress.setRange(0, max(1, result.total_steps))
        self.progress.setValue(result.steps)
        if result.stopped:
            self.message.setText(self.tr("Stopped at step {step} of {total}. The checkpoint is saved: Resume "
                                         "continues from there.").format(step=result.steps, total=result.total_steps))
        else:
            val = f"{result.val_loss:.3f}" if result.val_loss is not None else self.tr("none (too few pairs held out)")
            train_loss = f"{result.train_loss:.3f}" if result.train_loss is not None else "?"
            self.message.setText(self.tr(
                "Adapter '{name}' saved: {pairs} pairs, {steps} steps in {time}, training loss {train}, held-out "
                "loss {val}. Load it on the Adapters page.").format(
                name=result.name, pairs=result.n_train_pairs, steps=result.steps, time=duration(result.time_s),
                train=train_loss, val=val))
            self.adapter_trained.emit(result.name)
        self._refresh_stopped_run()
        self.run_ended.emit(result)

    def _on_failed(self, sentence: str) -> None:
        self.running, self.job = False, None
        self._refresh_stopped_run()
        extra = self.tr(" Resume continues from the last checkpoint.") if self.resume_btn.isEnabled() else ""
        self.message.setText(sentence + extra)
        self.run_ended.emit(sentence)

    # ---- language and life -------------------------------------------------------------------
    def retranslate(self) -> None:
        self._retranslate_fields()
        self.editors["max_steps"].setSpecialValueText(self.tr("no limit"))
        self.data_box.setTitle(self.tr("Training pairs"))
        self.review_radio.setText(self.tr("Pairs accepted on the Training data page"))
        self.file_radio.setText(self.tr("A file of pairs (JSONL):"))
        self.file_path.setPlaceholderText(self.tr("pairs.jsonl"))
        self.file_path.setAccessibleName(self.tr("File of training pairs"))
        self.browse_btn.setText(self.tr("Browse…"))
        self.browse_btn.setAccessibleName(self.tr("Choose a file of training pairs"))
        self.name_label.setText(self.tr("Adapter name:"))
        self.name_edit.setAccessibleName(self.tr("Adapter name"))
        self.settings_box.setTitle(self.tr("Settings"))
        self.advanced_box.setTitle(self.tr("Advanced settings"))
        for b, text, acc in (
            (self.start_btn, self.tr("Start"), self.tr("Start training")),
            (self.cancel_btn, self.tr("Cancel"), self.tr("Cancel training after the current step")),
            (self.resume_btn, self.tr("Resume"), self.tr("Resume the stopped run from its checkpoint")),
            (self.defaults_btn, self.tr("Restore defaults"), self.tr("Restore the default settings")),
        ):
            b.setText(text)
            b.setAccessibleName(acc)
        self.progress.setAccessibleName(self.tr("Training progress"))
        self.chart.setAccessibleName(self.tr("Loss curve"))
        self.chart.labels = (self.tr("step"), self.tr("loss"), self.tr("training loss"), self.tr("held-out loss"))
        self.chart.redraw()
        self.refresh_data()
        self._refresh_stopped_run()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt)
        if not self.running:
            self.refresh_data()
            self._refresh_stopped_run()
        super().showEvent(event)

    def shutdown(self) -> None:
        """Stop a running training before the window closes (its checkpoint is kept)."""
        self.chart.stop()
        if self.job is not None:
            self.job.cancel()
