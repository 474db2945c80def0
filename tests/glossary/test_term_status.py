"""A term's usage status and match mode: derived defaults, stored, migrated, undone."""

from __future__ import annotations

import pytest

from glossary.model import Concept, MatchMode, Term, TermStatus, TermType
from glossary.rows import from_json, to_json
from glossary.store import GlossaryStore


@pytest.mark.parametrize(("typ", "status"), [
    (TermType.PREFERRED, TermStatus.PREFERRED),
    (TermType.SYNONYM, TermStatus.ADMITTED),
    (TermType.ABBREVIATION, TermStatus.ADMITTED),
    (TermType.DEPRECATED, TermStatus.DEPRECATED),
])
def test_status_unset_follows_the_type(typ, status):
    assert Term("x", type=typ).effective_status is status
    assert Term("x", type=typ, status=TermStatus.FORBIDDEN).effective_status is TermStatus.FORBIDDEN


@pytest.mark.parametrize(("term", "mode"), [
    (Term("atrial fibrillation"), MatchMode.INFLECTED),
    (Term("Ménière disease", type=TermType.SYNONYM), MatchMode.INFLECTED),
    (Term("AF", type=TermType.ABBREVIATION), MatchMode.EXACT),
    (Term("eGFR", case_sensitive=True), MatchMode.EXACT),
    (Term("心房颤动", "zh"), MatchMode.EXACT),
    (Term("123.4"), MatchMode.EXACT),
    (Term("AF", type=TermType.ABBREVIATION, match_mode=MatchMode.INFLECTED), MatchMode.INFLECTED),
    (Term("cell", match_mode=MatchMode.EXACT), MatchMode.EXACT),
])
def test_match_mode_unset_is_automatic(term, mode):
    assert term.effective_match_mode is mode


def test_plain_strings_from_files_become_enums_and_empty_means_unset():
    t = Term("x", status="superseded", match_mode="exact")
    assert t.status is TermStatus.SUPERSEDED and t.match_mode is MatchMode.EXACT
    assert Term("x", status="", match_mode="").status is None
    with pytest.raises(ValueError):
        Term("x", status="obsolete")


def test_preferred_skips_superseded_and_forbidden_terms():
    c = Concept(terms=[Term("old", type=TermType.SYNONYM, status=TermStatus.SUPERSEDED),
                       Term("bad", type=TermType.SYNONYM, status=TermStatus.FORBIDDEN),
                       Term("good", type=TermType.SYNONYM)])
    assert c.label() == "good"
    c.terms.append(Term("best", type=TermType.SYNONYM, status=TermStatus.PREFERRED))
    assert c.label() == "best"


def test_store_keeps_status_and_mode_through_add_update_and_undo(tmp_path):
    with GlossaryStore(tmp_path / "g.db") as s:
        cid = s.add_concept(Concept(terms=[
            Term("myocardial infarction", status=TermStatus.PREFERRED, match_mode=MatchMode.INFLECTED),
            Term("heart attack", type=TermType.SYNONYM, status=TermStatus.FORBIDDEN, match_mode=MatchMode.EXACT),
            Term("MI", type=TermType.ABBREVIATION),
        ]))
        got = s.get_concept(cid)
        assert [(t.status, t.match_mode) for t in got.terms] == [
            (TermStatus.PREFERRED, MatchMode.INFLECTED), (TermStatus.FORBIDDEN, MatchMode.EXACT), (None, None)]
        got.terms[2].status = TermStatus.SUPERSEDED
        s.update_concept(got)
        assert s.get_concept(cid).terms[2].status is TermStatus.SUPERSEDED
        assert s.undo()
        assert s.get_concept(cid).terms[2].status is None  # the before-image (JSON) keeps the fields


def test_undo_json_written_before_the_fields_existed_still_reads():
    old = '{"terms": [{"text": "cell", "lang": "en", "type": "preferred", "case_sensitive": false, "id": 3}]}'
    c = from_json(old)
    assert c.terms[0].status is None and c.terms[0].effective_match_mode is MatchMode.INFLECTED
    assert from_json(to_json(Concept(terms=[Term("x", status="forbidden")]))).terms[0].status is TermStatus.FORBIDDEN
