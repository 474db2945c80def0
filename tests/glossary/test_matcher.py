"""Term detection: boundaries, leftmost-longest, normalisation, ambiguity, edits."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from glossary.matcher import Matcher
from glossary.model import Concept, Status, Term, TermType
from glossary.normalize import is_word_char, normalize, normalize_exact
from glossary.store import GlossaryStore


def concepts() -> list[Concept]:
    return [
        Concept(
            id=1,
            terms=[
                Term("心房颤动", "zh"),
                Term("房颤", "zh", TermType.SYNONYM),
                Term("atrial fibrillation"),
                Term("AF", type=TermType.ABBREVIATION, case_sensitive=True),
                Term("auricular fibrillation", type=TermType.DEPRECATED),
            ],
            definitions={"en": "An irregular heart rhythm; the atria quiver.", "zh": "心房不规则颤动的心律失常。"},
            subject_fields=["cardiology"],
        ),
        Concept(id=2, terms=[Term("cell")], definitions={"en": "Basic unit of living organisms."}),
        Concept(
            id=3,
            terms=[Term("AF", type=TermType.ABBREVIATION, case_sensitive=True), Term("Air Force")],
            definitions={"en": "The military aviation branch that flies aircraft with pilots."},
            subject_fields=["military"],
        ),
        Concept(id=4, terms=[Term("cellular phone")]),
        Concept(id=5, terms=[Term("CT")], definitions={"en": "Computed tomography scan imaging."}, subject_fields=["radiology"]),
        Concept(id=6, terms=[Term("CT")], definitions={"en": "Court judgment filing law."}, subject_fields=["law"]),
    ]


def spans(m: Matcher, text: str) -> list[tuple[str, int]]:
    return [(h.text, h.concept_id) for h in m.detect(text)]


def test_latin_terms_need_word_boundaries():
    m = Matcher(concepts())
    assert spans(m, "AFTER lunch") == []
    assert spans(m, "cellular membrane; a cell-wall") == [("cell", 2)]
    assert [h.concept_id for h in m.detect("New AF, (AF).")] == [1, 1]


def test_cjk_terms_match_inside_text_and_longest_wins():
    m = Matcher(concepts())
    hits = m.detect("患者有心房颤动病史，房颤复发")
    assert [(h.start, h.end, h.text) for h in hits] == [(3, 7, "心房颤动"), (10, 12, "房颤")]
    assert spans(m, "AF房颤") == [("AF", 1), ("房颤", 1)]


def test_shorter_valid_candidate_wins_when_longer_one_breaks_a_boundary():
    m = Matcher([Concept(id=1, terms=[Term("cell")]), Concept(id=2, terms=[Term("cell phonex")])])
    assert spans(m, "a cell phonexyz") == [("cell", 1)]


def test_full_width_and_spacing_map_back_to_the_original_text():
    m = Matcher(concepts())
    text = "ＡＦ与Ａｔｒｉａｌ　Ｆｉｂｒｉｌｌａｔｉｏｎ and atrial\n  fibrillation"
    hits = m.detect(text)
    assert [h.concept_id for h in hits] == [1, 1, 1]
    assert [text[h.start : h.end] for h in hits] == [h.text for h in hits]
    assert hits[1].text == "Ａｔｒｉａｌ　Ｆｉｂｒｉｌｌａｔｉｏｎ" and hits[2].text == "atrial\n  fibrillation"


def test_case_sensitive_terms_check_the_original_case():
    m = Matcher(concepts())
    assert spans(m, "af and Af") == []
    assert spans(m, "ATRIAL FIBRILLATION") == [("ATRIAL FIBRILLATION", 1)]
    assert spans(m, "Cell") == [("Cell", 2)]


def test_deprecated_terms_are_detected_and_flagged():
    hit = Matcher(concepts()).detect("auricular fibrillation")[0]
    assert hit.concept_id == 1 and hit.deprecated and hit.concept.label() == "心房颤动"


def test_ambiguity_by_active_fields():
    hit = Matcher(concepts(), active_fields=["military"]).detect("AF")[0]
    assert (hit.concept_id, hit.alternatives) == (3, [1])
    hit = Matcher(concepts(), active_fields=["cardiology"]).detect("AF")[0]
    assert (hit.concept_id, hit.alternatives) == (1, [3])
    assert hit.ambiguous


def test_ambiguity_by_context_words():
    m = Matcher(concepts())
    assert m.detect("The pilots of the AF flew new aircraft")[0].concept_id == 3
    assert m.detect("ECG shows AF with an irregular rhythm")[0].concept_id == 1
    assert m.detect("心电图提示AF，心律失常")[0].concept_id == 1
    assert m.detect("the CT scan showed imaging artefacts")[0].concept_id == 5
    hit = m.detect("the CT filing under law")[0]
    assert (hit.concept_id, hit.alternatives) == (6, [5])


def test_edits_are_visible_at_once_without_a_full_rebuild():
    m = Matcher(concepts())
    main = m._main
    m.update(Concept(id=7, terms=[Term("heart failure")]))
    c = concepts()[1]
    c.terms = [Term("cytocyte")]
    m.update(c)
    m.remove(4)
    assert spans(m, "heart failure, cell, cytocyte, cellular phone") == [("heart failure", 7), ("cytocyte", 2)]
    assert m._main is main  # served by the overlay and tombstones
    m.rebuild()
    assert spans(m, "heart failure, cell, cytocyte, cellular phone") == [("heart failure", 7), ("cytocyte", 2)]


def test_many_edits_trigger_a_lazy_rebuild():
    m = Matcher(concepts(), rebuild_after=3)
    for i in range(10, 15):
        m.update(Concept(id=i, terms=[Term(f"term{i}")]))
    assert spans(m, "term14 term10") == [("term14", 14), ("term10", 10)]
    assert not m._tombs


def test_follows_store_changes_and_undo(tmp_path):
    store = GlossaryStore(tmp_path / "g.db")
    cid = store.add_concept(Concept(terms=[Term("sepsis")]))
    m = Matcher.from_store(store)
    assert spans(m, "sepsis") == [("sepsis", cid)]
    c = store.get_concept(cid)
    c.terms.append(Term("脓毒症", "zh"))
    store.update_concept(c)
    assert spans(m, "脓毒症") == [("脓毒症", cid)]
    store.delete_concept(cid)
    assert spans(m, "sepsis") == []
    store.undo()
    assert spans(m, "sepsis 脓毒症") == [("sepsis", cid), ("脓毒症", cid)]
    store.close()


def test_hits_carry_concept_and_term():
    hit = Matcher(concepts()).detect("x atrial fibrillation")[0]
    assert (hit.start, hit.end) == (2, 21)
    assert hit.term.text == "atrial fibrillation" and hit.concept.status is Status.DRAFT


def test_empty_matcher_and_text():
    assert Matcher([]).detect("anything") == []
    assert Matcher(concepts()).detect("") == []


# --- properties ---------------------------------------------------------------------

latin_word = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
cjk_word = st.text(alphabet="心房颤动高血压糖尿病肺炎", min_size=1, max_size=5)
term_text = st.one_of(
    st.lists(latin_word, min_size=1, max_size=3).map(" ".join), cjk_word, st.tuples(latin_word, cjk_word).map("".join)
)
filler = st.text(alphabet=string.ascii_letters + " ,.;心房高血-1", max_size=30)

SETTINGS = settings(max_examples=60, deadline=None)


SEPARATORS = st.sampled_from([", ", "。", "; ", "、", " (", ") ", "，"])


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ("\u3000" if ch == " " else ch) for ch in text)


@SETTINGS
@given(st.lists(term_text, min_size=1, max_size=8, unique_by=str.casefold), st.data())
def test_every_term_is_found_in_text_made_of_it(terms, data):
    m = Matcher([Concept(id=i + 1, terms=[Term(t)]) for i, t in enumerate(terms)])
    for i, t in enumerate(terms):
        assert [(h.start, h.end, h.concept_id) for h in m.detect(t)] == [(0, len(t), i + 1)]
    # every term at once, in any order, each written as typed, in capitals or in full-width characters
    order = data.draw(st.permutations(range(len(terms))))
    text, expected = "", []
    for k in order:
        written = data.draw(st.sampled_from([terms[k], terms[k].upper(), _full_width(terms[k])]))
        text += data.draw(SEPARATORS)
        expected.append((len(text), len(text) + len(written), k + 1))
        text += written
    assert [(h.start, h.end, h.concept_id) for h in m.detect(text)] == expected


@SETTINGS
@given(st.lists(term_text, min_size=1, max_size=8), filler, filler, filler)
def test_hits_never_overlap_and_never_cut_a_latin_word(terms, a, b, c):
    m = Matcher([Concept(id=i + 1, terms=[Term(t)]) for i, t in enumerate(terms)])
    text = a + terms[0] + b + terms[-1] + c
    hits = m.detect(text)
    for h in hits:
        assert text[h.start : h.end] == h.text
        assert normalize(h.text).text == normalize(h.term.text).text
        if is_word_char(h.text[0]) and h.start > 0:
            assert not is_word_char(text[h.start - 1])
        if is_word_char(h.text[-1]) and h.end < len(text):
            assert not is_word_char(text[h.end])
    for x, y in zip(hits, hits[1:]):
        assert x.end <= y.start


tricky = st.text(alphabet="ＡＦａｆﬁßİΐΣσςe\u0301\u0308\u3000\xa0 \n\tAf心㎒①", max_size=20)


@SETTINGS
@given(st.one_of(st.text(max_size=40), tricky))
def test_normalisation_is_idempotent_and_maps_back(text):
    n = normalize(text)
    assert normalize(n.text).text == n.text
    for i in range(len(n.text)):
        s, e = n.span(i, i + 1)
        assert 0 <= s < e <= len(text)


@SETTINGS
@given(st.one_of(st.text(max_size=40), tricky), st.booleans())
def test_fast_normalisation_agrees_with_the_exact_path(text, fold):
    fast, exact = normalize(text, fold=fold), normalize_exact(text, fold=fold)
    assert fast.text == exact.text
    assert [fast.span(i, i + 1) for i in range(len(fast.text))] == [exact.span(i, i + 1) for i in range(len(exact.text))]


@SETTINGS
@given(
    st.lists(term_text, min_size=1, max_size=6, unique_by=str.casefold),
    st.lists(st.tuples(st.integers(1, 8), st.one_of(st.none(), term_text)), min_size=1, max_size=10),
    filler,
    filler,
)
def test_edits_give_the_same_hits_as_a_fresh_build(terms, edits, a, b):
    current = {i + 1: Concept(id=i + 1, terms=[Term(t)]) for i, t in enumerate(terms)}
    m = Matcher(list(current.values()), rebuild_after=100)
    for cid, text in edits:  # None removes the concept; a text adds or replaces it
        if text is None:
            current.pop(cid, None)
            m.remove(cid)
        else:
            current[cid] = Concept(id=cid, terms=[Term(text)])
            m.update(current[cid])
    words = [t.terms[0].text for t in current.values()] + terms
    text = a + " ".join(words) + b
    fresh = Matcher(list(current.values()))
    assert [(h.start, h.end, h.concept_id) for h in m.detect(text)] == [
        (h.start, h.end, h.concept_id) for h in fresh.detect(text)
    ]


def test_a_concept_changed_in_place_and_updated_loses_its_old_terms():
    m = Matcher(concepts())
    c = m.concept(2)
    c.terms = [Term("cytocyte")]  # the caller edits the object the matcher holds
    m.update(c)
    assert spans(m, "cell and cytocyte") == [("cytocyte", 2)]
