"""TBX done right: a TBX-Basic file imports with clean text, exact term types and statuses and no
bibliography concepts; every export is valid TBX-Basic (RELAX NG and Schematron, checked with lxml).

The schemas in tests/data/tbx are written for these tests (the official ones carry no licence);
set TERMLENS_TBX_SCHEMAS to a folder holding the official TBXcoreStructV03.rng to check against it too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from glossary.formats import Problem, read, write
from glossary.model import Concept, MatchMode, Status, Term, TermStatus, TermType
from tests.glossary.test_formats import sample_concepts

etree = pytest.importorskip("lxml.etree")
isoschematron = pytest.importorskip("lxml.isoschematron")

DATA = Path(__file__).resolve().parents[1] / "data" / "tbx"
SAMPLE = DATA / "astronomy_basic_dca.tbx"


def _schemas() -> list:
    rng = [etree.RelaxNG(etree.parse(str(DATA / "tbx_basic_dca.rng")))]
    official = os.environ.get("TERMLENS_TBX_SCHEMAS")
    if official and (Path(official) / "TBXcoreStructV03.rng").is_file():
        rng.append(etree.RelaxNG(etree.parse(str(Path(official) / "TBXcoreStructV03.rng"))))
    sch = isoschematron.Schematron(etree.parse(str(DATA / "tbx_basic_dca.sch")))
    return [*rng, sch]


def _assert_valid(path: Path) -> None:
    doc = etree.parse(str(path))
    for schema in _schemas():
        assert schema.validate(doc), f"{path.name}: {schema.error_log}"


def _concepts(path: Path) -> list[Concept]:
    items = list(read(path))
    assert not [i for i in items if isinstance(i, Problem)]
    return items


def test_the_sample_and_the_schemas_agree() -> None:
    _assert_valid(SAMPLE)


def test_sample_imports_clean() -> None:
    concepts = _concepts(SAMPLE)
    by_id = {c.external_id: c for c in concepts}
    assert sorted(by_id) == ["c1", "c2", "c3", "c4"]  # no concepts named Oxford2007 or Bally2005
    for c in concepts:
        for text in [*c.definitions.values(), c.note, c.source, *(t.text for t in c.terms)]:
            assert "\n" not in text and "\t" not in text and "  " not in text, text
    c1 = by_id["c1"]
    assert c1.definitions["en"] == ("A loose group of a few dozen to a few thousand young stars that formed from "
                                    "the same cloud and still travel together.")
    assert c1.definitions["es"].startswith("Un grupo poco denso")
    assert c1.source == ("Oxford2007 (Author[s]: Example, Alan; Book Title: A Dictionary of Astronomy; "
                         "Publisher: Example University Press; Publication Year: 2007)")
    status = {t.text: t.effective_status for t in c1.terms}
    assert status == {"open cluster": TermStatus.PREFERRED, "galactic cluster": TermStatus.SUPERSEDED,
                      "cúmulo abierto": TermStatus.PREFERRED}
    assert by_id["c3"].definitions["en"].endswith("powered by a supermassive black hole.")  # inline markup as text
    assert by_id["c3"].source.startswith("Cambridge2007 (Example, Carl; ")  # a refObject of the back matter


def test_short_forms_are_short_forms() -> None:
    by_id = {c.external_id: c for c in _concepts(SAMPLE)}
    galaxy = {t.text: t for t in by_id["c2"].terms}
    assert by_id["c2"].label("en") == "Milky Way Galaxy"  # the full form, not a short form, is preferred
    assert galaxy["Galaxy"].type is TermType.SYNONYM and galaxy["Galaxy"].case_sensitive  # "galaxy" is not it
    assert galaxy["Milky Way"].case_sensitive and not galaxy["Milky Way Galaxy"].case_sensitive
    quasar = {t.text: t for t in by_id["c3"].terms}
    assert by_id["c3"].label("en") == "quasar"  # preferred and a short form: stays preferred
    assert quasar["quasar"].effective_status is TermStatus.PREFERRED
    assert quasar["QSO"].type is TermType.ABBREVIATION and quasar["QSO"].case_sensitive
    dwarf = {t.text: t for t in by_id["c4"].terms}
    assert dwarf["degenerate dwarf"].type is TermType.DEPRECATED and by_id["c4"].label() == "white dwarf"


def _status_concept() -> Concept:
    return Concept(
        terms=[
            Term("atrial fibrillation", status=TermStatus.PREFERRED, match_mode=MatchMode.INFLECTED),
            Term("auricular fibrillation", type=TermType.SYNONYM, status=TermStatus.ADMITTED),
            Term("AF", type=TermType.ABBREVIATION, case_sensitive=True, match_mode=MatchMode.EXACT),
            Term("fibrillation of the atria", type=TermType.SYNONYM, status=TermStatus.SUPERSEDED),
            Term("Afib", type=TermType.DEPRECATED, status=TermStatus.DEPRECATED),
            Term("heart flutter thing", type=TermType.SYNONYM, status=TermStatus.FORBIDDEN),
            Term("心房颤动", "zh"),
        ],
        definitions={"en": "An irregular rhythm.", "fr": "Un rythme irrégulier."},
        status=Status.APPROVED,
        external_id="1 not an xml id",
        subject_fields=["cardiology"],
    )


def test_status_and_match_mode_round_trip_through_tbx(tmp_path: Path) -> None:
    path = tmp_path / "status.tbx"
    write([_status_concept()], path)
    _assert_valid(path)
    raw = path.read_text(encoding="utf-8")
    for value in ("preferredTerm-admn-sts", "admittedTerm-admn-sts", "supersededTerm-admn-sts", "deprecatedTerm-admn-sts"):
        assert value in raw
    assert "processStatus" not in raw and "caseSensitive" not in raw and "externalId" not in raw
    (back,) = _concepts(path)
    want = {t.text: (t.type, t.effective_status, t.effective_match_mode, t.case_sensitive) for t in _status_concept().terms}
    got = {t.text: (t.type, t.effective_status, t.effective_match_mode, t.case_sensitive) for t in back.terms}
    assert got == want
    assert {t.text: t.match_mode for t in back.terms}["AF"] is MatchMode.EXACT
    assert (back.external_id, back.status, back.definitions["fr"]) == ("1 not an xml id", Status.APPROVED,
                                                                      "Un rythme irrégulier.")
    write([back], tmp_path / "again.tbx")  # exported again unchanged
    assert (tmp_path / "again.tbx").read_text(encoding="utf-8") == raw


def test_exports_are_valid_tbx_basic(tmp_path: Path) -> None:
    path = tmp_path / "all.tbx"
    write([*sample_concepts(), *_concepts(SAMPLE)], path)
    _assert_valid(path)
    write([], tmp_path / "none.tbx")
    _assert_valid(tmp_path / "none.tbx")


def test_the_schemas_catch_what_tbx_basic_forbids(tmp_path: Path) -> None:
    path = tmp_path / "bad.tbx"
    write(sample_concepts()[:1], path)
    bad = path.read_text(encoding="utf-8").replace('<descrip type="subjectField">', '<admin type="processStatus">x</admin>'
                                                   '<descrip type="subjectField">', 1)
    path.write_text(bad, encoding="utf-8")
    doc = etree.parse(str(path))
    assert not _schemas()[-1].validate(doc)
    no_term = path.read_text(encoding="utf-8").replace("<term>", "<termText>").replace("</term>", "</termText>")
    path.write_text(no_term, encoding="utf-8")
    assert not _schemas()[0].validate(etree.parse(str(path)))


def test_two_language_tags_for_one_language_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "tags.tbx"
    path.write_text(
        '<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><tbxHeader><fileDesc>'
        "<sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader><text><body>"
        '<conceptEntry id="c1"><langSec xml:lang="en-US"><descrip type="definition">American.</descrip>'
        "<termSec><term>color</term></termSec></langSec>"
        '<langSec xml:lang="en-GB"><descrip type="definition">British.</descrip>'
        "<termSec><term>colour</term></termSec></langSec></conceptEntry>"
        '<conceptEntry id="c2"><langSec xml:lang="en-US"><termSec><term>elevator</term></termSec></langSec>'
        '<langSec xml:lang="en-GB"><termSec><term>lift</term></termSec></langSec></conceptEntry>'
        "</body></text></tbx>", encoding="utf-8")
    items = list(read(path))
    problem, concept = items
    assert isinstance(problem, Problem) and "'en-US' and 'en-GB'" in problem.reason
    assert sorted(t.text for t in concept.terms) == ["elevator", "lift"]  # terms of both are kept, as English
