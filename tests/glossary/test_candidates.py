"""Candidate terms from the person's documents: what they would see proposed."""

from __future__ import annotations

import pytest

from glossary import candidates
from glossary.errors import GlossaryImportError
from glossary.model import Status, TermType
from glossary.store import GlossaryStore

NOTE_EN = """Discharge summary. The patient was admitted with acute kidney injury (AKI) after contrast exposure.
AKI was staged by KDIGO criteria. Serum creatinine rose from 80 to 190 umol/L within 48 hours.
We suspected contrast-induced nephropathy. Nephrotoxic drugs were stopped and acute kidney injury resolved.
The patient has a history of atrial fibrillation and takes apixaban. Apixaban was held for two days.
Informed consent was obtained. The risk of contrast-induced nephropathy was discussed and informed consent documented.
The patient will see the nephrologist next week.
"""
NOTE_ZH = """患者因造影剂肾病入院。入院后出现急性肾损伤，血肌酐升高。停用肾毒性药物后急性肾损伤好转。
患者既往有心房颤动病史，长期服用阿哌沙班。阿哌沙班暂停两天。
建议定期监测血肌酐和尿量，避免使用肾毒性药物。造影剂肾病的风险已告知家属。
"""


def _terms(found):
    return [c.term for c in found]


def test_english_domain_terms_are_proposed_and_everyday_words_are_not():
    found = candidates.propose({"note.txt": NOTE_EN}, known={"atrial fibrillation"})
    terms = _terms(found)
    for want in ("acute kidney injury", "contrast-induced nephropathy", "informed consent", "apixaban"):
        assert want in terms
    for unwanted in ("patient", "the patient", "atrial fibrillation", "kidney injury", "week"):
        assert unwanted not in terms
    aki = found[terms.index("acute kidney injury")]
    assert aki.abbreviation == "AKI" and aki.label == "acute kidney injury (AKI)"
    assert "AKI" not in terms  # it travels with its long form
    assert "acute kidney injury" in aki.example and aki.sources == ["note.txt"] and aki.count >= 2


def test_chinese_terms_are_segmented_and_joined():
    found = candidates.propose({"病历.txt": NOTE_ZH}, known={"心房颤动"})
    terms = _terms(found)
    for want in ("急性肾损伤", "造影剂肾病", "阿哌沙班", "肾毒性药物"):
        assert want in terms
    for unwanted in ("心房颤动", "患者", "建议", "肾损伤"):
        assert unwanted not in terms
    assert all(c.lang == "zh" for c in found if c.term in ("急性肾损伤", "阿哌沙班"))


def test_a_term_seen_once_is_not_proposed_and_more_documents_rank_higher():
    one = candidates.propose({"a.txt": "Apixaban was given. Rivaroxaban was stopped. Apixaban again."})
    assert "apixaban" in [c.term.lower() for c in one] and "rivaroxaban" not in [c.term.lower() for c in one]
    spread = candidates.propose({"a.txt": "Apixaban was given once.", "b.txt": "Apixaban was stopped.",
                                 "c.txt": "Warfarin and warfarin."}, min_count=2)
    by = {c.term.lower(): c for c in spread}
    assert by["apixaban"].documents == 2 and by["apixaban"].score > by["warfarin"].score


def test_best_first_and_top_limits_the_list():
    found = candidates.propose({"note.txt": NOTE_EN}, top=3)
    assert len(found) == 3
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_documents_of_each_kind_are_read(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("Force majeure excused the delay. The force majeure clause was invoked.")
    table = doc.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = "Liquidated damages apply."
    doc.save(tmp_path / "contract.docx")
    text = candidates.read_document(tmp_path / "contract.docx")
    assert "force majeure clause" in text and "Liquidated damages apply." in text

    (tmp_path / "notes.md").write_text("# Heading\n\n**Estoppel** applies; see [the case](http://x).\n", encoding="utf-8")
    md = candidates.read_document(tmp_path / "notes.md")
    assert "Estoppel applies; see the case." in md and "**" not in md and "http" not in md

    (tmp_path / "gbk.txt").write_bytes("合同约定了违约金。".encode("gb18030"))
    assert candidates.read_document(tmp_path / "gbk.txt") == "合同约定了违约金。"


@pytest.mark.parametrize("name, content, words", [
    ("scan.pdf", b"%PDF-1.7", "reads .txt, .md and .docx"),
    ("broken.docx", b"not a zip", "not a Word (.docx) document"),
    ("image.txt", b"\x00\x01\x02binary", "not a text file"),
])
def test_a_document_that_cannot_be_read_is_one_sentence(tmp_path, name, content, words):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(GlossaryImportError) as err:
        candidates.propose_from_files([tmp_path / name])
    assert words in str(err.value) and name in str(err.value)


def test_accepted_candidates_become_draft_concepts_in_one_undo_step(tmp_path):
    (tmp_path / "note.txt").write_text(NOTE_EN, encoding="utf-8")
    with GlossaryStore(tmp_path / "g.db") as store:
        known = candidates.known_forms(store.iter_concepts())
        found = candidates.propose_from_files([tmp_path / "note.txt"], known=known)
        chosen = [c for c in found if c.term in ("acute kidney injury", "apixaban")]
        ids = candidates.add_to_glossary(store, chosen, subject_field="nephrology")
        concepts = store.get_many(ids)
        aki = next(c for c in concepts if c.label() == "acute kidney injury")
        assert aki.status is Status.DRAFT and aki.subject_fields == ["nephrology"]
        assert [(t.text, t.type) for t in aki.terms] == [("acute kidney injury", TermType.PREFERRED),
                                                        ("AKI", TermType.ABBREVIATION)]
        assert "note.txt" in aki.source and "acute kidney injury" in aki.note
        # now known: not proposed again
        again = candidates.propose_from_files([tmp_path / "note.txt"],
                                              known=candidates.known_forms(store.iter_concepts()))
        assert "acute kidney injury" not in _terms(again) and "apixaban" not in _terms(again)
        store.undo()
        assert store.count() == 0
