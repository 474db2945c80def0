"""Training pairs made from the glossary: what a person reviewing them would see."""

from __future__ import annotations

import json

import pytest

from glossary import dataset
from glossary.errors import GlossaryImportError
from glossary.model import Concept, Term, TermType
from glossary.store import GlossaryStore


def _af() -> Concept:
    return Concept(
        id=1,
        terms=[Term("atrial fibrillation"), Term("AF", type=TermType.ABBREVIATION, case_sensitive=True),
               Term("auricular fibrillation", type=TermType.DEPRECATED),
               Term("心房颤动", "zh"), Term("房颤", "zh", TermType.SYNONYM)],
        definitions={"en": "An irregular, often rapid heart rhythm arising in the atria.",
                     "zh": "起源于心房的不规则、常为快速的心律。"},
        subject_fields=["cardiology"],
    )


def _egfr() -> Concept:
    return Concept(id=2, terms=[Term("estimated glomerular filtration rate"),
                                Term("eGFR", type=TermType.ABBREVIATION, case_sensitive=True)],
                   definitions={"en": "Kidney filtration estimated from serum creatinine with an equation."},
                   subject_fields=["nephrology"])


def _ckd_epi() -> Concept:
    return Concept(id=3, terms=[Term("CKD-EPI equation")], related=[2],
                   definitions={"en": "An equation that reports eGFR from creatinine, age and sex."},
                   subject_fields=["nephrology"])


def _by(pairs, **want):
    return [p for p in pairs if all(p.get(k) == v for k, v in want.items())]


def _q(p) -> str:
    return p["messages"][0]["content"]


def _a(p) -> str:
    return p["messages"][-1]["content"]


def test_pairs_are_chat_conversations_that_name_their_concept():
    pairs = dataset.build_pairs([_af(), _egfr()], seed=1, per_concept=4)
    assert pairs
    for p in pairs:
        assert [m["role"] for m in p["messages"]] == ["user", "assistant"]
        assert p["messages"][0]["content"].strip() and p["messages"][1]["content"].strip()
        assert p["concept_id"] in (1, 2) and p["status"] == "pending" and p["lang"] in ("en", "zh")
    assert {p["lang"] for p in _by(pairs, concept_id=1)} == {"en", "zh"}
    # several phrasings per concept and language, never the same question twice
    for lang in ("en", "zh"):
        questions = [_q(p) for p in _by(pairs, concept_id=1, lang=lang)]
        assert len(questions) == 4 and len(set(questions)) == 4


def test_the_kinds_a_term_allows():
    pairs = dataset.build_pairs([_af()], seed=0, per_concept=50, langs=("en",))
    kinds = {p["kind"] for p in pairs}
    assert {"definition", "abbreviation", "reverse", "synonym"} <= kinds
    abbr = _by(pairs, kind="abbreviation")
    assert any("AF" in _q(p) and "atrial fibrillation" in _a(p) for p in abbr)
    reverse = _by(pairs, kind="reverse")
    assert all("irregular, often rapid heart rhythm" in _q(p) and "atrial fibrillation" in _a(p) for p in reverse)
    definition = _by(pairs, kind="definition")
    assert all("irregular, often rapid heart rhythm" in _a(p) for p in definition)
    deprecated = [p for p in _by(pairs, kind="synonym") if "auricular fibrillation" in _q(p)]
    assert deprecated and "preferred term is atrial fibrillation" in _a(deprecated[0])


def test_chinese_pairs_use_the_chinese_terms_and_definition():
    pairs = dataset.build_pairs([_af()], seed=0, per_concept=50, langs=("zh",))
    assert any("心房颤动" in _q(p) and "起源于心房" in _a(p) for p in _by(pairs, kind="definition"))
    assert any(_q(p).startswith("AF") and "心房颤动" in _a(p) for p in _by(pairs, kind="abbreviation"))
    assert any("房颤" in _a(p) for p in _by(pairs, kind="synonym"))


def test_english_answers_start_with_a_capital_but_abbreviations_stay_as_written():
    pairs = dataset.build_pairs([_af(), _egfr()], seed=2, per_concept=50, langs=("en",))
    starts = {_a(p).split(" ", 1)[0] for p in pairs}
    assert "atrial" not in starts and "estimated" not in starts
    assert any(_a(p).startswith("eGFR") for p in pairs)


def test_the_same_seed_gives_the_same_pairs_and_a_new_concept_leaves_the_others_alone():
    a = dataset.build_pairs([_af(), _egfr()], seed=7)
    b = dataset.build_pairs([_af(), _egfr()], seed=7)
    c = dataset.build_pairs([_af(), _egfr()], seed=8)
    assert a == b
    assert [p["id"] for p in a] != [p["id"] for p in c]
    more = dataset.build_pairs([_af(), _egfr(), _ckd_epi()], seed=7)
    assert [p for p in more if p["concept_id"] in (1,)] == [p for p in a if p["concept_id"] in (1,)]


def test_terms_in_context_from_documents_in_both_languages():
    docs = ["The ECG on admission showed AF with a rapid ventricular response. 复查心电图仍提示房颤，心室率偏快。"]
    pairs = dataset.build_pairs([_af()], seed=0, per_concept=3, documents=docs)
    ctx = _by(pairs, kind="context")
    en = [p for p in ctx if p["lang"] == "en"]
    zh = [p for p in ctx if p["lang"] == "zh"]
    assert en and "The ECG on admission showed AF with a rapid ventricular response." in _q(en[0])
    assert "irregular, often rapid heart rhythm" in _a(en[0])
    assert zh and "复查心电图仍提示房颤" in _q(zh[0]) and "起源于心房" in _a(zh[0])


