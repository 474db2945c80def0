"""Glossary files: every format round-trips, bad input becomes Problems, XML is parsed safely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.errors import GlossaryError
from glossary.formats import Problem, detect_format, read, write
from glossary.formats.csv_format import join_list, split_list
from glossary.model import Concept, MatchMode, Status, Term, TermStatus, TermType


def sample_concepts() -> list[Concept]:
    return [
        Concept(
            terms=[
                Term("atrial fibrillation", "en", TermType.PREFERRED),
                Term("AF", "en", TermType.ABBREVIATION, case_sensitive=True),
                Term("auricular fibrillation", "en", TermType.DEPRECATED),
                Term("Afib", "en", TermType.SYNONYM, status=TermStatus.FORBIDDEN, match_mode=MatchMode.EXACT),
                Term("fibrillation of the atria", "en", TermType.SYNONYM, status=TermStatus.SUPERSEDED,
                     match_mode=MatchMode.INFLECTED),
                Term("心房颤动", "zh", TermType.PREFERRED),
                Term("房颤", "zh", TermType.SYNONYM),
            ],
            subject_fields=["medicine", "cardiology"],
            definitions={"en": "An arrhythmia with irregular R-R intervals.\nNo P waves.", "zh": "一种心律失常。"},
            note="Check the ECG; see 'AF' vs \"AFL\" & <flutter>.",
            source="2023 ACC/AHA/ACCP/HRS AF guideline",
            status=Status.APPROVED,
            external_id="med-af",
        ),
        Concept(
            terms=[Term("tort", "en"), Term("侵权", "zh"), Term("a;b\\c", "en", TermType.SYNONYM)],
            subject_fields=["law", "civil; law"],
            definitions={"en": "A civil wrong.", "zh": "侵害他人民事权益的行为。"},
            source="Black's Law Dictionary (11th ed.)",
            external_id="1 not an xml id",
        ),
        Concept(terms=[Term("EBITDA", "en", TermType.PREFERRED, case_sensitive=True), Term("Aktie", "de")]),
    ]


def _key(c: Concept, *, flat: bool = False) -> tuple:
    """What a person would compare; ``flat``: whitespace runs as one space (TBX keeps no line breaks)."""
    f = (lambda s: " ".join(s.split())) if flat else (lambda s: s)
    # TBX stores a status equal to the one the type implies as unset: compare what it means
    terms = sorted((t.lang, t.type.value, f(t.text), t.case_sensitive, t.effective_status.value, t.match_mode or "")
                   for t in c.terms)
    return (terms, [f(s) for s in c.subject_fields], {k: f(v) for k, v in c.definitions.items()}, f(c.note),
            f(c.source), c.status, f(c.external_id))


def _concepts(items: list) -> list[Concept]:
    problems = [i for i in items if isinstance(i, Problem)]
    assert not problems, problems
    return items


FORMATS = [
    ("g.csv", None),
    ("g.csv", "utf-8"),
    ("g.csv", "gb18030"),
    ("g.json", None),
    ("g.jsonl", None),
    ("g.tbx", None),
    ("g.xml", None),
]


@pytest.mark.parametrize(("name", "encoding"), FORMATS)
def test_round_trip_loses_nothing(tmp_path: Path, name: str, encoding: str | None) -> None:
    path = tmp_path / name
    original = sample_concepts()
    assert write(original, path, encoding=encoding) == len(original)
    back = _concepts(list(read(path)))
    flat = name.endswith((".tbx", ".xml"))
    assert [_key(c, flat=flat) for c in back] == [_key(c, flat=flat) for c in original]


def test_csv_encodings_are_what_they_claim(tmp_path: Path) -> None:
    write(sample_concepts(), tmp_path / "bom.csv")
    write(sample_concepts(), tmp_path / "gb.csv", encoding="gb18030")
    assert (tmp_path / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "gb.csv").read_bytes().decode("utf-8")


def test_csv_is_spreadsheet_friendly(tmp_path: Path) -> None:
    path = tmp_path / "hand.csv"
    path.write_text(
        "Preferred_EN;abbreviations_en;preferred_zh;synonyms_zh;definition_en;Case_Sensitive;subject_fields\n"
        "atrial fibrillation;AF;心房颤动;房颤;An arrhythmia.;AF;medicine\n"
        ";;;;;;\n"
        'chronic kidney disease;CKD;慢性肾脏病;;;;"medicine; nephrology"\n',
        encoding="utf-8",
    )
    # semicolon-delimited (European Excel): a ; list inside a cell is quoted there
    af, ckd = _concepts(list(read(path)))
    assert af.label("zh") == "心房颤动"
    assert [(t.text, t.case_sensitive) for t in af.terms if t.type is TermType.ABBREVIATION] == [("AF", True)]
    assert ckd.subject_fields == ["medicine", "nephrology"]
    assert af.status is Status.DRAFT


def test_csv_tab_delimited_utf16(tmp_path: Path) -> None:
    path = tmp_path / "excel.txt"
    path.write_bytes("preferred_en\tpreferred_zh\nbasis point\t基点\n".encode("utf-16"))
    (c,) = _concepts(list(read(path, "csv")))
    assert {t.text for t in c.terms} == {"basis point", "基点"}


def test_semicolon_lists_escape() -> None:
    items = ["a;b", "c\\d", " e "]
    assert split_list(join_list(items)) == ["a;b", "c\\d", "e"]
    assert split_list("x; ;y;") == ["x", "y"]
    assert split_list("trailing\\") == ["trailing\\"]


def test_martif_2008_is_read(tmp_path: Path) -> None:
    path = tmp_path / "old.tbx"
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX" xml:lang="en">
 <martifHeader><fileDesc><sourceDesc><p>legacy</p></sourceDesc></fileDesc></martifHeader>
 <text><body>
  <termEntry id="eid-1">
   <descrip type="subjectField">finance</descrip>
   <note>legacy note</note>
   <langSet xml:lang="en-US">
    <descripGrp><descrip type="definition">0.01 percentage point.</descrip><admin type="source">CFA</admin></descripGrp>
    <tig><term>basis point</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
    <ntig><termGrp><term>bp</term><termNote type="termType">abbreviation</termNote></termGrp></ntig>
    <tig><term>bips</term><termNote type="normativeAuthorization">deprecatedTerm</termNote></tig>
   </langSet>
   <langSet xml:lang="zh-CN"><tig><term>基点</term></tig><tig><term>个基点</term></tig></langSet>
  </termEntry>
  <termEntry id="eid-2"><langSet xml:lang="en"><tig><term>coupon</term></tig></langSet></termEntry>
 </body></text>
</martif>""",
        encoding="utf-8",
    )
    first, second = _concepts(list(read(path)))
    assert first.external_id == "eid-1"
    assert first.subject_fields == ["finance"]
    assert first.definitions == {"en": "0.01 percentage point."}
    assert first.source == "CFA" and first.note == "legacy note"
    kinds = {(t.lang, t.text): t.type for t in first.terms}
    assert kinds == {
        ("en", "basis point"): TermType.PREFERRED,
        ("en", "bp"): TermType.ABBREVIATION,
        ("en", "bips"): TermType.DEPRECATED,
        ("zh", "基点"): TermType.PREFERRED,  # first unmarked term in a language is the preferred one
        ("zh", "个基点"): TermType.SYNONYM,
    }
    assert second.label() == "coupon"


