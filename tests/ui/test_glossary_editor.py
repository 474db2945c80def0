"""The glossary page: search in English and Chinese, filter, bulk status, undo, and an
import whose problems are listed in the dialog."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel

from desktop.ui.glossary_editor import GlossaryEditor
from desktop.ui.import_dialog import ImportDialog
from glossary.model import Status
from tests.ui.fakes import FakeWorker


def _labels(editor: GlossaryEditor) -> list[str]:
    return [c.label() for c in editor.model.rows]


def test_search_english_and_chinese_and_filter(open_window, qtbot):
    win = open_window(worker=FakeWorker())
    ed = win.glossary
    total = win.ctx.store.count()
    assert total > 100 and ed.model.rowCount() > 0
    ed.search.setText("房颤")
    ed.refresh()
    assert "atrial fibrillation" in _labels(ed)
    ed.search.setText("glomerular")
    ed.refresh()
    assert "CKD-EPI equation" in _labels(ed)
    ed.search.setText("")
    ed.field.setCurrentIndex(ed.field.findData("law"))
    assert ed.model.rowCount() > 0
    assert all("law" in c.subject_fields for c in ed.model.rows)


def test_bulk_status_and_undo(open_window, qtbot):
    win = open_window(worker=FakeWorker())
    ed = win.glossary
    ed.refresh()
    ed.table.selectRow(0)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    ed.table.selectionModel().select(ed.model.index(1, 0), flags)
    ids = ed.selected_ids()
    assert len(ids) == 2
    ed.set_status(Status.APPROVED)
    assert all(c.status is Status.APPROVED for c in win.ctx.store.get_many(ids))
    ed.undo()
    assert all(c.status is Status.DRAFT for c in win.ctx.store.get_many(ids))


def test_import_with_errors_shows_its_report_and_changes_nothing(open_window, qtbot, tmp_path):
    win = open_window(worker=FakeWorker())
    bad = tmp_path / "terms.csv"
    bad.write_text(
        "preferred_en,definition_en,status\n"
        "myocardial infarction,Death of heart muscle from lost blood supply.,approved\n"
        ",A row without any term.,draft\n"
        "stroke,Brain injury from interrupted blood flow.,maybe\n",
        encoding="utf-8")
    before = win.ctx.store.count()
    dialog = win.glossary.import_file()
    qtbot.addWidget(dialog)
    dialog.path.setText(str(bad))
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.task.isRunning() and dialog.import_btn.isEnabled(), timeout=10_000)
    report = dialog.report.toPlainText()
    assert "line 3" in report and "line 4" in report
    assert "Nothing was imported" in dialog.message.text()
    assert win.ctx.store.count() == before

    dialog.skip_bad.setChecked(True)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.task.isRunning() and dialog.import_btn.isEnabled(), timeout=10_000)
    assert "Imported 1 concept." in dialog.message.text()
    assert win.ctx.store.count() == before + 1
    # the matcher was rebuilt: the imported term is detected at once
    assert [h.text for h in win.ctx.matcher.detect("a myocardial infarction")] == ["myocardial infarction"]
    dialog.close()
