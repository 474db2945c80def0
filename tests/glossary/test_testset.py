"""Test sets: the JSONL format and its errors, L1 items made from concepts, seen/held-out splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glossary.model import Concept, Term, TermType
from glossary.testset import (
    HELD_OUT,
    NO_CONCEPTS,
    PARTIAL,
    SEEN,
    TestSetError,
    assign_splits,
    make_l1_items,
    parse_lines,
    read_testset,
    resolve_concepts,
    write_testset,
)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"

MC = {"id": "q1", "subject_field": "law", "lang": "en", "level": "L1", "question": "What is a tort?",
      "choices": ["a civil wrong", "a crime"], "answer": "A"}
FREE = {"id": "q2", "subject_field": "law", "lang": "zh", "level": "L2", "question": "什么是侵权？",
        "reference": "侵害他人民事权益的行为。", "key_points": ["民事权益"], "concepts": ["law-tort"]}


def _lines(*objs: dict) -> list[str]:
    return [json.dumps(o, ensure_ascii=False) for o in objs]


def test_reads_multiple_choice_and_free_text():
    items = parse_lines(["# a comment", "", *_lines(MC, {**FREE}, {**MC, "id": "q3", "answer": 1})])
    assert [i.kind for i in items] == ["mc", "free", "mc"]
    assert items[0].answer == 0 and items[2].answer == 1
    assert items[1].key_points == ["民事权益"] and items[1].concepts == ["law-tort"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lang": "fr"}, "'lang' must be one of"),
        ({"level": "L3"}, "'level' must be L1 or L2"),
        ({"answer": "E"}, "'answer'"),
        ({"answer": 5}, "does not name one of the 2 choices"),
        ({"choices": ["same", "same"]}, "two of the 'choices' are the same"),
        ({"choices": ["only one"]}, "at least two"),
        ({"question": "  "}, "'question' is missing or empty"),
        ({"reference": "x", "key_points": ["y"]}, "either 'choices' and 'answer'"),
        ({"concept_ids": ["7"]}, "'concept_ids' must be a list of whole numbers"),
    ],
)
def test_bad_items_name_the_line_and_why(change, message):
    with pytest.raises(TestSetError, match=message) as err:
        parse_lines(["", *_lines({**MC, **change})], source="set.jsonl")
    assert str(err.value).startswith("set.jsonl, line 2:")


def test_bad_json_duplicate_ids_and_missing_files(tmp_path):
    with pytest.raises(TestSetError, match=r"line 1: not valid JSON"):
        parse_lines(['{"id": '])
    with pytest.raises(TestSetError, match=r"line 2: the id 'q1' was already used on line 1"):
        parse_lines(_lines(MC, MC))
    with pytest.raises(TestSetError, match="does not exist"):
        read_testset(tmp_path / "nope.jsonl")
    with pytest.raises(TestSetError, match="no test items"):
        parse_lines(["# nothing"])


def test_write_and_read_back(tmp_path):
    items = parse_lines(_lines(MC, FREE))
    write_testset(items, tmp_path / "t.jsonl")
    again = read_testset(tmp_path / "t.jsonl")
    assert [i.to_dict() for i in again] == [i.to_dict() for i in items]


def _concepts() -> list[Concept]:
    def c(i, field, en, zh, definition_en, definition_zh, abbr=None, ext=""):
        terms = [Term(en), Term(zh, lang="zh")]
        if abbr:
            terms.append(Term(abbr, type=TermType.ABBREVIATION))
        return Concept(id=i, terms=terms, subject_fields=[field], external_id=ext,
                       definitions={"en": definition_en, "zh": definition_zh})

    return [
        c(1, "medicine", "atrial fibrillation", "心房颤动", "An irregular heart rhythm.", "一种心律失常。", "AF", "med-af"),
        c(2, "medicine", "heart failure", "心力衰竭", "The heart cannot pump enough.", "心脏泵血不足。", "HF"),
        c(3, "medicine", "stroke", "脑卒中", "Brain injury from blocked or burst vessels.", "脑血管阻塞或破裂导致的脑损伤。"),
        c(4, "medicine", "sepsis", "脓毒症", "Organ dysfunction from infection.", "感染引起的器官功能障碍。"),
        c(5, "law", "tort", "侵权", "A civil wrong.", "侵害民事权益的行为。", ext="law-tort"),
        c(6, "law", "contract", "合同", "An enforceable agreement.", "具有法律约束力的协议。"),
        c(7, "finance", "earnings per share", "每股收益", "Profit per share.", "每股利润。", "EPS"),
        c(8, "finance", "dividend", "股利", "A distribution of profits.", "利润分配。"),
    ]


def test_l1_items_from_concepts_are_right_and_reproducible():
    concepts = _concepts()
    items = make_l1_items(concepts, seed=3)
    again = make_l1_items(concepts, seed=3)
    assert [i.to_dict() for i in items] == [i.to_dict() for i in again]
    assert make_l1_items(concepts, seed=4) != items  # another seed shuffles differently

    by_id = {i.id: i for i in items}
    d = by_id["gen-en-def-1"]
    assert d.question == "What is the definition of “atrial fibrillation”?"
    assert d.choices[d.answer] == "An irregular heart rhythm."
    assert len(d.choices) == 4 and len(set(d.choices)) == 4
    medicine = {c.definitions["en"] for c in concepts if "medicine" in c.subject_fields}
    others = [x for x in d.choices if x != "An irregular heart rhythm."]
    assert sum(x in medicine for x in others) == 2  # two hard distractors from the same field, one easy
    a = by_id["gen-en-abb-1"]
    assert a.question == "What does the abbreviation “AF” stand for?"
    assert a.choices[a.answer] == "atrial fibrillation"
    z = by_id["gen-zh-def-5"]
    assert z.question == "“侵权”的定义是什么？" and z.choices[z.answer] == "侵害民事权益的行为。"
    assert z.concepts == ["law-tort"] and z.concept_ids == [5]
    assert {i.level for i in items} == {"L1"} and {i.lang for i in items} == {"en", "zh"}
    # the key is not always in the same place
    assert len({i.answer for i in items}) > 1


def test_sampled_items_and_splits():
    items = make_l1_items(_concepts(), n=5, seed=0, trained_concept_ids=[1, 2, 3])
    assert len(items) == 5
    for it in items:
        assert it.split == (SEEN if it.concept_ids[0] in {1, 2, 3} else HELD_OUT)


def test_split_marks_seen_held_out_and_partial():
    items = parse_lines(_lines(
        {**MC, "id": "a", "concept_ids": [1]}, {**MC, "id": "b", "concept_ids": [2]},
        {**MC, "id": "c", "concept_ids": [1, 2]}, {**MC, "id": "d"},
    ))
    assign_splits(items, {1})
    assert [i.split for i in items] == [SEEN, HELD_OUT, PARTIAL, NO_CONCEPTS]


def test_references_resolve_by_external_id_then_term():
    items = parse_lines(_lines({**MC, "concepts": ["med-af", "Heart Failure", "EPS", "unknown thing"]}))
    missing = resolve_concepts(items, _concepts())
    assert items[0].concept_ids == [1, 2, 7]
    assert missing == ["q1: unknown thing"]


def test_the_shipped_test_sets_read_and_resolve_against_the_starter_glossaries():
    from glossary import formats

    concepts = []
    for i, path in enumerate(sorted((RESOURCES / "glossaries").glob("*.jsonl"))):
        for j, c in enumerate(formats.read(path, "jsonl")):
            c.id = i * 10_000 + j
            concepts.append(c)
    sample = read_testset(RESOURCES / "testsets" / "sample.jsonl")
    assert 30 <= len(sample) <= 60  # small enough to run on a laptop CPU in minutes
    assert {i.subject_field for i in sample} == {"medicine", "law", "finance"}
    assert {i.level for i in sample} == {"L1", "L2"} and {i.lang for i in sample} == {"en", "zh"}
    assert 0 < sum(i.kind == "free" for i in sample) < len(sample) / 5
    assert all(len(i.concepts) >= 2 for i in sample if i.level == "L2")
    assert resolve_concepts(sample, concepts) == []
    general = read_testset(RESOURCES / "testsets" / "general.jsonl")
    assert len(general) >= 45 and {i.subject_field for i in general} == {"general"}
    assert {i.lang for i in general} == {"en", "zh"}
    assert not {i.id for i in sample} & {i.id for i in general}
