"""The Training data page: generate pairs, review them, keep them encrypted, export and
import them; find candidate terms in documents and add them to the glossary."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QItemSelectionModel

from desktop.storage import config, trainingset
from glossary import dataset
from desktop.storage.appdata import open_glossary
from desktop.ui import pair_files
from desktop.ui.review_page import ReviewPage
from glossary.model import Status, TermType
from tests.ui.fakes import FakeWorker

WAIT_MS = 120_000  # a busy machine is slow to start jieba and to build pairs

NOTE = """The patient developed contrast-induced nephropathy (CIN) after the angiogram.
CIN was managed with fluids. Contrast-induced nephropathy resolved within a week.
He takes apixaban. Apixaban was held for two days before the procedure.
"""


@pytest.fixture
def ctx():
    store = open_glossary()  # the user's glossary, encrypted, with the starter glossaries
    yield SimpleNamespace(store=store, settings=config.Settings(), closed=False)
    store.close()


@pytest.fixture
def page(ctx, qtbot):
    p = ReviewPage(ctx)
    qtbot.addWidget(p)
    yield p
    p.shutdown()


def _generate(page, qtbot, *, field=None, per=2, seed=0):
    page.field.setCurrentIndex(page.field.findData(field))
    page.per_concept.setValue(per)
    page.seed.setValue(seed)
    with qtbot.waitSignal(page.generated, timeout=WAIT_MS):
        page.generate()


def _select(table, rows):
    sel = table.selectionModel()
    sel.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r in rows:
        sel.select(table.model().index(r, 0), flags)


def _cell(model, row, col):
    return model.data(model.index(row, col))


def test_generate_for_one_field_and_review_in_bulk(page, ctx, qtbot):
    _generate(page, qtbot, field="law", per=2)
    law = {c.id for c in ctx.store.concepts(domain="law")}
    n = page.model.rowCount()
    assert n > 0 and all(p["concept_id"] in law for p in page.pairs)
    assert f"Pending {n}" in page.counts.text() and "Accepted 0" in page.counts.text()
    assert _cell(page.model, 0, 5) in {c.label() for c in ctx.store.concepts(domain="law")}

    _select(page.table, [0, 1, 2])
    assert page.set_status_selected("accepted") == 3
    _select(page.table, [3])
    page.set_status_selected("rejected")
    assert "Accepted 3" in page.counts.text() and "Rejected 1" in page.counts.text()

    page.show_status.setCurrentIndex(page.show_status.findData("accepted"))
    assert page.model.rowCount() == 3 and {_cell(page.model, r, 0) for r in range(3)} == {"accepted"}

    # only accepted pairs train, and they are what the training page reads
    accepted = trainingset.accepted()
    assert len(accepted) == 3 and all(p["status"] == "accepted" for p in accepted)

    page.show_status.setCurrentIndex(page.show_status.findData("pending"))
    assert page.accept_all_shown() == n - 4
    assert page.model.rowCount() == 0 and f"Accepted {n - 1}" in page.counts.text()


def test_the_set_is_kept_encrypted_and_comes_back(page, ctx, qtbot):
    _generate(page, qtbot, field="medicine", per=1)
    question = page.pairs[0]["messages"][0]["content"]
    _select(page.table, [0])
    page.set_status_selected("accepted")
    saved = trainingset.path().read_bytes()
    assert question.encode("utf-8") not in saved and b"messages" not in saved
    again = ReviewPage(ctx)
    qtbot.addWidget(again)
    assert len(again.pairs) == len(page.pairs) and again.pairs[0]["status"] == "accepted"
    assert "Accepted 1" in again.counts.text()


def test_a_rebuild_keeps_what_was_reviewed(page, ctx, qtbot):
    _generate(page, qtbot, field="finance", per=2, seed=1)
    first = [dict(p) for p in page.pairs]
    _select(page.table, [0])
    page.set_status_selected("rejected")
    _generate(page, qtbot, field="finance", per=2, seed=1)
    assert len(page.pairs) == len(first)  # the same seed adds nothing twice
    assert page.pairs[0]["status"] == "rejected"

    _generate(page, qtbot, field="finance", per=2, seed=2)
    assert page.pairs[0]["id"] == first[0]["id"] and page.pairs[0]["status"] == "rejected"
    fresh = {p["id"] for p in dataset.build_pairs(ctx.store.concepts(domain="finance"), seed=2, per_concept=2)}
    assert {p["id"] for p in page.pairs if p["status"] == "pending"} == fresh - {first[0]["id"]}


def test_edit_one_pair(page, qtbot):
    _generate(page, qtbot, field="law", per=1)
    _select(page.table, [0])
    dialog = page.edit_selected()
    dialog.answer.setPlainText("")
    dialog._check()
    assert dialog.isVisible() and "question and an answer" in dialog.problem.text()  # nothing lost, one sentence
    dialog.answer.setPlainText("A corrected answer written by the reviewer.")
    dialog._check()
    assert _cell(page.model, 0, 4) == "A corrected answer written by the reviewer."
    assert _cell(page.model, 0, 0).endswith("*")
    saved = trainingset.load()
    assert saved[0]["messages"][1]["content"] == "A corrected answer written by the reviewer." and saved[0]["edited"]


def test_export_and_import_jsonl(page, ctx, qtbot, tmp_path):
    _generate(page, qtbot, field="law", per=1)
    _select(page.table, [0, 1])
    page.set_status_selected("accepted")
    out = tmp_path / "pairs.jsonl"
    assert pair_files.export_to(page, str(out)) == len(page.pairs)
    assert "not encrypted" in page.message.text()
    exported = out.read_text(encoding="utf-8").splitlines()

    trainingset.path().unlink()
    fresh = ReviewPage(ctx)
    qtbot.addWidget(fresh)
    assert fresh.model.rowCount() == 0
    assert pair_files.import_from(fresh, str(out)) == len(exported)
    assert "Accepted 2" in fresh.counts.text() and len(trainingset.load()) == len(exported)

    bad = tmp_path / "bad.jsonl"
    bad.write_text(exported[0] + "\n{not json\n", encoding="utf-8")
    assert pair_files.import_from(fresh, str(bad)) is None
    assert "line 2" in fresh.message.text()
    assert len(fresh.pairs) == len(exported) and len(trainingset.load()) == len(exported)  # nothing lost


def test_the_export_and_import_buttons_ask_for_a_file_then_write_and_read_it(page, ctx, qtbot, tmp_path,
                                                                            monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    _generate(page, qtbot, field="law", per=1)
    out = tmp_path / "chosen.jsonl"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    page.export_btn.click()
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(page.pairs) > 0
    assert "chosen.jsonl" in page.message.text()

    trainingset.path().unlink()
    fresh = ReviewPage(ctx)
    qtbot.addWidget(fresh)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), ""))
    fresh.import_btn.click()
    assert fresh.model.rowCount() == len(page.pairs) and "Imported" in fresh.message.text()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))  # the dialog cancelled
    fresh.import_btn.click()
    assert fresh.model.rowCount() == len(page.pairs)


def test_candidate_terms_from_documents_into_the_glossary(page, ctx, qtbot, tmp_path):
    from docx import Document

    (tmp_path / "note.txt").write_text(NOTE, encoding="utf-8")
    doc = Document()
    doc.add_paragraph("Apixaban was restarted. Contrast-induced nephropathy did not recur.")
    doc.save(tmp_path / "letter.docx")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7")
    assert page.candidates.add_files([str(tmp_path / "note.txt"), str(tmp_path / "letter.docx"), str(tmp_path / "scan.pdf")]) == 2
    assert "scan.pdf" in page.message.text() and "2 documents" in page.candidates.files_label.text()

    with qtbot.waitSignal(page.candidates_found, timeout=WAIT_MS):
        page.candidates.find_terms()
    labels = [_cell(page.candidates.cand_model, r, 0) for r in range(page.candidates.cand_model.rowCount())]
    assert "contrast-induced nephropathy (CIN)" in labels
    row = labels.index("contrast-induced nephropathy (CIN)")
    assert _cell(page.candidates.cand_model, row, 4) == 2  # found in both documents
    assert "ontrast-induced nephropathy" in _cell(page.candidates.cand_model, row, 5)
    assert not any(label.startswith("atrial fibrillation") for label in labels)

    _select(page.candidates.cand_table, [row])
    page.candidates.new_field.setEditText("ward notes")
    before = ctx.store.count()
    ids = page.candidates.add_selected_terms()
    assert ctx.store.count() == before + 1
    c = ctx.store.get_concept(ids[0])
    assert c.status is Status.DRAFT and c.subject_fields == ["ward notes"]
    assert [(t.text, t.type) for t in c.terms] == [("contrast-induced nephropathy", TermType.PREFERRED),
                                                  ("CIN", TermType.ABBREVIATION)]
    labels = [_cell(page.candidates.cand_model, r, 0) for r in range(page.candidates.cand_model.rowCount())]
    assert "contrast-induced nephropathy (CIN)" not in labels
    assert "Added 1 draft concepts" in page.message.text()


def test_the_page_works_inside_the_window(open_window, qtbot):
    win = open_window(worker=FakeWorker())
    page = win.review
    assert win.tabs.indexOf(page) >= 0
    _generate(page, qtbot, field="law", per=1)
    assert page.accept_all_shown() == len(page.pairs)
    assert len(trainingset.accepted()) == len(page.pairs)


def test_an_unreadable_saved_set_is_kept_aside_not_overwritten(ctx, qtbot):
    target = trainingset.path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"damaged beyond repair")
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 0 and page.message.text()  # one sentence about it
    _generate(page, qtbot, field="law", per=1)
    kept = target.with_name(target.name + ".unreadable-1")
    assert kept.read_bytes() == b"damaged beyond repair"
    assert len(trainingset.load()) == len(page.pairs) > 0


def test_imported_pairs_get_every_field_of_the_contract(tmp_path):
    src = tmp_path / "mine.jsonl"
    src.write_text('{"messages": [{"role": "user", "content": "什么是要约？"}, '
                   '{"role": "assistant", "content": "要约是希望和他人订立合同的意思表示。"}]}\n', encoding="utf-8")
    (pair,) = trainingset.import_jsonl(src)
    assert pair["lang"] == "zh" and pair["kind"] == "imported" and pair["status"] == "pending"
    assert pair["concept_id"] is None and len(pair["id"]) == 16
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(Exception, match="holds no training pairs"):
        trainingset.import_jsonl(empty)


def test_a_field_already_made_under_all_subject_fields_says_so_not_0_new(page, ctx, qtbot):
    _generate(page, qtbot, field=None, per=1)
    law = [p for p in page.pairs if p["concept_id"] in {c.id for c in ctx.store.concepts(domain="law")}]
    _generate(page, qtbot, field="law", per=1)
    assert page.message.text() == f"All {len(law)} pairs for law are already in the set; nothing new to review."
    _generate(page, qtbot, field="law", per=2)
    assert "new pair" in page.message.text() and "(law)" in page.message.text()
    assert f"{len(law)} of the" in page.message.text() and "keep their review" in page.message.text()


def test_a_very_large_glossary_asks_and_offers_a_sample(page, ctx, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from desktop.ui import review_page

    monkeypatch.setattr(review_page, "MANY_CONCEPTS", 20)
    monkeypatch.setattr(review_page, "SAMPLE_CONCEPTS", 10)
    asked: list[str] = []
    choice = ["10 at random"]

    def answer(box: QMessageBox) -> int:
        asked.append(box.text())
        for b in box.buttons():
            if b.text() == choice[0]:
                b.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    n = ctx.store.count()
    _generate(page, qtbot, field=None, per=1)
    assert asked and asked[0].startswith(f"All subject fields has {n:,} concepts, which makes about {n:,} pairs")
    assert len({p["concept_id"] for p in page.pairs}) <= 10
    choice[0] = "Cancel"
    assert page.generate() is None  # cancelled: nothing is made
    assert len(asked) == 2 and len({p["concept_id"] for p in page.pairs}) <= 10


def test_the_pairs_file_messages_keep_their_chinese(page, ctx, qtbot, tmp_path):
    from desktop.ui import i18n

    _generate(page, qtbot, field="law", per=1)
    assert i18n.set_language("zh_CN")
    try:
        out = tmp_path / "pairs.jsonl"
        assert pair_files.export_to(page, str(out)) == len(page.pairs)
        assert "导出" in page.message.text() and "未加密" in page.message.text()
        assert pair_files.import_from(page, str(out)) == len(page.pairs)
        assert "导入" in page.message.text()
    finally:
        i18n.set_language("en")
