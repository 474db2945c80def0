"""``main.py glossary ...`` through its argparse registration."""

from __future__ import annotations

import argparse
import json
import sys
import types
from dataclasses import dataclass, field

import pytest

from desktop.commands import glossary_cmd
from desktop.paths import db_path
from glossary.errors import GlossaryImportError
from glossary.model import Concept, Term, TermType
from glossary.store import GlossaryStore


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TERMLENS_HOME", str(tmp_path))
    with GlossaryStore(db_path()) as s:
        s.add_concept(
            Concept(
                terms=[Term("atrial fibrillation"), Term("AF", type=TermType.ABBREVIATION, case_sensitive=True), Term("房颤", "zh", TermType.SYNONYM)],
                definitions={"en": "An irregular heart rhythm."},
                subject_fields=["cardiology"],
            )
        )
        s.add_concept(Concept(terms=[Term("AF"), Term("Air Force")], subject_fields=["military"]))
        s.add_concept(Concept(terms=[Term("contract")], subject_fields=["law"]))
    return tmp_path


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="termlens")
    glossary_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_list_and_domain(home, capsys):
    assert run("glossary", "list") == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert run("glossary", "list", "--domain", "law") == 0
    out = capsys.readouterr().out
    assert "contract" in out and "atrial" not in out


def test_search(home, capsys):
    assert run("glossary", "search", "房颤") == 0
    assert capsys.readouterr().out.startswith("1\tatrial fibrillation")
    assert run("glossary", "search", "zzz") == 0
    assert "No concepts found" in capsys.readouterr().err


def test_detect_json_with_spans_and_alternatives(home, capsys):
    assert run("glossary", "detect", "New AF after surgery; 房颤", "--json", "--field", "cardiology") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["start"], r["end"], r["text"], r["concept_id"]) for r in rows] == [(4, 6, "AF", 1), (22, 24, "房颤", 1)]
    assert rows[0]["preferred"] == "atrial fibrillation" and rows[0]["subject_fields"] == ["cardiology"]
    assert rows[0]["alternatives"] == [{"concept_id": 2, "preferred": "AF", "subject_fields": ["military"]}]
    assert rows[1]["alternatives"] == [] and rows[1]["term_type"] == "synonym"


def test_detect_text(home, capsys):
    assert run("glossary", "detect", "the AF pilots", "--field", "military") == 0
    assert capsys.readouterr().out.strip() == "4-6\tAF\t2\tAF\talso: 1"


@dataclass
class FakeResult:
    added: int
    skipped: int
    problems: list[str] = field(default_factory=list)
    merged: int = 0
    replaced: int = 0
    kept: int = 0


def test_import_calls_the_importer(home, capsys, monkeypatch, tmp_path):
    calls = []

    def import_file(store, path, *, format=None, skip_bad=False, existing="ask", encoding=None, on_progress=None):
        calls.append((path, format, skip_bad, existing, encoding))
        on_progress(1, 1)
        return FakeResult(added=4, skipped=1, problems=["line 3: no term"])

    monkeypatch.setitem(sys.modules, "glossary.importer", types.SimpleNamespace(import_file=import_file))
    assert run("glossary", "import", str(tmp_path / "x.csv"), "--format", "csv", "--skip-bad", "--existing", "merge",
               "--encoding", "cp1252") == 0
    out, err = capsys.readouterr()
    assert calls == [(str(tmp_path / "x.csv"), "csv", True, "merge", "cp1252")]
    assert "Imported 4 concepts; skipped 1." in out and "line 3: no term" in err


def test_import_error_prints_report_and_exits_2(home, capsys, monkeypatch):
    def import_file(store, path, **kwargs):
        raise GlossaryImportError("The file has 2 bad rows.", ["line 2: empty term", "line 5: unknown status"])

    monkeypatch.setitem(sys.modules, "glossary.importer", types.SimpleNamespace(import_file=import_file))
    assert run("glossary", "import", "bad.csv") == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: The file has 2 bad rows.", "  line 2: empty term", "  line 5: unknown status"]


def test_export_and_loaders(home, capsys, monkeypatch):
    written = {}

    def write(concepts, path, format=None, neutralise=True):
        written["neutralise"] = neutralise
        written["labels"] = [c.label() for c in concepts]
        return len(written["labels"])

    formats = types.ModuleType("glossary.formats")
    formats.write = write
    monkeypatch.setitem(sys.modules, "glossary.formats", formats)
    import glossary

    monkeypatch.setattr(glossary, "formats", formats, raising=False)
    assert run("glossary", "export", "out.tbx", "--domain", "cardiology") == 0
    assert written["labels"] == ["atrial fibrillation"] and "Exported 1" in capsys.readouterr().out

    icd = types.ModuleType("glossary.icd10cm")
    icd.load = lambda store, on_progress=None, seven_char=True: 98_186 if seven_char else 46_881
    monkeypatch.setitem(sys.modules, "glossary.icd10cm", icd)
    monkeypatch.setattr(glossary, "icd10cm", icd, raising=False)
    assert run("glossary", "load-icd10cm") == 0
    assert "Loaded 98186 ICD-10-CM" in capsys.readouterr().out
    assert run("glossary", "load-icd10cm", "--without-7th-character") == 0
    assert "Loaded 46881 ICD-10-CM" in capsys.readouterr().out

    monkeypatch.setitem(sys.modules, "glossary.importer", types.SimpleNamespace(load_starter=lambda store, names=None: len(names or [1, 2, 3])))
    assert run("glossary", "load-starter", "cardiology") == 0
    assert "Loaded 1 concepts" in capsys.readouterr().out


def test_unknown_concept_error_is_one_line(home, capsys, monkeypatch):
    from glossary.errors import GlossaryError

    def boom(args, store):
        raise GlossaryError("Concept 9 is not in the glossary.")

    assert glossary_cmd._guarded(boom)(argparse.Namespace()) == 2
    assert capsys.readouterr().err == "error: Concept 9 is not in the glossary.\n"


def test_import_export_and_detect_for_real(home, capsys, tmp_path):
    good = tmp_path / "mine.csv"
    good.write_text("preferred_en,preferred_zh,abbreviations_en,case_sensitive\nheart failure,心力衰竭,HF,HF\n", encoding="utf-8")
    assert run("glossary", "import", str(good)) == 0
    assert "Imported 1 concepts; skipped 0." in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"preferred_en\nM\xc3\xa9ni\xc3\xa8re\n\xff\xfe\x80 broken\n")  # UTF-8, then not: two encodings
    assert run("glossary", "import", str(bad)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Nothing was imported") and "line 3" in err
    assert run("glossary", "list") == 0
    assert len(capsys.readouterr().out.splitlines()) == 4  # the three of the fixture and heart failure
    out = tmp_path / "all.tbx"
    assert run("glossary", "export", str(out)) == 0
    assert "Exported 4 concepts" in capsys.readouterr().out and "心力衰竭" in out.read_text(encoding="utf-8")
    assert run("glossary", "detect", "HF 与 心力衰竭", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["text"], r["preferred"]) for r in rows] == [("HF", "heart failure"), ("心力衰竭", "heart failure")]
