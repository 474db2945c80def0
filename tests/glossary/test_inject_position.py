"""Where the definitions go: the system prompt, inline after the term's first mention, or both."""

from __future__ import annotations

import pytest

from desktop.engine.evaluate.request import starter_concepts
from desktop.prompting import prepare_turn
from glossary import inject
from glossary.matcher import Matcher

Q = "Is AF with a high CHA2DS2-VASc score a reason for anticoagulation? AF again."


@pytest.fixture(scope="module")
def matcher():
    return Matcher(starter_concepts())


def test_system_puts_the_block_into_the_system_prompt_and_leaves_the_question(matcher):
    t = prepare_turn(Q, matcher=matcher, base_system="Base.", position="system")
    assert "supraventricular arrhythmia" in t.messages[0]["content"]
    assert t.messages[-1]["content"] == Q


def test_inline_annotates_the_first_mention_only_and_keeps_the_system_prompt_plain(matcher):
    t = prepare_turn(Q, matcher=matcher, base_system="Base.", position="inline")
    asked = t.messages[-1]["content"]
    assert t.messages[0]["content"] == "Base."
    assert asked.startswith("Is AF [atrial fibrillation: A supraventricular arrhythmia")
    assert "CHA2DS2-VASc score [" in asked  # the preferred term as written: no name repeated
    assert asked.endswith("AF again.") and asked.count("[atrial fibrillation:") == 1
    assert t.question == Q  # what the person typed is kept as typed


def test_both_does_both_and_chinese_uses_chinese_brackets(matcher):
    t = prepare_turn(Q, matcher=matcher, base_system="Base.", position="both")
    assert "supraventricular" in t.messages[0]["content"] and "[atrial fibrillation:" in t.messages[-1]["content"]
    zh = prepare_turn("房颤患者需要抗凝吗？", matcher=matcher, base_system="", position="inline")
    assert zh.messages[-1]["content"].startswith("房颤【心房颤动：一种室上性心律失常")


def test_concepts_left_out_for_the_budget_are_not_inlined(matcher):
    t = prepare_turn(Q, matcher=matcher, base_system="", position="inline", budget_tokens=200)
    assert t.block.dropped  # one of the two did not fit
    asked = t.messages[-1]["content"]
    assert asked.count("[") == len(t.block.included) == 1


def test_an_unknown_position_is_refused(matcher):
    with pytest.raises(ValueError, match="injection position"):
        prepare_turn(Q, matcher=matcher, base_system="", position="footnote")


def test_the_oracle_finds_mentions_without_the_matcher():
    concepts = starter_concepts()
    af = next(c for c in concepts if c.external_id == "med-atrial-fibrillation")
    found = inject.mentions("Patients with afib and AF", [af])
    assert [(m.start, m.end) for m in found] == [(14, 18)]  # the first mention, whichever term
    block = inject.oracle_block([af], question="afib")
    assert inject.inline_question("Is afib dangerous?", found and inject.mentions("Is afib dangerous?", [af]),
                                  block).startswith("Is afib [atrial fibrillation: A supraventricular")