def test_tbx_core_dct_style_is_read(tmp_path: Path) -> None:
    path = tmp_path / "core.tbx"
    path.write_text(
        """<?xml version="1.0"?>
<tbx type="TBX-Basic" style="dct" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"
     xmlns:basic="http://www.tbxinfo.net/ns/basic">
 <tbxHeader><fileDesc><sourceDesc><p>x</p></sourceDesc></fileDesc></tbxHeader>
 <text><body>
  <conceptEntry id="c7">
   <basic:subjectField>law</basic:subjectField>
   <langSec xml:lang="en">
     <basic:definition>A civil wrong.</basic:definition>
     <termSec><term>tort</term><basic:administrativeStatus>preferredTerm-admn-sts</basic:administrativeStatus></termSec>
   </langSec>
  </conceptEntry>
 </body></text>
</tbx>""",
        encoding="utf-8",
    )
    (c,) = _concepts(list(read(path)))
    assert (c.external_id, c.subject_fields, c.definitions, c.label()) == ("c7", ["law"], {"en": "A civil wrong."}, "tort")


def test_detect_format() -> None:
    assert [detect_format(p) for p in ("a.CSV", "b.json", "c.jsonl", "d.tbx", "e.xml")] == [
        "csv", "json", "jsonl", "tbx", "tbx",
    ]
    with pytest.raises(GlossaryError, match="format"):
        detect_format("glossary.docx")


# --- bad input: a Problem, never an exception ---


def _problems(path: Path, format: str | None = None) -> list[Problem]:
    items = list(read(path, format))
    return [i for i in items if isinstance(i, Problem)]


def test_csv_bad_encoding(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"preferred_en\nok\nbad \xff\xff\x80 bytes\n")
    (p,) = [i for i in read(path, encoding="utf-8") if isinstance(i, Problem)]
    assert "UTF-8" in p.reason and p.location == "line 3"


