"""The injected block's related concepts (for L2) and the written forms not to be used."""

from __future__ import annotations

from glossary.inject import build, inline_question, oracle_block, related_concepts
from glossary.matcher import Matcher
from glossary.model import Concept, Status, Term, TermStatus, TermType


def words(text: str) -> int:
    return sum(len(w) if not w.isascii() else 1 for w in text.split())


AF = Concept(id=1, terms=[Term("atrial fibrillation"), Term("AF", type=TermType.ABBREVIATION, case_sensitive=True),
                          Term("auricular fibrillation", type=TermType.SYNONYM, status=TermStatus.SUPERSEDED),
                          Term("A-fib", type=TermType.SYNONYM, status=TermStatus.FORBIDDEN),
                          Term("AFib", type=TermType.DEPRECATED, status=TermStatus.ADMITTED)],
             definitions={"en": "An irregular heart rhythm of the atria that raises the risk of stroke."},
             subject_fields=["cardiology"], related=[2], status=Status.APPROVED)
ANTICOAG = Concept(id=2, terms=[Term("anticoagulation")], subject_fields=["cardiology"],
                   definitions={"en": "Treatment that lowers the blood's ability to clot."})
STROKE = Concept(id=3, terms=[Term("stroke")], subject_fields=["neurology"],
                 definitions={"en": "Loss of brain function from a blocked or bleeding artery."})
FLUTTER = Concept(id=4, terms=[Term("atrial flutter")], subject_fields=["cardiology"],
                  definitions={"en": "A regular rapid heart rhythm of the atria from a circuit."})
EGFR = Concept(id=5, terms=[Term("eGFR", type=TermType.ABBREVIATION)], subject_fields=["nephrology"],
               definitions={"en": "Kidney filtration estimated from creatinine."})
POOL = [AF, ANTICOAG, STROKE, FLUTTER, EGFR]
M = Matcher(POOL)


def test_cross_reference_then_a_concept_the_definition_names_then_the_same_field():
    assert [c.id for c in related_concepts([AF], POOL, limit=3)] == [2, 3, 4]
    assert [c.id for c in related_concepts([AF], POOL, limit=1)] == [2]
    assert related_concepts([AF], POOL, limit=0) == []
    assert 5 not in {c.id for c in related_concepts([AF], POOL, limit=10)}  # another field, not linked


def test_related_concepts_follow_the_named_ones_under_their_own_heading():
    q = "Is AF a reason to treat?"
    plain = build(M.detect(q), question=q, budget_tokens=1000, count_tokens=words)
    block = build(M.detect(q), question=q, budget_tokens=1000, count_tokens=words, related=2, pool=POOL)
    assert plain.included == [1] and plain.related == [] and "Related concepts" not in plain.text
    assert block.included == [1, 2, 3] and block.related == [2, 3]
    lines = block.text.splitlines()
    assert lines[1].startswith("- atrial fibrillation")
    assert lines[2].startswith("Related concepts from the same glossary")
    assert lines[3] == "- anticoagulation: Treatment that lowers the blood's ability to clot."
    assert lines[4].startswith("- stroke: Loss of brain function")
    assert block.related_text == "\n".join(lines[2:])
    # inline, only the named concept is written into the question
    assert inline_question(q, M.detect(q), block) == \
        "Is AF [atrial fibrillation: An irregular heart rhythm of the atria that raises the risk of stroke.] a reason to treat?"


def test_the_budget_drops_related_concepts_before_any_named_one():
    q = "AF and atrial flutter"
    named = build(M.detect(q), question=q, budget_tokens=1000, count_tokens=words)
    tight = build(M.detect(q), question=q, budget_tokens=words(named.text) + 3, count_tokens=words,
                  related=3, pool=POOL)
    assert tight.included == [1, 4] and tight.related == [] and 2 in tight.dropped
    none = build(M.detect(q), question=q, budget_tokens=words(named.text) - 20, count_tokens=words,
                 related=3, pool=POOL)
    assert 2 not in none.included and 3 not in none.included  # never related concepts without a named one


def test_oracle_block_takes_related_concepts_too():
    block = oracle_block([AF], question="x", related=1, pool=POOL)
    assert block.included == [1, 2] and block.related == [2]


def test_a_written_form_not_to_be_used_is_judged_by_its_status():
    for written, note in (("auricular fibrillation", "a superseded term"), ("A-fib", "a term not to be used")):
        q = f"Is {written} dangerous?"
        text = build(M.detect(q), question=q, budget_tokens=1000, count_tokens=words).text
        assert f'- atrial fibrillation (written "{written}", {note}):' in text, text
    q = "Is AFib dangerous?"  # typed deprecated, but its status admits it
    text = build(M.detect(q), question=q, budget_tokens=1000, count_tokens=words).text
    assert '- atrial fibrillation (written "AFib"):' in text


def test_a_chinese_form_not_to_be_used_says_so_in_chinese():
    c = Concept(id=9, terms=[Term("心房颤动", "zh"), Term("心房纤颤", "zh", TermType.SYNONYM, status=TermStatus.FORBIDDEN)],
                definitions={"zh": "一种心律失常。"})
    q = "心房纤颤危险吗？"
    text = build(Matcher([c]).detect(q), question=q, budget_tokens=1000, count_tokens=words).text
    assert "- 心房颤动（文中写作“心房纤颤”，该写法禁止使用）：一种心律失常。" in text


def test_a_turn_of_the_chat_gives_related_concepts_in_the_system_prompt_in_every_position():
    from desktop.prompting import prepare_turn

    for position in ("system", "inline", "both"):
        turn = prepare_turn("Is AF a reason to treat?", matcher=M, base_system="Be precise.", count_tokens=words,
                            position=position, related=1, pool=POOL)
        system, asked = turn.messages[0]["content"], turn.messages[-1]["content"]
        assert "- anticoagulation: Treatment that lowers" in system and "anticoagulation" not in asked
        assert ("[atrial fibrillation:" in asked) == (position != "system")
        assert ("- atrial fibrillation" in system) == (position != "inline")
    plain = prepare_turn("Is AF a reason to treat?", matcher=M, base_system="Be precise.", count_tokens=words)
    assert "anticoagulation" not in plain.messages[0]["content"]  # off unless asked for
