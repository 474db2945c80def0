"""L2 items from the glossary: two or more concepts per question, the right answer findable only by
knowing them all, reproducible, and reviewed before they count."""

from __future__ import annotations

from collections import Counter

from desktop.engine.evaluate.request import starter_concepts
from glossary.l2items import make_l2_items
from glossary.testset import assign_splits, parse_lines


def test_items_compare_and_choose_between_concepts_in_both_languages():
    concepts = starter_concepts()
    items = make_l2_items(concepts, seed=0)
    kinds = Counter((it.lang, it.note.split(":")[0]) for it in items)
    assert {("en", "compare"), ("en", "which"), ("zh", "compare"), ("zh", "which")} <= set(kinds)
    assert all(it.level == "L2" and len(it.concept_ids) >= 2 and it.status == "pending" for it in items)
    assert len({it.id for it in items}) == len(items)
    assert any(it.note == "compare: linked concepts" for it in items)  # cross-references are used


def test_a_compare_item_has_the_right_pairing_and_the_swapped_one_as_options():
    by_id = {c.id: c for c in starter_concepts()}
    item = next(it for it in make_l2_items(by_id.values(), seed=1, langs=("en",)) if it.note.startswith("compare"))
    a, b = (by_id[i] for i in item.concept_ids)
    right = item.choices[item.answer]
    assert right.startswith(a.label("en") + " is ") and f"; {b.label('en')} is " in right
    first_a = a.definitions["en"].split()[1]
    assert first_a in right.split(";")[0]  # A is paired with its own definition
    assert len(set(item.choices)) == 4


def test_a_which_item_names_every_option_in_its_question():
    items = [it for it in make_l2_items(starter_concepts(), seed=0) if it.note.startswith("which")]
    assert items and all(all(ch in it.question for ch in it.choices) for it in items)
    assert all(len(it.concept_ids) == 4 for it in items)


def test_same_seed_same_items_and_one_split_stays_in_its_split():
    concepts = starter_concepts()
    train = concepts[::2]
    a = make_l2_items(train, seed=5, n=30)
    assert [it.to_dict() for it in a] == [it.to_dict() for it in make_l2_items(train, seed=5, n=30)]
    assign_splits(a, {c.id for c in train})
    assert {it.split for it in a} == {"seen"}


def test_a_rejected_item_is_kept_in_the_file_but_not_scored_and_a_bad_status_is_one_sentence():
    import json

    import pytest

    from glossary.testset import TestSetError

    item = make_l2_items(starter_concepts(), seed=0, n=2)
    lines = [json.dumps({**item[0].to_dict(), "status": "rejected"}), json.dumps(item[1].to_dict())]
    assert [it.id for it in parse_lines(lines)] == [item[1].id]
    with pytest.raises(TestSetError, match="line 1: 'status' must be one of"):
        parse_lines([json.dumps({**item[0].to_dict(), "status": "maybe"})])
