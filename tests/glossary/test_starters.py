"""The starter glossaries are what a clinician or lawyer sees first: complete and bilingual."""

from __future__ import annotations

import pytest

from glossary.formats import Problem, read
from glossary.importer import STARTER_DIR, starter_names
from glossary.model import Concept, Status, TermType

NAMES = ["medicine", "law", "finance"]


def _load(name: str) -> list[Concept]:
    items = list(read(STARTER_DIR / f"{name}.jsonl"))
    assert not [i for i in items if isinstance(i, Problem)]
    return items


@pytest.mark.parametrize("name", NAMES)
def test_starter_is_complete_and_bilingual(name: str) -> None:
    concepts = _load(name)
    assert len(concepts) >= 60
    for c in concepts:
        where = c.external_id
        assert c.external_id.startswith(name[:3] + "-"), where
        assert name in c.subject_fields, where
        for lang in ("en", "zh"):
            pref = [t for t in c.terms if t.lang == lang and t.type is TermType.PREFERRED]
            assert len(pref) == 1, (where, lang)
            assert len(c.definitions.get(lang, "")) >= 10, (where, lang)
        assert c.source.strip(), where
        assert c.status is Status.DRAFT, where
    ids = [c.external_id for c in concepts]
    assert len(ids) == len(set(ids))


def test_starter_names_match_files() -> None:
    assert sorted(NAMES) == starter_names()


def test_ids_unique_across_starters() -> None:
    ids = [c.external_id for name in NAMES for c in _load(name)]
    assert len(ids) == len(set(ids))


def _by_id(name: str, ext: str) -> Concept:
    return next(c for c in _load(name) if c.external_id == ext)


def test_atrial_fibrillation() -> None:
    af = _by_id("medicine", "med-atrial-fibrillation")
    terms = {(t.lang, t.text): t for t in af.terms}
    assert terms[("zh", "心房颤动")].type is TermType.PREFERRED
    assert terms[("zh", "房颤")].type is TermType.SYNONYM
    assert terms[("en", "atrial fibrillation")].type is TermType.PREFERRED
    ab = terms[("en", "AF")]
    assert ab.type is TermType.ABBREVIATION and ab.case_sensitive


def test_ckd_epi_says_what_it_estimates() -> None:
    c = _by_id("medicine", "med-ckd-epi")
    d = c.definitions["en"].lower()
    assert "glomerular filtration rate" in d and "creatinine" in d and "age" in d and "sex" in d
    assert any(t.text == "CKD-EPI" and t.case_sensitive for t in c.terms)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("medicine", "HbA1c"), ("medicine", "eGFR"), ("law", "tort"), ("law", "侵权"), ("law", "force majeure"),
        ("law", "不可抗力"), ("law", "estoppel"), ("law", "habeas corpus"), ("finance", "EBITDA"),
        ("finance", "市盈率"), ("finance", "P/E"), ("finance", "basis point"),
    ],
)
def test_expected_terms_present(name: str, text: str) -> None:
    assert any(t.text == text for c in _load(name) for t in c.terms)


def test_some_surface_forms_are_deliberately_ambiguous_across_domains() -> None:
    forms = {name: {t.text.lower() for c in _load(name) for t in c.terms} for name in NAMES}
    assert "discharge" in forms["medicine"] & forms["law"]
    assert "settlement" in forms["law"] & forms["finance"]
    assert "cell" in forms["medicine"] & forms["law"]
