"""Fuzzing every importer through the store: any file gives imported concepts or one sentence.

Bounded for CI (a few dozen examples each). For a long local run:
``TERMLENS_FUZZ_EXAMPLES=20000 pytest tests/glossary/test_fuzz_import.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary.errors import GlossaryImportError
from glossary.formats.clean import concept_problem
from glossary.importer import import_file
from glossary.store import GlossaryStore

EXAMPLES = int(os.environ.get("TERMLENS_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])

_nasty = st.sampled_from(["\x00", "\ufeff", "\u202e", "\u200b", "\u2800", "\ud800", "\udfff", "\x07", "\r", "\t",
                          "=", "@", "'", ";", "\\", "é", "心", "\U0001F600", "\u0301", "ß"])
_text = st.lists(st.one_of(_nasty, st.characters(), st.text(max_size=4)), max_size=8).map("".join)


def _check(store: GlossaryStore, path: Path, **kw) -> None:
    try:
        result = import_file(store, path, skip_bad=True, existing="merge", **kw)
    except GlossaryImportError as exc:
        sentence = str(exc) + "".join(str(p) for p in exc.report)
        sentence.encode("utf-8")  # printable on any terminal: no lone surrogate inside
        assert str(exc).endswith(".")
        return
    for p in result.problems:
        str(p).encode("utf-8")
    for c in store.iter_concepts():
        assert concept_problem(c) is None, c


@pytest.fixture
def store(tmp_path: Path):
    s = GlossaryStore(tmp_path / "g.db")
    yield s
    s.close()


@FUZZ
@given(rows=st.lists(st.lists(_text, max_size=5), max_size=5),
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "gb18030"]))
def test_fuzz_csv_import(store: GlossaryStore, tmp_path: Path, rows: list[list[str]], encoding: str) -> None:
    text = "id,preferred_en,definition_en,term_status,match_mode\n" + "\n".join(",".join(r) for r in rows)
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode(encoding, errors="replace") if encoding != "utf-8"
                     else text.encode("utf-8", errors="surrogatepass"))
    _check(store, path)


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _text,
              st.integers(min_value=10**4000, max_value=10**4200)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["terms", "text", "lang", "type", "id", "status", "match_mode",
                                                             "definitions", "case_sensitive", "subject_fields", "note"]),
                                            inner, max_size=5)),
    max_leaves=15,
)
_entry = st.fixed_dictionaries({"terms": st.lists(st.fixed_dictionaries({"text": _text, "lang": st.sampled_from(["en", "zh", "EN", "en-US", "x"])}), min_size=1, max_size=3)},
                               optional={"id": st.one_of(_text, st.integers()), "definitions": st.dictionaries(st.sampled_from(["en", "EN", "en-US", "zh"]), _text, max_size=3)})


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=True)  # lone surrogates become \\ud800 escapes, as in the reproduction


@FUZZ
@given(values=st.lists(st.one_of(_entry, _json), max_size=4), as_list=st.booleans())
def test_fuzz_json_import(store: GlossaryStore, tmp_path: Path, values: list, as_list: bool) -> None:
    path = tmp_path / ("f.json" if as_list else "f.jsonl")
    body = ("[" + ",".join(_dump(v) for v in values) + "]") if as_list else "\n".join(_dump(v) for v in values)
    path.write_text(body, encoding="utf-8")
    _check(store, path)


_tags = st.sampled_from(["conceptEntry", "langSec", "termSec", "term", "descripGrp", "descrip", "admin", "note",
                         "termNote", "hi", "back", "refObject", "item", "transacGrp"])


@st.composite
def _xml(draw, depth: int = 0) -> str:
    if depth > 6 or draw(st.booleans()):
        from xml.sax.saxutils import escape

        return escape(draw(_text).encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
    tag = draw(_tags)
    attrs = ""
    if draw(st.booleans()):
        attrs += f' type="{draw(st.sampled_from(["definition", "source", "administrativeStatus", "termType", "subjectField", "x"]))}"'
    if draw(st.booleans()):
        attrs += f' xml:lang="{draw(st.sampled_from(["en", "EN", "en-US", "zh", "zu", "!"]))}"'
    if draw(st.booleans()):
        attrs += f' id="{draw(st.sampled_from(["c1", "c2", "Oxford2007", "1x"]))}"'
    inner = "".join(draw(st.lists(_xml(depth + 1), max_size=3)))
    return f"<{tag}{attrs}>{inner}</{tag}>"


@FUZZ
@given(body=st.lists(_xml(), max_size=4))
def test_fuzz_tbx_import(store: GlossaryStore, tmp_path: Path, body: list[str]) -> None:
    path = tmp_path / "f.tbx"
    path.write_text('<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>'
                    + "".join(body) + "</body></text></tbx>", encoding="utf-8")
    _check(store, path)
