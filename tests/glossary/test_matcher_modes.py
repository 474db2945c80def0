"""Match modes, one decision each: what inflected and exact find, abbreviations, Chinese variants."""

from __future__ import annotations

import pytest

from glossary.matcher import Matcher
from glossary.model import Concept, MatchMode, Term, TermType


def found(terms: list[Term], text: str) -> list[str]:
    return [h.text for h in Matcher([Concept(id=1, terms=terms)]).detect(text)]


@pytest.mark.parametrize(("text", "hits"), [
    ("AF, AFs and AF's", ["AF", "AFs", "AF"]),
    ("AFS and AFTER and afs", []),
])
def test_an_abbreviation_finds_its_lower_case_s_plural_only(text, hits):
    assert found([Term("AF", type=TermType.ABBREVIATION, case_sensitive=True)], text) == hits


def test_a_term_set_to_exact_finds_only_itself():
    cell = Term("cell", match_mode=MatchMode.EXACT)
    assert found([cell], "cell, cells, cell's") == ["cell", "cell"]  # the possessive's word, not "cell's"
    af = Term("AF", type=TermType.ABBREVIATION, case_sensitive=True, match_mode=MatchMode.EXACT)
    assert found([af], "AF and AFs") == ["AF"]
    crp = Term("C-reactive protein", match_mode=MatchMode.EXACT)
    assert found([crp], "C reactive protein, C-reactive protein") == ["C-reactive protein"]


def test_inflected_variants_and_the_head_of_an_of_phrase():
    assert found([Term("COVID-19")], "covid 19 and COVID–19") == ["covid 19", "COVID–19"]
    assert found([Term("statute of limitations")], "Statutes of limitations and statute of limitation") == [
        "Statutes of limitations"]
    assert found([Term("force majeure")], "force majeures, force-majeure's") == ["force majeures", "force-majeure's"]


def test_case_sensitive_abbreviation_is_not_the_pronoun():
    assert found([Term("IT", type=TermType.ABBREVIATION, case_sensitive=True)], "it is IT, Its, it's") == ["IT"]


@pytest.mark.parametrize(("term", "text", "hit"), [
    ("心房颤动", "患者心房顫動", "心房顫動"),  # simplified term, traditional question
    ("心房顫動", "患者心房颤动", "心房颤动"),  # traditional term, simplified question
    ("有限责任公司", "這家有限責任公司", "有限責任公司"),
])
def test_chinese_variants_meet_and_spans_point_at_the_original(term, text, hit):
    (h,) = Matcher([Concept(id=1, terms=[Term(term, "zh")])]).detect(text)
    assert h.text == hit and text[h.start:h.end] == hit


def test_a_hit_says_which_form_it_matched():
    (h,) = Matcher([Concept(id=1, terms=[Term("atrial fibrillation")])]).detect("Two atrial fibrillations")
    assert (h.matched, h.term.text, h.inflected) == ("atrial fibrillations", "atrial fibrillation", True)
    (h,) = Matcher([Concept(id=1, terms=[Term("atrial fibrillation")])]).detect("Atrial Fibrillation")
    assert not h.inflected


def test_a_term_that_is_itself_a_form_of_another_lemma_finds_its_plural():
    # The lemmatiser reads "bare" as a form of "bear", and "bares" as a form of "bare".
    assert found([Term("bare")], "two bares, bear") == ["bares"]
    assert found([Term("cell")], "cellar, cellular, cells") == ["cells"]
