"""Properties of detection (hypothesis): every inflected form of a term is found, nothing
crosses a word boundary, and spans always point at the user's own text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.matcher import Matcher
from glossary.model import Concept, Term, TermType
from glossary.normalize import is_word_char

# Real nouns with their plurals (the oracle of the test, not of the matcher).
NOUNS = {
    "cell": "cells", "carcinoma": "carcinomas", "clause": "clauses", "company": "companies", "flow": "flows",
    "biopsy": "biopsies", "stent": "stents", "analysis": "analyses", "criterion": "criteria",
    "vertebra": "vertebrae", "infarction": "infarctions", "fibrillation": "fibrillations", "embolism": "embolisms",
    "injunction": "injunctions", "affidavit": "affidavits", "plaintiff": "plaintiffs", "lymphoma": "lymphomas",
    "matrix": "matrices", "child": "children", "colitis": "colitides", "thrombectomy": "thrombectomies",
}
MODIFIERS = ["acute", "atrial", "chronic", "discounted", "pulmonary", "limited", "renal", "force", "cash"]
SEPARATORS = [" ", "-", "\u2013", "/"]
FILLER = st.sampled_from(["", " ", ", ", ". ", " (", "; ", "\n", ": ", " and "])
SYLLABLES = "ba be bi bo da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro ta te ti to".split()

EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def term_and_form(draw) -> tuple[str, str]:
    """A term (zero to two modifiers and a noun) and one of its inflected forms as a text would write it."""
    mods = draw(st.lists(st.sampled_from(MODIFIERS), max_size=2, unique=True))
    if draw(st.booleans()):
        noun = draw(st.sampled_from(sorted(NOUNS)))
        plural = NOUNS[noun]
    else:  # a word no dictionary knows: its plural is made with -s
        noun = "".join(draw(st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=4)))
        plural = noun + "s"
    words = [*mods, noun]
    term = " ".join(words)
    kind = draw(st.sampled_from(["plural", "possessive", "plural possessive", "base"]))
    last = {"plural": plural, "possessive": noun + "'s", "plural possessive": plural + "'" if plural.endswith("s")
            else plural + "'s", "base": noun}[kind]
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in mods]
    form = "".join(w + s for w, s in zip(mods, seps)) + last
    if draw(st.booleans()):
        form = form[0].upper() + form[1:]
    return term, form


@EXAMPLES
@given(term_and_form(), FILLER, FILLER, st.sampled_from(["", "We saw ", "Les ", "患者"]))
def test_every_inflected_form_made_from_a_term_is_found(tf, before, after, lead):
    term, form = tf
    m = Matcher([Concept(id=1, terms=[Term(term)])])
    text = lead + before + form + after + " today"
    hits = m.detect(text)
    assert [(h.text, h.concept_id) for h in hits] == [(form, 1)], (term, text)
    assert text[hits[0].start:hits[0].end] == form


WORDS = st.sampled_from(["cell", "cellar", "cellular", "AF", "AFTER", "after", "it", "IT", "cells", "flow", "flows",
                         "overflow", "subcell", "force", "majeure", "forcemajeure", "tort", "tortoise", "心房颤动",
                         "心房顫動", "患者", "ﬁbrillation", "fibrillation", "atrial", "Ａtrial", "e\u0301", "ß", "ss",
                         "company's", "companies'", "'", "-", "/", "\u2013", "2", "x2"])
TEXT = st.lists(st.tuples(WORDS, st.sampled_from(["", " ", "  ", ", ", "-", "\t", "'", "’"])), max_size=14).map(
    lambda xs: "".join(w + s for w, s in xs))


def _glossary() -> Matcher:
    return Matcher([
        Concept(id=1, terms=[Term("cell")]),
        Concept(id=2, terms=[Term("atrial fibrillation"), Term("AF", type=TermType.ABBREVIATION, case_sensitive=True),
                             Term("心房颤动", "zh")]),
        Concept(id=3, terms=[Term("force majeure")]),
        Concept(id=4, terms=[Term("IT", type=TermType.ABBREVIATION, case_sensitive=True)]),
        Concept(id=5, terms=[Term("flow"), Term("company")]),
        Concept(id=6, terms=[Term("tort"), Term("ss")]),
    ])


MATCHER = _glossary()


@EXAMPLES
@given(TEXT)
def test_spans_point_at_the_original_text_and_never_cross_a_word_boundary(text):
    hits = MATCHER.detect(text)
    end = 0
    for h in hits:
        assert 0 <= h.start < h.end <= len(text) and h.start >= end  # in order, never overlapping
        end = h.end
        assert text[h.start:h.end] == h.text
        if is_word_char(h.text[0]):
            assert h.start == 0 or not is_word_char(text[h.start - 1]), (text, h)
        if is_word_char(h.text[-1]):
            assert h.end == len(text) or not is_word_char(text[h.end]), (text, h)
        assert h.text.casefold() not in {"cellar", "cellular", "after", "tortoise", "overflow", "subcell"}
        if h.concept_id == 4:
            assert h.text == "IT"  # never "it"


@EXAMPLES
@given(st.text(max_size=60))
def test_any_text_gives_spans_inside_it(text):
    for h in MATCHER.detect(text):
        assert text[h.start:h.end] == h.text and h.start < h.end
