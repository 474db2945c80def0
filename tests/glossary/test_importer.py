"""Importing files into the store: all or nothing by default, good entries only with skip_bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glossary.errors import GlossaryError, GlossaryImportError
from glossary.formats import Problem, write
from glossary.importer import import_file, load_starter, starter_names
from glossary.model import Concept, Term
from glossary.store import GlossaryStore
from tests.glossary.test_formats import BOMB, EXTERNAL, sample_concepts


@pytest.fixture
def store(tmp_path: Path):
    s = GlossaryStore(tmp_path / "glossary.db")
    s.add_concept(Concept(terms=[Term("already here", "en")]))
    yield s
    s.close()


def _line(text: str) -> str:
    return json.dumps({"terms": [{"text": text, "lang": "en"}]})


def test_import_adds_every_concept(store: GlossaryStore, tmp_path: Path) -> None:
    path = tmp_path / "g.tbx"
    write(sample_concepts(), path)
    result = import_file(store, path)
    assert (result.added, result.skipped, result.problems) == (3, 0, [])
    assert store.count() == 4
    labels = {c.label("zh") for c in store.iter_concepts()}
    assert "心房颤动" in labels


BAD_FILES = {
    "bad-encoding.csv": "preferred_en\nMénière\n".encode() + b"\xff\xfe\x80\x81 not text\n",  # two encodings
    "broken.tbx": b"<tbx><text><body><conceptEntry id='c1'><langSec xml:lang='en'><termSec><term>a</term>",
    "bomb.tbx": BOMB.encode(),
    "xxe.tbx": EXTERNAL.encode(),
    "wide.csv": ("preferred_en\nok\n" + ",".join(["x"] * 1000) + "\n").encode(),
    "broken.json": b'[{"terms": [{"text": "ok"}]}, {"terms": ',
    "mixed.jsonl": (_line("good one") + "\n{oops\n" + _line("good two") + "\n").encode(),
    "empty.csv": b"",
    "empty.jsonl": b"",
    "header-only.csv": b"preferred_en,preferred_zh\n",
    "blank.json": b"  \n",
    "empty-list.json": b"[]",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_changes_nothing(store: GlossaryStore, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    count, version = store.count(), store.version()
    with pytest.raises(GlossaryImportError) as info:
        import_file(store, path)
    assert str(info.value).endswith(".")
    assert (store.count(), store.version()) == (count, version)
    if not name.startswith(("empty", "header", "blank")):
        assert info.value.report and all(isinstance(p, Problem) for p in info.value.report)
    if "passwd" not in name:
        assert "root:" not in str(info.value) + "".join(map(str, info.value.report))


def test_empty_file_says_so(store: GlossaryStore, tmp_path: Path) -> None:
    path = tmp_path / "nothing.csv"
    path.write_bytes(b"")
    with pytest.raises(GlossaryImportError, match="empty"):
        import_file(store, path)


def test_report_lists_every_problem(store: GlossaryStore, tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text(f"{_line('a')}\n{{bad\n{_line('b')}\n[]\n", encoding="utf-8")
    with pytest.raises(GlossaryImportError) as info:
        import_file(store, path)
    assert [p.location for p in info.value.report] == ["line 2", "line 4"]
    assert "Nothing was imported" in str(info.value) and "2 problems" in str(info.value)


def test_skip_bad_imports_the_good_ones(store: GlossaryStore, tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text(f"{_line('a')}\n{{bad\n{_line('b')}\n[]\n", encoding="utf-8")
    result = import_file(store, path, skip_bad=True)
    assert (result.added, result.skipped) == (2, 2)
    assert [p.location for p in result.problems] == ["line 2", "line 4"]
    assert store.count() == 3


def test_skip_bad_with_nothing_good_still_fails(store: GlossaryStore, tmp_path: Path) -> None:
    path = tmp_path / "g.tbx"
    path.write_text(BOMB, encoding="utf-8")
    version = store.version()
    with pytest.raises(GlossaryImportError):
        import_file(store, path, skip_bad=True)
    assert store.version() == version


def test_unknown_format_and_missing_file(store: GlossaryStore, tmp_path: Path) -> None:
    with pytest.raises(GlossaryImportError, match="format"):
        import_file(store, tmp_path / "notes.docx")
    with pytest.raises(GlossaryImportError):
        import_file(store, tmp_path / "missing.csv")


def test_progress_reported(store: GlossaryStore, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text("".join(_line(f"term {i} " + "x" * 200) + "\n" for i in range(1200)), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    result = import_file(store, path, on_progress=lambda d, t: seen.append((d, t)))
    assert result.added == 1200
    assert len(seen) >= 3 and seen[-1] == (path.stat().st_size, path.stat().st_size)


def test_starter_names() -> None:
    assert starter_names() == ["finance", "law", "medicine"]


def test_load_starter_twice_adds_nothing_new(tmp_path: Path) -> None:
    with GlossaryStore(tmp_path / "s.db") as s:
        calls: list[tuple[int, int]] = []
        added = load_starter(s, ["law"], on_progress=lambda d, t: calls.append((d, t)))
        assert added == s.count() >= 60
        assert calls[-1] == (added, added)
        version = s.version()
        assert load_starter(s, ["law"]) == 0
        assert s.version() == version
        assert load_starter(s, ["law", "finance"]) == s.count() - added
        assert {"law", "finance"} <= set(s.subject_fields())


def test_load_starter_unknown_name(store: GlossaryStore) -> None:
    with pytest.raises(GlossaryError, match="astrology"):
        load_starter(store, ["astrology"])


def test_cancel_rolls_back(store: GlossaryStore, tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text("".join(_line(f"t{i}") + "\n" for i in range(50)), encoding="utf-8")
    calls = iter(range(1000))
    version = store.version()
    with pytest.raises(GlossaryImportError, match="cancelled"):
        import_file(store, path, should_stop=lambda: next(calls) >= 10)
    assert (store.count(), store.version()) == (1, version)
