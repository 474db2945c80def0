"""Bounded work for any input: term and definition limits, oversized old rows, linear index build."""

from __future__ import annotations

import random
import sqlite3
import string

import pytest

from glossary.errors import GlossaryError
from glossary.matcher import Matcher
from glossary.model import MAX_DEFINITION_CHARS, MAX_TERM_CHARS, Concept, Term
from glossary.store import GlossaryStore


def test_the_store_refuses_an_over_long_term_or_definition_with_one_sentence(tmp_path):
    with GlossaryStore(tmp_path / "g.db") as s:
        with pytest.raises(GlossaryError, match=r"has 257 characters; a term may have at most 256"):
            s.add_concept(Concept(terms=[Term("x" * (MAX_TERM_CHARS + 1))]))
        with pytest.raises(GlossaryError, match=r"definition of \"cell\" has 20001 characters"):
            s.add_concepts([Concept(terms=[Term("cell")], definitions={"en": "d" * (MAX_DEFINITION_CHARS + 1)})])
        cid = s.add_concept(Concept(terms=[Term("y" * MAX_TERM_CHARS)], definitions={"en": "d" * MAX_DEFINITION_CHARS}))
        c = s.get_concept(cid)
        c.terms.append(Term("-" * 100_000))
        with pytest.raises(GlossaryError, match="a term may have at most 256"):
            s.update_concept(c)
        assert [t.text for t in s.get_concept(cid).terms] == ["y" * MAX_TERM_CHARS]  # nothing lost
        assert s.count() == 1 and s.oversized() == []


def test_an_oversized_term_stored_before_the_limits_is_reported_and_kept_out_of_the_index(tmp_path):
    path = tmp_path / "g.db"
    with GlossaryStore(path) as s:
        s.add_concept(Concept(terms=[Term("normalterm")]))
    db = sqlite3.connect(path)  # as an older TermLens wrote it: the 100,000-dash term
    db.execute("INSERT INTO concepts(id, status) VALUES (9, 'draft')")
    db.execute("INSERT INTO terms(concept_id, text) VALUES (9, ?)", ("-" * 100_000,))
    db.commit()
    db.close()
    with GlossaryStore(path) as s:  # opening is not blocked
        assert s.oversized() == [(9, "term of 100000 characters")]
        m = Matcher.from_store(s)
        assert [h.text for h in m.detect("is normalterm here " + "-" * 1000)] == ["normalterm"]
        assert m.skipped == [9]


def test_a_long_run_of_one_character_builds_in_linear_time():
    # Terms at the limit made of one repeated character (the quadratic case), and
    # the dash term itself given straight to a matcher: it is left out.
    concepts = [Concept(id=i + 1, terms=[Term(ch * MAX_TERM_CHARS)]) for i, ch in enumerate("-a.x")]
    concepts.append(Concept(id=9, terms=[Term("-" * 100_000)]))
    m = Matcher(concepts)
    assert [h.concept_id for h in m.detect("a " + "a" * MAX_TERM_CHARS + " b")] == [2]
    assert m.skipped == [9]


@pytest.mark.slow
def test_two_hundred_thousand_random_terms_of_200_characters_build():
    rng = random.Random(3)
    alphabet = string.ascii_lowercase + " -"
    concepts = [Concept(id=i + 1, terms=[Term("".join(rng.choices(alphabet, k=200)))]) for i in range(200_000)]
    m = Matcher(concepts)
    probe = concepts[12345].terms[0].text
    assert [h.concept_id for h in m.detect(f"see {probe} here")] == [12346]
