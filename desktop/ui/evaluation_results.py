"""The Evaluation page's results: the per-method table, the groups (subject field,
seen/held-out, terms found/missed by the matcher), the chart, the notes under them, and
Export (Markdown, CSV and PNG into a folder the person chooses).

``EvaluationResultsView`` is the half of ``EvaluationPage`` that shows an outcome; the
other half (``evaluation_page``) chooses and runs. It is a mixin of the page, so its
strings stay in the page's translation context. It expects the page's ``status`` label,
``outcome`` and ``_fail``. The cells are written by ``desktop.evaluation_format``, the
same functions as the report's Markdown. GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QScrollArea, QTableWidget, QTableWidgetItem, QTabWidget,
    QVBoxLayout,
)

from desktop.ui import file_dialogs
from desktop.evaluation_format import accuracy_cell, method_cells, p_value
from glossary.errors import TermLensError

METHODS = ("base", "inject", "lora", "lora+inject", "oracle")


def _make_table() -> QTableWidget:
    t = QTableWidget()
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    return t


class EvaluationResultsView:
    def _build_results(self, lay: QVBoxLayout) -> None:
        self.tabs = QTabWidget()
        self.table = _make_table()
        self.groups = _make_table()
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

    def _retranslate_results(self) -> None:
        self.tabs.setTabText(0, self.tr("By method"))
        self.tabs.setTabText(1, self.tr("By group"))
        self.tabs.setTabText(2, self.tr("Chart"))
        self.table.setAccessibleName(self.tr("Accuracy by method"))
        self.groups.setAccessibleName(self.tr("Accuracy by group"))
        self.chart.setAccessibleName(self.tr("Accuracy chart"))

    def method_label(self, method: str) -> str:
        return {"base": self.tr("Base"), "inject": self.tr("+ Injection"), "lora": self.tr("+ LoRA"),
                "lora+inject": self.tr("LoRA + injection"), "oracle": self.tr("Oracle injection")}[method]

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
                n=f["n"], b=f["base"], l=f["lora"], d=f["delta"], p=p_value(f["mcnemar"]["p_value"])))
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
            for col, text in enumerate([self.method_label(m)] + method_cells(report, m)):
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
                t.setItem(row, col, QTableWidgetItem(accuracy_cell(report.group(m, g))))

    # ---- export ----------------------------------------------------------------------------
    def export(self, folder: str | None = None) -> dict | None:
        """Write the report as plain files into ``folder`` (asked for when not given)."""
        if self.outcome is None:
            return None
        if folder is None:
            folder = file_dialogs.folder(self, self.tr("Export the evaluation report"))
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