def test_csv_thousand_column_row(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("preferred_en,preferred_zh\nfine,好\n" + ",".join(["x"] * 1000) + "\nalso fine,也好\n", encoding="utf-8")
    items = list(read(path))
    assert [type(i).__name__ for i in items] == ["Concept", "Problem", "Concept"]
    assert items[1].location == "line 3" and "1000 cells" in items[1].reason


def test_csv_thousand_column_header(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"col{i}" for i in range(1000)) + "\n" + ",".join("x" * 1000) + "\n", encoding="utf-8")
    problems = _problems(path)
    assert problems and problems[0].location == "line 1"


def test_csv_field_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text('preferred_en,note\nok,\n"big","' + "x\n" * 70_000 + '"\n', encoding="utf-8")
    items = list(read(path))
    assert isinstance(items[0], Concept) and isinstance(items[-1], Problem)


def test_csv_overlong_line(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("preferred_en,note\n" + "y" * (1024 * 1024 + 10) + ",n\n", encoding="utf-8")
    (p,) = _problems(path)
    assert "1 MB" in p.reason


def test_csv_bad_cells(tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    path.write_text(
        "preferred_en,status,case_sensitive\n"
        "ok,draft,\n"
        "x,maybe,\n"
        ",draft,\n"
        "y,,Y2\n",
        encoding="utf-8",
    )
    items = list(read(path))
    assert isinstance(items[0], Concept)
    assert [i.location for i in items[1:]] == ["line 3", "line 4", "line 5"]
    assert all(isinstance(i, Problem) for i in items[1:])


def test_jsonl_bad_lines_do_not_stop_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    good = json.dumps({"terms": [{"text": "NPV", "lang": "en"}]})
    path.write_text(f"{good}\n{{broken\n[1, 2]\n\n" + json.dumps({"terms": [], "id": "x"}) + f"\n{good}\n", encoding="utf-8")
    items = list(read(path))
    assert [getattr(i, "location", "ok") for i in items] == ["ok", "line 2", "line 3", "line 5", "ok"]


def test_json_unknown_field_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps([{"terms": [{"text": "a"}], "defintions": {}}, {"terms": [{"text": "b"}], "x_tag": 1}]))
    first, second = list(read(path))
    assert isinstance(first, Problem) and "defintions" in first.reason
    assert isinstance(second, Concept)


@pytest.mark.parametrize(
    "text",
    ['[{"terms": [{"text": "a"}]}, {"terms"', '{"not": "a list"} trailing', "[1, 2", '[{"terms": [{"text": "a"}]}] extra', "nope"],
)
def test_json_broken(tmp_path: Path, text: str) -> None:
    path = tmp_path / "g.json"
    path.write_text(text, encoding="utf-8")
    assert _problems(path)


def test_json_streams_across_chunks(tmp_path: Path) -> None:
    concepts = [Concept(terms=[Term(f"term {i} " + "x" * 300, "en")], external_id=f"id{i}") for i in range(600)]
    path = tmp_path / "big.json"
    write(concepts, path)
    back = _concepts(list(read(path)))
    assert [c.external_id for c in back] == [c.external_id for c in concepts]


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<tbx><text><body><conceptEntry id="c1"><langSec xml:lang="en"><termSec><term>&lol9;</term></termSec></langSec></conceptEntry></body></text></tbx>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE tbx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<tbx><text><body><conceptEntry id="c1"><langSec xml:lang="en"><termSec><term>&xxe;</term></termSec></langSec></conceptEntry></body></text></tbx>"""

EXTERNAL_PARAM = """<?xml version="1.0"?>
<!DOCTYPE tbx [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>
<tbx><text><body/></text></tbx>"""


@pytest.mark.parametrize("text", [BOMB, EXTERNAL, EXTERNAL_PARAM])
def test_xml_entities_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "evil.tbx"
    path.write_text(text, encoding="utf-8")
    items = list(read(path))
    assert len(items) == 1 and isinstance(items[0], Problem)
    assert "root:" not in items[0].reason and "lollol" not in items[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "<tbx><text><body><conceptEntry id='c1'><langSec xml:lang='en'><termSec><term>a</term></termSec></langSec>",
        "<tbx><text><body><conceptEntry></body></text></tbx>",
        "not xml at all",
        "<html><body/></html>",
    ],
)
def test_broken_xml(tmp_path: Path, text: str) -> None:
    path = tmp_path / "broken.tbx"
    path.write_text(text, encoding="utf-8")
    assert _problems(path)


def test_tbx_entry_problems_name_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "g.tbx"
    path.write_text(
        "<tbx><text><body>"
        "<conceptEntry id='c1'><langSec xml:lang='en'><termSec><term>ok</term></termSec></langSec></conceptEntry>"
        "<conceptEntry id='c42'><langSec xml:lang='en'></langSec></conceptEntry>"
        "<conceptEntry id='c43'><langSec><termSec><term>no lang</term></termSec></langSec></conceptEntry>"
        "</body></text></tbx>",
        encoding="utf-8",
    )
    items = list(read(path))
    assert isinstance(items[0], Concept)
    assert [i.location for i in items[1:]] == ["entry 2 ('c42')", "entry 3 ('c43')"]


@pytest.mark.parametrize("name", ["big.tbx", "big.jsonl", "big.csv", "big.json"])
def test_progress_on_a_larger_file(tmp_path: Path, name: str) -> None:
    concepts = [
        Concept(terms=[Term(f"term number {i}", "en"), Term(f"术语{i}", "zh")], definitions={"en": "d" * 200}, external_id=f"t{i}")
        for i in range(1000)
    ]
    path = tmp_path / name
    write(concepts, path)
    seen: list[tuple[int, int]] = []
    n = sum(1 for i in read(path, on_progress=lambda done, total: seen.append((done, total))) if isinstance(i, Concept))
    assert n == 1000
    total = path.stat().st_size
    assert len(seen) >= 3
    assert all(t == total for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (total, total)


# --- fuzz: random input never raises ---

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_csv_text = st.lists(
    st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["preferred_en", "synonyms_zh", "status", "approved", "AF; af", '"', "\\", ";"])), max_size=6),
    max_size=6,
).map(lambda rows: "\n".join(",".join(r) for r in rows))


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), _csv_text.map(lambda s: s.encode("utf-8")), _csv_text.map(lambda s: ("preferred_en,case_sensitive\n" + s).encode("gb18030", "replace"))))
def test_fuzz_csv(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    for item in read(path):
        assert isinstance(item, (Concept, Problem))


_json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["terms", "text", "lang", "type", "id", "status", "definitions", "case_sensitive", "x"]), inner, max_size=4)),
    max_leaves=12,
)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.lists(_json_value, max_size=4).map(lambda vs: "\n".join(json.dumps(v) for v in vs).encode())))
def test_fuzz_jsonl_and_json(tmp_path: Path, data: bytes) -> None:
    for name in ("fuzz.jsonl", "fuzz.json"):
        path = tmp_path / name
        path.write_bytes(data)
        for item in read(path):
            assert isinstance(item, (Concept, Problem))


@FUZZ
@given(data=st.binary(max_size=200))
def test_fuzz_tbx(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.tbx"
    path.write_bytes(b"<tbx><text><body>" + data)
    for item in read(path):
        assert isinstance(item, (Concept, Problem))


# --- round trip of any glossary, every format ---

_text = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 ;,\\\"'<>&-/()\t") + ["心", "房", "颤", "è", "ß", "Ω", "\n", "ｆ", "™"]),
    min_size=1,
    max_size=12,
).map(str.strip).filter(bool)
_term = st.builds(
    Term,
    text=_text.filter(lambda s: "\n" not in s and "\t" not in s),  # a term is one line (glossary.formats.clean)
    lang=st.sampled_from(["en", "zh", "de"]),
    type=st.sampled_from(list(TermType)),
    case_sensitive=st.booleans(),
    status=st.one_of(st.none(), st.sampled_from(list(TermStatus))),
    match_mode=st.one_of(st.none(), st.sampled_from(list(MatchMode))),
)
_concept = st.builds(
    Concept,
    terms=st.lists(_term, min_size=1, max_size=4, unique_by=lambda t: t.text),
    subject_fields=st.lists(_text.filter(lambda s: "\n" not in s and "\t" not in s), max_size=2, unique=True),
    definitions=st.dictionaries(st.sampled_from(["en", "zh", "fr"]), _text, max_size=2),
    note=st.one_of(st.just(""), _text),
    source=st.one_of(st.just(""), _text.filter(lambda s: "\n" not in s)),
    status=st.sampled_from(list(Status)),
    external_id=st.one_of(st.just(""), _text.filter(lambda s: "\n" not in s and "\t" not in s)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(concepts=st.lists(_concept, min_size=1, max_size=4, unique_by=lambda c: c.external_id or id(c)))
@pytest.mark.parametrize(("name", "encoding"), FORMATS)
def test_any_glossary_round_trips(tmp_path: Path, name: str, encoding: str | None, concepts: list[Concept]) -> None:
    path = tmp_path / name
    write(concepts, path, encoding=encoding)
    # a few random characters cannot tell GB18030 from other code pages: the person names it
    back = _concepts(list(read(path, encoding=encoding if encoding == "gb18030" else None)))
    flat = name.endswith((".tbx", ".xml"))
    assert [_key(c, flat=flat) for c in back] == [_key(c, flat=flat) for c in concepts]
