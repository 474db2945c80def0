"""Small things a person notices: counts in the singular, success not shown as an error,
a status line that says what happened (and follows the language), undo that answers,
exports of what is shown, file dialogs that open at home."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.ui import i18n
from desktop.ui.app import make_app
from desktop.ui.import_dialog import ImportDialog
from glossary.store import GlossaryStore
from tests.ui.fakes import FakeWorker


def _red(label) -> bool:
    label.ensurePolished()
    c = label.palette().color(QPalette.WindowText)
    return c.red() > 120 and c.green() < 60 and c.blue() < 60


def test_deleting_one_concept_speaks_in_the_singular_and_undo_answers(open_window, qtbot, monkeypatch):
    win = open_window(worker=FakeWorker())
    ed = win.glossary
    ed.refresh()
    ed.table.selectRow(0)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or QMessageBox.Yes)
    before = win.ctx.store.count()
    ed.delete_selected()
    assert asked == ["Delete 1 concept? Undo brings it back."]
    assert ed.task_label.text() == "Deleted 1 concept. Undo brings it back."
    assert win.ctx.store.count() == before - 1
    ed.undo()
    assert win.ctx.store.count() == before
    assert ed.task_label.text() == "Undone: the last change, to 1 concept, is reversed."
    assert ed.redo_btn.isEnabled()
    qtbot.mouseClick(ed.redo_btn, Qt.LeftButton)
    assert win.ctx.store.count() == before - 1  # deleted again
    assert ed.task_label.text() == "Redone: the change to 1 concept is made again."
    qtbot.waitUntil(lambda: not ed.redo_btn.isEnabled(), timeout=2_000)
    ed.undo()
    qtbot.waitUntil(ed.redo_btn.isEnabled, timeout=2_000)
    concept = win.ctx.store.concepts(limit=1)[0]
    win.ctx.store.update_concept(concept)  # a newer change: the undone delete cannot come back over it
    qtbot.waitUntil(lambda: not ed.redo_btn.isEnabled(), timeout=2_000)
    ed.redo()
    assert ed.task_label.text().startswith("Nothing to redo") and win.ctx.store.count() == before


def test_status_line_follows_the_language_and_is_cleared_by_the_next_change(open_window, qtbot, monkeypatch):
    win = open_window(worker=FakeWorker())
    ed = win.glossary
    ed.refresh()
    ed.table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.Yes)
    ed.delete_selected()
    english = ed.task_label.text()
    try:
        win.apply_settings(replace(win.ctx.settings, language="zh_CN"))
        qtbot.waitUntil(lambda: ed.task_label.text() != english, timeout=2_000)
        assert "1" in ed.task_label.text() and "concept" not in ed.task_label.text()
    finally:
        win.apply_settings(replace(win.ctx.settings, language="en"))
        i18n.set_language("en")
    qtbot.waitUntil(lambda: ed.task_label.text() == english, timeout=2_000)
    concept = win.ctx.store.concepts(limit=1)[0]
    concept.note = "edited elsewhere"
    win.ctx.store.update_concept(concept)  # a change made from another page
    assert ed.task_label.text() == ""  # no stale news about the glossary before it


def test_a_successful_import_is_not_red_and_a_failed_one_is(qtbot, tmp_path: Path):
    make_app()
    store = GlossaryStore(tmp_path / "g.db")
    good = tmp_path / "terms.csv"
    good.write_text("preferred_en,definition_en\nforce majeure,An unforeseeable event.\n"
                    "estoppel,A bar to asserting a claim.\n", encoding="utf-8")
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(good))
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.task.isRunning() and dialog.import_btn.isEnabled(), timeout=20_000)
    assert dialog.message.text() == "Imported 2 concepts."
    assert not _red(dialog.message)
    dialog.path.setText(str(tmp_path / "missing.csv"))
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.task.isRunning() and dialog.import_btn.isEnabled(), timeout=20_000)
    assert "Imported" not in dialog.message.text()
    assert _red(dialog.message)
    dialog.close()
    store.close()


def test_export_writes_what_the_table_shows(open_window, qtbot, tmp_path: Path):
    win = open_window(worker=FakeWorker())
    ed = win.glossary
    total = win.ctx.store.count()
    ed.field.setCurrentIndex(ed.field.findData("law"))
    shown = len(list(win.ctx.store.iter_concepts(domain="law")))
    assert 0 < shown < total
    out = tmp_path / "law.jsonl"
    monkey = QFileDialog.getSaveFileName
    QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (str(out), ""))
    try:
        ed.export_file()
    finally:
        QFileDialog.getSaveFileName = monkey
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == shown
    assert ed.task_label.text() == f"Exported the {shown} concepts shown (law)."


def test_file_dialogs_open_at_home_then_where_the_person_last_was(qtbot, tmp_path: Path, monkeypatch):
    make_app()
    store = GlossaryStore(tmp_path / "g.db")
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    picked = tmp_path / "sub" / "terms.csv"
    picked.parent.mkdir()
    picked.write_text("preferred_en\nestoppel\n", encoding="utf-8")
    starts: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda _p, _t, start, _f: starts.append(start) or (str(picked), "")))
    from desktop.ui import file_dialogs
    make_app().setProperty("termlens_last_folder", None)
    dialog._browse()
    dialog._browse()
    assert starts == [str(Path.home()), str(picked.parent)]
    assert file_dialogs.start_folder() == str(picked.parent)
    assert dialog.path.text() == str(picked)
    store.close()


def test_a_one_step_loss_chart_shows_a_point_at_step_1(qtbot, tmp_path: Path):
    from desktop.ui.loss_chart import LossChart

    make_app()
    chart = LossChart()
    qtbot.addWidget(chart)
    chart.resize(500, 260)
    chart.show()
    chart.set_data([2.31], [])
    chart.redraw()
    chart.canvas.draw()
    left, right = chart.axes.get_xlim()
    assert (left, right) == (0.5, 1.5)  # not 0.945-1.050
    assert [t for t in chart.axes.get_xticks() if left <= t <= right] == [1]
    assert chart.axes.get_lines()[0].get_marker() == "o"  # the point is drawn
    chart.canvas.figure.savefig(tmp_path / "chart.png")
    chart.set_data([2.31 - i * 0.1 for i in range(20)], [])
    chart.redraw()
    assert chart.axes.get_xlim()[1] > 19  # long runs keep matplotlib's own limits


def test_the_passphrase_dialog_grows_to_show_the_length_warning_whole(qtbot, tmp_path: Path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop.ui.passphrase_dialog import PassphraseDialog

    make_app()
    dialog = PassphraseDialog(mode="create", folder="/home/clinician/.local/share/TermLens")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.passphrase.setText("short")
    dialog.again.setText("short")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    qtbot.wait(50)
    assert dialog.error.isVisible() and "at least" in dialog.error.text()
    for label in (dialog.message, dialog.folder, dialog.error):  # every line of every text is on screen
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    assert dialog.buttons.geometry().bottom() <= dialog.height()
    dialog.grab().save(str(Path(tempfile.gettempdir()) / "termlens-passphrase-warning.png"))


def test_the_status_bar_shows_the_time_to_the_first_token(open_window, qtbot):
    from tests.ui.conftest import ask

    win = open_window(worker=FakeWorker(rate=50.0))
    assert "first token" not in win.status.speed.text()  # nothing answered yet
    saved = ask(qtbot, win, "What is the normal eGFR?")
    ttft = saved["stats"]["ttft_s"] if "stats" in saved else None
    text = win.status.speed.text()
    assert "tok/s" in text and "first token after" in text
    seconds = float(text.split("first token after ")[1].split(" s")[0])
    assert 0.0 < seconds < 5.0
    if ttft is not None:
        assert seconds == round(ttft, 2)


def test_evaluation_says_how_long_is_left_from_the_pace_so_far(open_window, qtbot):
    from desktop.ui.feedback import RateEstimate, time_left

    win = open_window(worker=FakeWorker())
    page = win.evaluation
    clock = [100.0]
    page._pace = RateEstimate(lambda: clock[0])
    page.cancel_btn.setEnabled(True)  # as while a run is going
    page._on_progress((1, 40, "base: What is eGFR?"))  # loading and preparing: no pace yet
    assert "left" not in page.status.text()
    clock[0] += 20.0  # 4 more answers in 20 s: 5 s each, 35 to go
    page._on_progress((5, 40, "base: What is CKD?"))
    assert page.status.text() == "5 of 40 answers scored (Base: What is CKD?) · about 3 min left"
    clock[0] += 170.0
    page._on_progress((39, 40, "base: What is AF?"))
    assert page.status.text().endswith("· about 5 s left")
    assert time_left(4000) == "about 1 h 7 min left"


def test_the_model_manager_forgets_what_it_said_about_the_previous_path(open_window, qtbot, tmp_path: Path):
    from desktop.ui.model_manager import ModelManagerDialog

    win = open_window(worker=FakeWorker())
    win.ctx.worker.fail_load = "The folder has no config.json."
    dialog = ModelManagerDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(tmp_path / "not-a-model"))
    dialog.check()
    qtbot.waitUntil(lambda: "Checking" not in dialog.check_label.text(), timeout=20_000)
    assert dialog.check_label.text()  # the check's verdict on that path
    dialog.load()
    qtbot.waitUntil(lambda: "still in use" in dialog.message.text(), timeout=10_000)
    assert _red(dialog.message)
    dialog.path.setText(str(tmp_path / "another-model"))  # typing another path
    assert dialog.message.text() == "" and dialog.check_label.text() == ""
    dialog.close()


def test_adding_a_term_the_glossary_has_says_where_it_is(open_window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from desktop.ui.concept_dialog import ConceptDialog

    win = open_window(worker=FakeWorker())
    existing = [c for c in win.ctx.store.search("force majeure", limit=5) if c.label() == "force majeure"]
    assert existing, "the starter law glossary has force majeure"
    seen: dict = {}

    def typing_then_cancel(dialog: ConceptDialog) -> int:
        dialog.show()
        seen["before"] = dialog.already.isVisible()
        dialog.terms.item(0, 0).setText("Force  Majeure")  # as a person types it
        seen["hint"] = dialog.already.text() if dialog.already.isVisible() else ""
        dialog.grab().save(str(Path(tempfile.gettempdir()) / "termlens-already-in-glossary.png"))
        dialog.terms.item(0, 0).setText("force majeure clause in leases")
        seen["after"] = dialog.already.isVisible()
        return QDialog.Rejected

    monkeypatch.setattr(ConceptDialog, "exec", typing_then_cancel)
    before = win.ctx.store.count()
    win.glossary.add_concept()
    assert seen["before"] is False
    assert seen["hint"].startswith("“Force Majeure” is already in the glossary as “force majeure” (")
    assert "edit it instead" in seen["hint"]
    assert seen["after"] is False  # another term: the hint goes
    assert win.ctx.store.count() == before