def test_a_word_inside_another_word_is_not_taken_for_the_term():
    pairs = dataset.build_pairs([_af()], seed=0, per_concept=50, documents=["AFTER the visit the patient went home."])
    assert not _by(pairs, kind="context")


def test_linked_concepts_give_context_and_related_pairs():
    pairs = dataset.build_pairs([_egfr(), _ckd_epi()], seed=0, per_concept=50, langs=("en",))
    ctx = _by(pairs, concept_id=2, kind="context")
    assert ctx and "An equation that reports eGFR from creatinine, age and sex." in _q(ctx[0])
    related = _by(pairs, kind="related")
    assert {p["concept_id"] for p in related} == {2, 3}  # a link counts both ways
    assert all("CKD-EPI equation" in _q(p) + _a(p) and "estimated glomerular filtration rate" in _q(p) + _a(p)
               for p in related)


def test_pairs_from_store_for_one_subject_field(tmp_path):
    with GlossaryStore(tmp_path / "g.db") as store:
        af, egfr, ckd = _af(), _egfr(), _ckd_epi()
        for c in (af, egfr):
            c.id = None
            store.add_concept(c)
        ckd.id, ckd.related = None, [egfr.id]
        store.add_concept(ckd)
        pairs = dataset.pairs_from_store(store, domain="nephrology", seed=0, per_concept=2)
        assert {p["concept_id"] for p in pairs} == {egfr.id, ckd.id}
        all_pairs = dataset.pairs_from_store(store, seed=0, per_concept=2)
        assert {p["concept_id"] for p in all_pairs} == {af.id, egfr.id, ckd.id}


def test_a_concept_without_definition_or_abbreviation_makes_no_pairs():
    bare = Concept(id=9, terms=[Term("consideration")])
    assert dataset.build_pairs([bare]) == []


def test_merge_keeps_the_review_and_drops_stale_pending_pairs():
    old = dataset.build_pairs([_af()], seed=1, per_concept=3, langs=("en",))
    old[0]["status"] = "accepted"
    old[1]["status"] = "rejected"
    old[2]["messages"][1]["content"] = "Edited by the reviewer."
    old[2]["edited"] = True
    fresh = dataset.build_pairs([_af()], seed=2, per_concept=3, langs=("en",))
    merged = dataset.merge(old, fresh)
    assert merged[:3] == old  # reviewed and edited pairs survive a rebuild unchanged
    assert {p["id"] for p in merged[3:]} == {p["id"] for p in fresh} - {p["id"] for p in old}
    again = dataset.merge(merged, fresh)
    assert len(again) == len(merged)  # nothing is added twice
    assert dataset.counts(merged) == {"pending": len(merged) - 2, "accepted": 1, "rejected": 1}


def test_jsonl_round_trip_and_a_bad_line_is_named(tmp_path):
    pairs = dataset.build_pairs([_af()], seed=1)
    path = tmp_path / "pairs.jsonl"
    assert dataset.write_jsonl(pairs, path) == len(pairs)
    assert dataset.read_jsonl(path) == pairs
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, json.dumps({"messages": [{"role": "user", "content": "only a question"}]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(GlossaryImportError) as err:
        dataset.read_jsonl(path)
    assert "line 3" in str(err.value)


def test_a_term_not_to_be_used_is_judged_by_its_status_not_its_type():
    from glossary.model import TermStatus

    c = Concept(id=1, terms=[Term("atrial fibrillation"),
                             Term("auricular fibrillation", type=TermType.SYNONYM, status=TermStatus.SUPERSEDED),
                             Term("A-fib", type=TermType.SYNONYM, status=TermStatus.FORBIDDEN),
                             Term("AFib", type=TermType.DEPRECATED, status=TermStatus.ADMITTED)],
                definitions={"en": "An irregular, often rapid heart rhythm arising in the atria."})
    pairs = dataset.build_pairs([c], seed=0, per_concept=50, langs=("en",))
    answers = [_a(p) for p in pairs]
    # a superseded or forbidden synonym (a TBX status) is never offered as another name ...
    others = [a for p, a in zip(pairs, answers) if p["kind"] == "synonym" and "another name" in _q(p)]
    assert others and all("auricular" not in a and "A-fib" not in a for a in others)
    assert any("AFib" in a for a in others)  # typed deprecated but admitted by its status: a usable name
    # ... and is taught as what it is, pointing to the preferred term
    told = {_q(p): _a(p) for p in pairs if p["kind"] == "synonym" and "Should I write" in _q(p)}
    assert told["Should I write “auricular fibrillation”?"].startswith(
        "“auricular fibrillation” is superseded; the preferred term is atrial fibrillation.")
    assert told["Should I write “A-fib”?"].startswith("“A-fib” is not to be used; the preferred term is")
    assert "Should I write “AFib”?" not in told


def test_a_forbidden_preferred_typed_term_is_not_the_concepts_name():
    from glossary.model import TermStatus

    c = Concept(id=1, terms=[Term("mongolism", status=TermStatus.FORBIDDEN), Term("Down syndrome", type=TermType.SYNONYM)],
                definitions={"en": "A genetic condition caused by an extra chromosome 21."})
    pairs = dataset.build_pairs([c], seed=0, per_concept=50, langs=("en",))
    definition = [p for p in pairs if p["kind"] == "definition"]
    assert definition and all("Down syndrome" in _q(p) and "mongolism" not in _q(p) for p in definition)
