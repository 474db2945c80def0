"""The glossary block for the system prompt: language, order, budget."""

from __future__ import annotations

from glossary.inject import build, oracle_block, system_prompt
from glossary.matcher import Matcher
from glossary.model import Concept, Status, Term, TermType


def words(text: str) -> int:
    """A stand-in tokenizer: one token per word or CJK character."""
    return sum(len(w) if not w.isascii() else 1 for w in text.split())


CONCEPTS = [
    Concept(
        id=1,
        terms=[Term("atrial fibrillation"), Term("AF", type=TermType.ABBREVIATION, case_sensitive=True), Term("心房颤动", "zh")],
        definitions={"en": "An irregular heart rhythm.", "zh": "一种心律失常。"},
        source="ESC 2020",
        status=Status.APPROVED,
    ),
    Concept(id=2, terms=[Term("warfarin"), Term("华法林", "zh")], definitions={"en": "An oral anticoagulant."}),
    Concept(
        id=3,
        terms=[Term("heart failure"), Term("cardiac failure", type=TermType.SYNONYM), Term("心力衰竭", "zh"), Term("心衰", "zh", TermType.SYNONYM)],
        definitions={"en": "The heart cannot pump enough blood for the body's needs, a long definition.", "zh": "心脏泵血不足以满足身体需要。"},
    ),
]
M = Matcher(CONCEPTS)


def test_english_block_in_order_of_first_occurrence_one_entry_per_concept():
    q = "Should a patient with cardiac failure and AF take warfarin? AF again."
    block = build(M.detect(q), question=q, budget_tokens=1000, count_tokens=words)
    assert block.lang == "en" and block.included == [3, 1, 2] and block.dropped == []
    lines = block.text.splitlines()
    assert lines[0].startswith("Glossary for this question")
    assert lines[1].startswith('- heart failure (written "cardiac failure"): The heart cannot pump')
    assert lines[2] == '- atrial fibrillation (abbreviated "AF"): An irregular heart rhythm. (source: ESC 2020)'
    assert lines[3] == "- warfarin: An oral anticoagulant."
    assert len(lines) == 4


def test_chinese_template_for_a_chinese_question():
    q = "心衰合并心房颤动的患者能否服用华法林？"
    block = build(M.detect(q), question=q, budget_tokens=1000, count_tokens=words)
    assert block.lang == "zh" and block.included == [3, 1, 2]
    assert block.text.startswith("本问题涉及的术语")
    assert "- 心力衰竭（文中写作“心衰”）：心脏泵血不足以满足身体需要。" in block.text
    assert "- 心房颤动：一种心律失常。（来源：ESC 2020）" in block.text
    assert "- 华法林：An oral anticoagulant." in block.text  # falls back to English


def test_budget_drops_lowest_priority_first_and_reports_it():
    q = "cardiac failure, AF and warfarin"
    hits = M.detect(q)
    full = build(hits, question=q, budget_tokens=10_000, count_tokens=words)
    tight = build(hits, question=q, budget_tokens=words(full.text) - 1, count_tokens=words)
    # heart failure is a draft matched by a synonym: the lowest priority.
    assert tight.dropped == [3] and tight.included == [1, 2]
    assert words(tight.text) <= words(full.text) - 1
    only_header = build(hits, question=q, budget_tokens=5, count_tokens=words)
    assert only_header.text == "" and only_header.included == [] and only_header.dropped == [3, 1, 2]


def test_exact_preferred_match_beats_synonym_among_drafts():
    q = "heart failure and warfarin"
    hits = M.detect(q)
    full = build(hits, question=q, budget_tokens=10_000, count_tokens=words)
    tight = build(hits, question=q, budget_tokens=words(full.text) - 1, count_tokens=words)
    # Both drafts matched by their preferred terms: the later one goes, but a short
    # entry still fits where the long one did not.
    assert tight.included in ([2], [3]) and len(tight.dropped) == 1


def test_no_hits_no_block_and_system_prompt():
    block = build([], question="hello", budget_tokens=100, count_tokens=words)
    assert block.text == "" and system_prompt("You are helpful.", block) == "You are helpful."
    q = "AF?"
    block = build(M.detect(q), question=q, budget_tokens=100, count_tokens=words)
    prompt = system_prompt("You are helpful.\n", block)
    assert prompt.startswith("You are helpful.\n\nGlossary") and "An irregular heart rhythm." in prompt


def test_oracle_block_matches_detected_block_for_preferred_terms():
    q = "atrial fibrillation and warfarin"
    detected = build(M.detect(q), question=q, budget_tokens=1000, count_tokens=words)
    oracle = oracle_block([CONCEPTS[0], CONCEPTS[1]], question=q)
    assert oracle.text == detected.text and oracle.included == [1, 2]
    zh = oracle_block(CONCEPTS, lang="zh", budget_tokens=1000, count_tokens=words)
    assert zh.text.splitlines()[1] == "- 心房颤动：一种心律失常。（来源：ESC 2020）"


def test_a_picked_alternative_is_rendered_with_its_own_terms():
    hit = M.detect("warfarin")[0]
    hit.concept_id, hit.concept = 3, CONCEPTS[2]  # the person picked another concept
    block = build([hit], question="warfarin", budget_tokens=1000, count_tokens=words)
    assert block.included == [3] and 'heart failure (written "warfarin")' in block.text


def test_an_abbreviation_is_named_once_not_explained_by_the_term_before_it():
    ckd = Concept(id=9, terms=[Term("CKD-EPI equation"), Term("CKD-EPI", type=TermType.ABBREVIATION, case_sensitive=True)],
                  definitions={"en": "Estimates glomerular filtration rate from serum creatinine."})
    q = "Use CKD-EPI for the eGFR."
    block = build(Matcher([ckd]).detect(q), question=q, budget_tokens=1000, count_tokens=words)
    assert block.text.splitlines()[1] == ('- CKD-EPI equation (abbreviated "CKD-EPI"): '
                                          "Estimates glomerular filtration rate from serum creatinine.")
    assert "stands for CKD-EPI equation" not in block.text
    zh = build(Matcher(CONCEPTS).detect("AF患者"), question="AF患者能否服用华法林？", budget_tokens=1000, count_tokens=words)
    assert "- 心房颤动（缩写为“AF”）：一种心律失常。" in zh.text
