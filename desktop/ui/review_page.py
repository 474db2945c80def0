"""The Training data page: Q&A pairs made from the glossary, reviewed before they train;
and candidate terms found in the person's documents, accepted into the glossary.

Pairs: choose a subject field, a seed and how many phrasings per concept, and press
Generate; a rebuild keeps what was already reviewed (``glossary.dataset.merge``). The
table shows every pair or those of one status; accept, reject, send back to pending
(the selection or everything shown) and edit one pair. Only accepted pairs train
(``desktop.storage.trainingset.accepted``). The set is saved encrypted after every change;
export and import go through JSONL files (``desktop.ui.pair_files``).

Candidate terms from documents: ``desktop.ui.candidates_box``, below the pairs, sharing
the page's message line and background job.

The concepts are read on the GUI thread (the store's connection belongs to it); making
pairs and reading documents run on a ``BackgroundJob`` thread (``desktop.workers.background``)
that never touches widgets.
Problems appear as one sentence under the tables, never as a modal box.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QProgressBar,
    QPushButton, QSpinBox, QSplitter, QVBoxLayout, QWidget,
)

from desktop.storage import trainingset
from desktop.ui import pair_files
from desktop.ui.candidates_box import CandidatesBox
from desktop.ui.feedback import plural
from desktop.ui.i18n import Retranslating
from desktop.ui.table_model import rows_table
from desktop.ui.review_tables import PairDialog, PairTableModel
from desktop.workers.background import BackgroundJob
from glossary import dataset
from glossary.errors import TermLensError

MANY_CONCEPTS = 5_000  # more than this, and generating asks first (pairs are ~4 per concept)
SAMPLE_CONCEPTS = 2_000  # what it offers instead: a random sample of this many concepts

# ---- the page ------------------------------------------------------------------------------

class ReviewPage(Retranslating, QWidget):
    changed = Signal()  # the saved set changed (statuses, edits, new or imported pairs)
    generated = Signal(int)  # pairs added by a generation
    candidates_found = Signal(int)  # how many terms were proposed
    _making: tuple[str, str | None] = ("", None)  # the subject field being made: as shown, as stored
    task_failed = Signal(str)  # the sentence shown

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job: BackgroundJob | None = None
        self._on_done: Callable[[Any], None] | None = None
        self._damaged = False  # the saved set could not be read: it is set aside before the next save

        # -- generation --
        self.gen_box = QGroupBox()
        self.field = QComboBox()
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.per_concept = QSpinBox()
        self.per_concept.setRange(1, 20)
        self.per_concept.setValue(4)
        self.langs = QComboBox()
        self.generate_btn = QPushButton()
        self.generate_btn.clicked.connect(self.generate)
        self.field_label, self.seed_label, self.per_label, self.lang_label = QLabel(), QLabel(), QLabel(), QLabel()
        gen = QHBoxLayout(self.gen_box)
        for label, w in ((self.field_label, self.field), (self.seed_label, self.seed),
                         (self.per_label, self.per_concept), (self.lang_label, self.langs)):
            label.setBuddy(w)
            gen.addWidget(label)
            gen.addWidget(w)
        gen.addStretch(1)
        gen.addWidget(self.generate_btn)

        # -- review --
        self.show_status = QComboBox()
        self.show_status.currentIndexChanged.connect(lambda _i: self.refresh())
        self.counts = QLabel()
        self.show_label = QLabel()
        self.show_label.setBuddy(self.show_status)
        filt = QHBoxLayout()
        filt.addWidget(self.show_label)
        filt.addWidget(self.show_status)
        filt.addStretch(1)
        filt.addWidget(self.counts)
        self.model = PairTableModel(self)
        self.table = rows_table(self.model)
        header = self.table.horizontalHeader()
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        header.setSectionResizeMode(4, QHeaderView.Stretch)
        self.table.setColumnWidth(5, 180)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.accept_btn, self.reject_btn, self.pending_btn = QPushButton(), QPushButton(), QPushButton()
        self.edit_btn, self.accept_all_btn = QPushButton(), QPushButton()
        self.export_btn, self.import_btn = QPushButton(), QPushButton()
        self.accept_btn.clicked.connect(lambda: self.set_status_selected("accepted"))
        self.reject_btn.clicked.connect(lambda: self.set_status_selected("rejected"))
        self.pending_btn.clicked.connect(lambda: self.set_status_selected("pending"))
        self.edit_btn.clicked.connect(self.edit_selected)
        self.accept_all_btn.clicked.connect(self.accept_all_shown)
        self.export_btn.clicked.connect(lambda: pair_files.export_file(self))
        self.import_btn.clicked.connect(lambda: pair_files.import_file(self))
        bar = QHBoxLayout()
        for b in (self.accept_btn, self.reject_btn, self.pending_btn, self.edit_btn, self.accept_all_btn):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.import_btn)
        bar.addWidget(self.export_btn)
        self.pairs_box = QGroupBox()
        pairs_lay = QVBoxLayout(self.pairs_box)
        pairs_lay.addWidget(self.gen_box)
        pairs_lay.addLayout(filt)
        pairs_lay.addWidget(self.table, 1)
        pairs_lay.addLayout(bar)

        # -- candidate terms --
        self.candidates = CandidatesBox(ctx, run=self._run, say=self.say, glossary_changed=self.fill_fields, parent=self)
        self.candidates.found.connect(self.candidates_found)

        # -- messages and progress --
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_btn = QPushButton()
        self.cancel_btn.setVisible(False)
        self.cancel_btn.clicked.connect(lambda: self.job is not None and self.job.stop())
        low = QHBoxLayout()
        low.addWidget(self.message, 1)
        low.addWidget(self.progress)
        low.addWidget(self.cancel_btn)

        split = QSplitter(Qt.Vertical)
        split.addWidget(self.pairs_box)
        split.addWidget(self.candidates)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addLayout(low)

        self.pairs: list[dict] = self._load()
        self.retranslate()
        self.refresh()

    # ---- text ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.gen_box.setTitle(self.tr("Generate from the glossary"))
        self.pairs_box.setTitle(self.tr("Training pairs"))
        self.field_label.setText(self.tr("Subject field"))
        self.seed_label.setText(self.tr("Seed"))
        self.per_label.setText(self.tr("Phrasings per concept"))
        self.lang_label.setText(self.tr("Languages"))
        self.show_label.setText(self.tr("Show"))
        self.seed.setToolTip(self.tr("The same seed gives the same pairs."))
        self.per_concept.setToolTip(self.tr("Pairs per concept and language, each phrased differently."))
        for b, text, name in (
            (self.generate_btn, self.tr("Generate pairs"), self.tr("Generate training pairs from the glossary")),
            (self.accept_btn, self.tr("Accept"), self.tr("Accept the selected pairs")),
            (self.reject_btn, self.tr("Reject"), self.tr("Reject the selected pairs")),
            (self.pending_btn, self.tr("Back to pending"), self.tr("Mark the selected pairs pending")),
            (self.edit_btn, self.tr("Edit…"), self.tr("Edit the selected pair")),
            (self.accept_all_btn, self.tr("Accept all shown"), self.tr("Accept every pair shown in the table")),
            (self.import_btn, self.tr("Import…"), self.tr("Import training pairs from a JSONL file")),
            (self.export_btn, self.tr("Export…"), self.tr("Export the training pairs to a JSONL file")),
            (self.cancel_btn, self.tr("Cancel"), self.tr("Cancel the running task")),
        ):
            b.setText(text)
            b.setAccessibleName(name)
        self.table.setAccessibleName(self.tr("Training pairs"))
        self.progress.setAccessibleName(self.tr("Task progress"))
        self.model.headers = [self.tr("Status"), self.tr("Kind"), self.tr("Language"), self.tr("Question"),
                              self.tr("Answer"), self.tr("Concept")]
        self.model.status_names = {"pending": self.tr("pending"), "accepted": self.tr("accepted"),
                                   "rejected": self.tr("rejected")}
        self.model.kind_names = {"definition": self.tr("definition"), "abbreviation": self.tr("abbreviation"),
                                 "reverse": self.tr("term for a definition"), "synonym": self.tr("synonym"),
                                 "context": self.tr("in context"), "related": self.tr("related terms"),
                                 "imported": self.tr("imported")}
        self.model.lang_names = {"en": self.tr("English"), "zh": self.tr("Chinese")}
        self.model.headerDataChanged.emit(Qt.Horizontal, 0, len(self.model.headers) - 1)
        self._fill_combo(self.show_status, [(self.tr("All pairs"), None), (self.tr("Pending"), "pending"),
                                            (self.tr("Accepted"), "accepted"), (self.tr("Rejected"), "rejected")])
        self._fill_combo(self.langs, [(self.tr("English and Chinese"), ("en", "zh")), (self.tr("English"), ("en",)),
                                      (self.tr("Chinese"), ("zh",))])
        self.fill_fields()
        self._show_counts()

    @staticmethod
    def _fill_combo(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, data in items:
            combo.addItem(text, data)
        i = combo.findData(current)
        combo.setCurrentIndex(max(i, 0))
        combo.blockSignals(False)

    def fill_fields(self) -> None:
        """The subject fields of the glossary, in both field choosers."""
        fields = [] if self.ctx.closed else self.ctx.store.subject_fields()
        self._fill_combo(self.field, [(self.tr("All subject fields"), None)] + [(f, f) for f in fields])
        self.candidates.fill_fields(fields)

    def say(self, text: str) -> None:
        self.message.setText(text)

    # ---- the saved set ------------------------------------------------------------------------
    def _load(self) -> list[dict]:
        try:
            return trainingset.load()
        except TermLensError as exc:
            self._damaged = True
            self.say(str(exc))
            return []

    def save(self) -> bool:
        try:
            if self._damaged:
                kept = trainingset.set_aside()
                self._damaged = False
                if kept:
                    self.say(self.tr("The unreadable training set was kept as {name}.").format(name=kept.name))
            trainingset.save(self.pairs)
        except TermLensError as exc:
            self.say(str(exc))
            return False
        self.changed.emit()
        return True

    # ---- showing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        missing = sorted({p.get("concept_id") for p in self.pairs if isinstance(p.get("concept_id"), int)}
                         - set(self.model.labels))
        if missing and not self.ctx.closed:
            for c in self.ctx.store.get_many(missing):
                self.model.labels[c.id] = c.label()
        self.model.set_pairs(self.pairs, self.show_status.currentData())
        self._show_counts()

    def _show_counts(self) -> None:
        n = dataset.counts(self.pairs)
        self.counts.setText(self.tr("Accepted {a} · Pending {p} · Rejected {r}").format(
            a=n["accepted"], p=n["pending"], r=n["rejected"]))

    def selected_pairs(self) -> list[dict]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.pair(r) for r in rows if 0 <= r < len(self.model.rows)]

    # ---- reviewing ----------------------------------------------------------------------------
    def set_status_selected(self, status: str) -> int:
        chosen = self.selected_pairs()
        return self._set_status(chosen, status)

    def accept_all_shown(self) -> int:
        return self._set_status([self.model.pair(r) for r in range(self.model.rowCount())], "accepted")

    def _set_status(self, chosen: list[dict], status: str) -> int:
        if not chosen:
            self.say(self.tr("Select one or more pairs first."))
            return 0
        before = [(p, p.get("status")) for p in chosen]
        for p in chosen:
            p["status"] = status
        if not self.save():
            for p, old in before:  # nothing changes that could not be kept
                p["status"] = old
            return 0
        self.refresh()
        self.say(self.tr("{n} pairs marked {status}.").format(n=len(chosen), status=self.model.status_names[status]))
        return len(chosen)

    def edit_selected(self) -> PairDialog | None:
        chosen = self.selected_pairs()
        if len(chosen) != 1:
            self.say(self.tr("Select one pair to edit."))
            return None
        pair = chosen[0]
        dialog = PairDialog(pair, self)
        dialog.accepted.connect(lambda: self._apply_edit(pair, *dialog.texts()))
        dialog.open()
        return dialog

    def _apply_edit(self, pair: dict, question: str, answer: str) -> None:
        old = (pair["messages"], pair.get("edited"))
        msgs = [dict(m) for m in pair["messages"]]
        for m in msgs:
            if m["role"] == "user":
                m["content"] = question
                break
        for m in reversed(msgs):
            if m["role"] == "assistant":
                m["content"] = answer
                break
        pair["messages"], pair["edited"] = msgs, True
        if not self.save():
            pair["messages"] = old[0]
            if old[1]:
                pair["edited"] = True
            else:
                pair.pop("edited", None)
            return
        self.refresh()
        self.say(self.tr("The pair was changed."))

    # ---- generating ---------------------------------------------------------------------------
    def generate(self) -> BackgroundJob | None:
        if self._busy():
            return None
        domain = self.field.currentData()
        seed, per, langs = self.seed.value(), self.per_concept.value(), self.langs.currentData()
        concepts = list(self.ctx.store.iter_concepts(domain=domain))  # the store's connection is this thread's
        if not concepts:
            self.say(self.tr("The glossary has no concepts to make pairs from."))
            return None
        if len(concepts) > MANY_CONCEPTS:
            concepts = self._how_many(concepts, seed=seed, per=per)
            if not concepts:
                return None
        self._making = (self.field.currentText(), domain)
        have = {c.id for c in concepts}
        outside = sorted({r for c in concepts for r in c.related if r not in have})
        linked = self.ctx.store.get_many(outside) if outside else []

        def work(on_progress, should_stop) -> list[dict]:
            return dataset.build_pairs(concepts, seed=seed, per_concept=per, langs=langs, linked=linked,
                                       on_progress=on_progress, should_stop=should_stop)

        return self._start(self.tr("Making training pairs…"), "making training pairs", work, self._on_generated)

    def _on_generated(self, fresh: list[dict]) -> None:
        if not fresh:
            self.say(self.tr("No pairs: the concepts need a definition or an abbreviation."))
            return
        before = len(self.pairs)
        had = {p.get("id") for p in self.pairs}
        merged = dataset.merge(self.pairs, fresh)
        old, self.pairs = self.pairs, merged
        if not self.save():
            self.pairs = old
            return
        self.refresh()
        added = max(len(merged) - before, 0)
        made, field = len(fresh), self._making[0]
        if added == 0:  # a field already covered, by an earlier run for it or for all subject fields
            self.say(plural(made, self.tr("The {n} pair for {field} is already in the set; nothing new to review."),
                            self.tr("All {n} pairs for {field} are already in the set; nothing new to review."),
                            field=field))
        else:
            old = sum(1 for p in fresh if p.get("id") in had)
            self.say(plural(added, self.tr("{n} new pair to review ({field})."),
                            self.tr("{n} new pairs to review ({field})."), field=field)
                     + ("" if not old else " " + self.tr(
                         "{old} of the {made} were already in the set and keep their review.").format(old=old, made=made)))
        self.generated.emit(added)

    def _how_many(self, concepts: list, *, seed: int, per: int) -> list:
        """Ask before making pairs for a very large glossary (ICD-10-CM: ~98,000 concepts, ~394,000
        pairs); returns the concepts to use (a random sample of ``SAMPLE_CONCEPTS``, or all), or []."""
        n = len(concepts)
        box = QMessageBox(QMessageBox.Question, self.tr("Many concepts"), self.tr(
            "{field} has {n:,} concepts, which makes about {pairs:,} pairs: far more than anyone can review, "
            "and more than a LoRA adapter needs (a few hundred to a few thousand pairs). Make pairs for "
            "{k:,} concepts chosen at random, or for all of them?").format(
            field=self.field.currentText(), n=n, pairs=n * per, k=SAMPLE_CONCEPTS), parent=self)
        sample = box.addButton(self.tr("{k:,} at random").format(k=SAMPLE_CONCEPTS), QMessageBox.AcceptRole)
        every = box.addButton(self.tr("All {n:,}").format(n=n), QMessageBox.DestructiveRole)
        box.addButton(QMessageBox.Cancel)
        box.setDefaultButton(sample)
        box.exec()
        if box.clickedButton() is every:
            return concepts
        if box.clickedButton() is sample:
            chosen = random.Random(seed).sample(range(n), SAMPLE_CONCEPTS)
            return [concepts[i] for i in sorted(chosen)]
        return []

    # ---- candidate terms ---------------------------------------------------------------------
    # ---- jobs -------------------------------------------------------------------------------
    def _busy(self) -> bool:
        if self.job is not None and self.job.isRunning():
            self.say(self.tr("Wait for the running task to finish, or cancel it."))
            return True
        return False

    def _run(self, label: str, doing: str, fn: Callable[..., Any],
             on_done: Callable[[Any], None]) -> BackgroundJob | None:
        """``_start``, unless a task is running already (then None, and the person is told)."""
        return None if self._busy() else self._start(label, doing, fn, on_done)

    def _start(self, label: str, doing: str, fn: Callable[..., Any], on_done: Callable[[Any], None]) -> BackgroundJob:
        self.say(label)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_btn.setVisible(True)
        for b in (self.generate_btn, self.candidates.find_btn, self.import_btn):
            b.setEnabled(False)
        job = BackgroundJob(doing, fn, self)
        # bound methods of this widget: the results are delivered on the GUI thread
        job.progress.connect(self._on_progress)
        job.done.connect(self._on_task_done)
        job.failed.connect(self._on_task_failed)
        self.job, self._on_done = job, on_done
        job.start()
        return job

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _end_job(self) -> None:
        self.progress.setVisible(False)
        self.cancel_btn.setVisible(False)
        for b in (self.generate_btn, self.candidates.find_btn, self.import_btn):
            b.setEnabled(True)

    @Slot(object)
    def _on_task_done(self, result: Any) -> None:
        self._end_job()
        if self.job is not None and self.job.stop_event.is_set():
            self.say(self.tr("Cancelled; nothing was changed."))
        elif self._on_done is not None:
            self._on_done(result)

    @Slot(str)
    def _on_task_failed(self, sentence: str) -> None:
        self._end_job()
        self.say(sentence)
        self.task_failed.emit(sentence)

    def shutdown(self) -> None:
        if self.job is not None and self.job.isRunning():
            self.job.stop()
            self.job.wait(10_000)
