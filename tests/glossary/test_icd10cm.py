"""ICD-10-CM codes as concepts, from the tabular XML shipped in the simple-icd-10-cm package."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary import icd10cm
from glossary.errors import GlossaryImportError
from glossary.model import TermType
from glossary.store import GlossaryStore

FAKE = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2026</version>
  <introduction><introSection type="title"><title>ICD-10-CM TABULAR LIST</title></introSection></introduction>
  <chapter>
    <name>9</name>
    <desc>Diseases of the circulatory system (I00-I99)</desc>
    <sectionIndex><sectionRef first="I30" last="I5A" id="I30-I5A">Other forms of heart disease</sectionRef></sectionIndex>
    <section id="I30-I5A">
      <desc>Other forms of heart disease (I30-I5A)</desc>
      <diag>
        <name>I48</name>
        <desc>Atrial fibrillation and flutter</desc>
        <diag>
          <name>I48.9</name>
          <desc>Unspecified atrial fibrillation and atrial flutter</desc>
          <diag>
            <name>I48.91</name>
            <desc>Unspecified atrial fibrillation</desc>
            <inclusionTerm><note>Atrial fibrillation NOS</note></inclusionTerm>
            <excludes1><note>not a synonym</note></excludes1>
          </diag>
        </diag>
      </diag>
    </section>
  </chapter>
  <chapter>
    <name>19</name>
    <desc>Injury, poisoning and certain other consequences of external causes (S00-T88)</desc>
    <section id="S50-S59">
      <desc>Injuries to the elbow and forearm (S50-S59)</desc>
      <diag>
        <name>S52</name>
        <desc>Fracture of forearm</desc>
        <sevenChrNote><note>The appropriate 7th character is to be added to each code from category S52</note></sevenChrNote>
        <sevenChrDef>
          <extension char="A">initial encounter for closed fracture</extension>
          <extension char="S">sequela</extension>
        </sevenChrDef>
        <diag>
          <name>S52.0</name>
          <desc>Fracture of upper end of ulna</desc>
          <inclusionTerm><note>Fracture of proximal end of ulna</note></inclusionTerm>
          <diag><name>S52.01</name><desc>Torus fracture of upper end of ulna</desc></diag>
        </diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""


@pytest.fixture
def fake_xml(tmp_path: Path) -> Path:
    path = tmp_path / "icd10cm-tabular-test.xml"
    path.write_text(FAKE, encoding="utf-8")
    return path


def test_codes_become_concepts(fake_xml: Path) -> None:
    concepts = {c.external_id: c for c in icd10cm.iter_concepts(fake_xml, seven_char=False)}
    assert list(concepts) == ["I48", "I48.9", "I48.91", "S52", "S52.0", "S52.01"]
    af = concepts["I48.91"]
    assert af.label("en") == "Unspecified atrial fibrillation"
    # the title's head, the inclusion term, and its head
    assert [t.text for t in af.terms if t.type is TermType.SYNONYM] == ["Atrial fibrillation", "Atrial fibrillation NOS"]
    code = next(t for t in af.terms if t.type is TermType.ABBREVIATION)
    assert code.text == "I48.91" and code.case_sensitive
    assert af.subject_fields == ["medicine"] and af.source == "ICD-10-CM"
    assert af.definitions["en"] == ("Unspecified atrial fibrillation. Includes: Atrial fibrillation NOS. "
                                    "Excludes: not a synonym. ICD-10-CM code I48.91; billable.")
    assert concepts["I48"].definitions["en"] == (
        "Atrial fibrillation and flutter. ICD-10-CM category I48; not billable: use a more specific code under it."
    )
    assert "not a synonym" not in {t.text for c in concepts.values() for t in c.terms}


def test_seventh_character_codes(fake_xml: Path) -> None:
    codes = [c.external_id for c in icd10cm.iter_concepts(fake_xml)]
    assert codes == ["I48", "I48.9", "I48.91", "S52", "S52.0", "S52.01", "S52.01XA", "S52.01XS"]  # only leaves take a 7th character
    only = [c.external_id for c in icd10cm.iter_concepts(fake_xml, valid_codes={"S5201XA"})]
    assert "S52.01XA" in only and "S52.01XS" not in only
    by_code = {c.external_id: c for c in icd10cm.iter_concepts(fake_xml)}
    ext = by_code["S52.01XA"]
    assert ext.label() == "Torus fracture of upper end of ulna, initial encounter for closed fracture"
    assert ext.definitions["en"] == ("Torus fracture of upper end of ulna, initial encounter for closed fracture. "
                                     "ICD-10-CM code S52.01XA; billable.")
    assert by_code["S52.01"].definitions["en"].endswith("not billable without a 7th character.")


def test_billable_codes_are_the_leaves_of_the_code_set(fake_xml: Path) -> None:
    billable = [c.external_id for c in icd10cm.iter_concepts(fake_xml) if c.definitions["en"].endswith("; billable.")]
    assert billable == ["I48.91", "S52.01XA", "S52.01XS"]
    # where no 7th-character code is valid, the code itself is billable
    none_valid = {c.external_id: c for c in icd10cm.iter_concepts(fake_xml, valid_codes=set())}
    assert none_valid["S52.01"].definitions["en"].endswith("; billable.")
    assert "S52.01XA" not in none_valid


def test_load_into_store_once(fake_xml: Path, tmp_path: Path) -> None:
    with GlossaryStore(tmp_path / "icd.db") as store:
        seen: list[tuple[int, int]] = []
        assert icd10cm.load(store, lambda d, t: seen.append((d, t)), xml_path=fake_xml) == 8
        assert store.count() == 8 and seen[-1][0] == seen[-1][1]
        version = store.version()
        assert icd10cm.load(store, xml_path=fake_xml) == 0
        assert store.version() == version
        hit = store.search("atrial fibrillation")
        assert hit and hit[0].external_id.startswith("I48")


def test_installed_code_set_slice() -> None:
    first = list(icd10cm.iter_concepts(limit=300))
    assert len(first) == 300
    assert first[0].external_id == "A00" and first[0].label() == "Cholera"
    assert all(c.definitions["en"].startswith(c.label()) and f" {c.external_id}; " in c.definitions["en"] for c in first)
    assert first[0].definitions["en"].startswith("Cholera. ICD-10-CM category A00; not billable")


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(icd10cm, "_package_dir", lambda: None)
    with GlossaryStore(tmp_path / "icd.db") as store:
        with pytest.raises(GlossaryImportError, match="simple-icd-10-cm"):
            icd10cm.load(store)
        assert store.count() == 0


def test_damaged_data_file_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "broken-tabular.xml"
    path.write_text(FAKE[: FAKE.index("<chapter>\n    <name>19")] + "<chapter><diag>", encoding="utf-8")
    with GlossaryStore(tmp_path / "icd.db") as store:
        with pytest.raises(GlossaryImportError, match="damaged"):
            icd10cm.load(store, xml_path=path)
        assert store.count() == 0 and store.version() == 0


@pytest.mark.slow
def test_full_load_is_every_code_of_the_code_set(tmp_path: Path) -> None:
    with GlossaryStore(tmp_path / "icd.db") as store:
        added = icd10cm.load(store)
        # April 2026: 74,719 billable codes (51,485 with a 7th character) and 23,467 headings above them
        assert added == store.count() == 98_186
        billable = store._db.execute("SELECT COUNT(*) FROM definitions WHERE text LIKE '%; billable.'").fetchone()[0]
        assert billable == 74_719
        assert [c.external_id for c in store.search("I48.91")][:1] == ["I48.91"]
        assert "S52.011A" in store.external_ids(["S52.011A", "S52.011Z"])
        assert icd10cm.load(store) == 0


def test_cancel_leaves_store_unchanged(fake_xml: Path, tmp_path: Path) -> None:
    calls = iter(range(100))
    with GlossaryStore(tmp_path / "icd.db") as store:
        with pytest.raises(GlossaryImportError, match="cancelled"):
            icd10cm.load(store, xml_path=fake_xml, should_stop=lambda: next(calls) >= 3)
        assert store.count() == 0


# --- everyday words (the installed code set) ---


@pytest.fixture(scope="module")
def icd_matcher(tmp_path_factory: pytest.TempPathFactory):
    from glossary.matcher import Matcher

    store = GlossaryStore(tmp_path_factory.mktemp("icd") / "g.db")
    # the chapters of the examples (blood, endocrine, kidney, symptoms): every code there, so that
    # the everyday words must pick the right concept among their neighbours
    store.add_concepts(c for c in icd10cm.iter_concepts(seven_char=False) if c.external_id[:1] in "DENR")
    yield Matcher.from_store(store, follow=False), store
    store.close()


@pytest.mark.parametrize(("question", "word", "codes"), [
    ("Her labs show anemia again.", "anemia", {"D64.9"}),
    ("Counselling for obesity was offered.", "obesity", {"E66.9"}),
    ("He reports fatigue since March.", "fatigue", {"R53.83"}),
    ("Known CKD stage 3, eGFR stable.", "CKD stage 3", {"N18.3", "N18.30"}),
])
def test_everyday_words_find_their_code(icd_matcher, question: str, word: str, codes: set[str]) -> None:
    matcher, _store = icd_matcher
    hits = [h for h in matcher.detect(question) if h.text.lower() == word.lower()]
    assert hits, [h.text for h in matcher.detect(question)]
    found = {matcher.concept(h.concept_id).external_id for h in hits}
    found |= {matcher.concept(a).external_id for h in hits for a in h.alternatives}
    assert found & codes


def test_definition_says_what_the_code_covers(icd_matcher) -> None:
    _matcher, store = icd_matcher
    (fatigue,) = [c for c in store.iter_concepts() if c.external_id == "R53.83"]
    text = fatigue.definitions["en"]
    assert text.startswith("Other fatigue. Includes: Fatigue NOS; Lack of energy; Lethargy; Tiredness. Excludes: ")
    assert "chapter" not in text and "block" not in text and text.endswith("; billable.")


def test_everyday_names() -> None:
    abbreviations: dict[str, str] = {}
    assert icd10cm.everyday_names("Chronic kidney disease (CKD)", abbreviations) == [
        ("Chronic kidney disease", False), ("CKD", True)]
    assert ("CKD stage 3a", False) in icd10cm.everyday_names("Chronic kidney disease, stage 3a", abbreviations)
    assert icd10cm.everyday_names("Anemia, unspecified", {}) == [("Anemia", False)]
    assert icd10cm.everyday_names("Fatigue NOS", {}) == [("Fatigue", False)]
    assert icd10cm.everyday_names("Type 2 diabetes mellitus without complications", {}) == []


def test_every_code_of_the_installed_set_fits_the_store_limits() -> None:
    """A few ICD-10-CM titles run past the term limit (334 characters): the code still imports,
    named by its code, with the whole title in its definition."""
    from glossary.model import MAX_TERM_CHARS

    long = [c for c in icd10cm.iter_concepts() if any(len(t.text) > MAX_TERM_CHARS for t in c.terms)]
    assert long == []
