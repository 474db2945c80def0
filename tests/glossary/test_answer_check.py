"""Term QA of an answer: terms used, non-preferred and forbidden ones, concepts never named."""

from __future__ import annotations

from glossary.answer_check import FORBIDDEN, MISSING, NON_PREFERRED, check_answer
from glossary.matcher import Matcher
from glossary.model import Concept, Term, TermStatus, TermType


def glossary() -> Matcher:
    return Matcher([
        Concept(id=1, terms=[Term("atrial fibrillation"), Term("auricular fibrillation", type=TermType.DEPRECATED),
                             Term("AF", type=TermType.ABBREVIATION, case_sensitive=True),
                             Term("心房颤动", "zh"), Term("心房纤颤", "zh", TermType.SYNONYM, status=TermStatus.SUPERSEDED)]),
        Concept(id=2, terms=[Term("myocardial infarction"), Term("heart attack", type=TermType.SYNONYM,
                                                                  status=TermStatus.FORBIDDEN)]),
        Concept(id=3, terms=[Term("anticoagulant")]),
    ])


def test_a_deprecated_term_in_the_answer_is_reported_with_the_preferred_term():
    m = glossary()
    q = m.detect("Which anticoagulant for atrial fibrillation?")
    answer = "For auricular fibrillations an anticoagulant such as apixaban is usual."
    check = check_answer(m, q, answer)
    assert [(t.text, t.status, t.preferred) for t in check.answer_terms] == [
        ("auricular fibrillations", "deprecated", "atrial fibrillation"), ("anticoagulant", "preferred", "anticoagulant")]
    (issue,) = check.issues
    assert (issue.kind, issue.text, issue.preferred) == (NON_PREFERRED, "auricular fibrillations", "atrial fibrillation")
    assert answer[issue.start:issue.end] == "auricular fibrillations"
    assert 'Use "atrial fibrillation" instead of "auricular fibrillations"' in check.reask_instruction()


def test_forbidden_and_missing_terms():
    m = glossary()
    q = m.detect("Is AF a risk after a myocardial infarction? Which anticoagulant?")
    check = check_answer(m, q, "Yes: after a heart attack the risk rises.")
    kinds = [(i.kind, i.text, i.preferred) for i in check.issues]
    assert kinds == [(FORBIDDEN, "heart attack", "myocardial infarction"), (MISSING, "AF", "atrial fibrillation"),
                     (MISSING, "anticoagulant", "anticoagulant")]
    text = check.reask_instruction()
    assert 'Never use "heart attack"' in text and 'Name "atrial fibrillation"' in text
    assert check.to_json()["term_issues"][0]["kind"] == "forbidden"


def test_a_concept_named_by_another_term_or_language_is_not_missing():
    m = glossary()
    q = m.detect("What is atrial fibrillation?")
    assert check_answer(m, q, "AF is an irregular rhythm.").issues == []
    assert check_answer(m, q, "心房颤动是一种心律失常。").issues == []
    check = check_answer(m, q, "心房纖顫是一种心律失常。")  # superseded, written in traditional characters
    assert [(i.kind, i.preferred) for i in check.issues] == [(NON_PREFERRED, "心房颤动")]
    assert check.reask_instruction().startswith("请重新回答")


def test_an_excluded_concept_and_a_clean_answer_give_no_issue():
    m = glossary()
    q = m.detect("anticoagulant after myocardial infarction")
    assert check_answer(m, q, "An anticoagulant is given.", excluded=[2]).issues == []
    check = check_answer(m, q, "")
    assert [i.kind for i in check.issues] == [MISSING, MISSING] and check.answer_terms == []
    assert check_answer(m, [], "Nothing here.").reask_instruction() == ""
