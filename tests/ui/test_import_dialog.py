"""The import dialog: importing a file twice stops and asks; merge, skip or replace as chosen;
a CSV's encoding can be named; exports follow the formula setting."""

from __future__ import annotations

from pathlib import Path

from desktop.ui.import_dialog import ImportDialog, export_glossary
from glossary.model import Concept, Term
from glossary.store import GlossaryStore


def _run(qtbot, dialog: ImportDialog) -> None:
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.task.isRunning() and dialog.import_btn.isEnabled(), timeout=20_000)


def test_importing_twice_asks_and_then_does_what_was_chosen(qtbot, tmp_path: Path) -> None:
    store = GlossaryStore(tmp_path / "g.db")
    path = tmp_path / "clinic.csv"
    path.write_bytes("id,preferred_en,definition_en\nm1,Ménière disease,Vertigo and tinnitus.\n".encode("cp1252"))
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(path))
    _run(qtbot, dialog)
    assert "Imported 1 concept." in dialog.message.text()
    assert store.concepts()[0].label() == "Ménière disease"  # Windows-1252 read right
    _run(qtbot, dialog)
    assert "already in the glossary" in dialog.message.text() and store.count() == 1
    path.write_bytes("id,preferred_en,definition_en\nm1,Ménière disease,Inner-ear disorder.\n".encode("cp1252"))
    dialog.existing.setCurrentIndex(dialog.existing.findData("replace"))
    dialog.encoding.setCurrentIndex(dialog.encoding.findData("cp1252"))
    _run(qtbot, dialog)
    assert "1 replaced" in dialog.message.text()
    assert store.count() == 1 and store.concepts()[0].definitions["en"] == "Inner-ear disorder."
    dialog.close()
    store.close()


def test_export_neutralises_formulas_unless_the_setting_is_off(qtbot, tmp_path: Path) -> None:
    from desktop.storage import config

    store = GlossaryStore(tmp_path / "g.db")
    store.add_concept(Concept(terms=[Term("evil")], definitions={"en": "=HYPERLINK(\"http://x\")"}))
    out = tmp_path / "out.csv"
    assert export_glossary(parent=None, store=store, path=str(out)) == 1
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")
    settings = config.load()
    settings.csv_neutralise_formulas = False
    config.save(settings)
    export_glossary(parent=None, store=store, path=str(out))
    assert "'=HYPERLINK" not in out.read_text(encoding="utf-8-sig") and "=HYPERLINK" in out.read_text(encoding="utf-8-sig")
    store.close()


def test_the_formula_switch_is_in_settings(qtbot) -> None:
    from desktop.storage.config import Settings
    from desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.csv_neutralise_formulas.isChecked()
    assert "apostrophe" in dialog.csv_neutralise_formulas_help.text()
    dialog.csv_neutralise_formulas.setChecked(False)
    assert dialog.settings().csv_neutralise_formulas is False
