"""``glossary import/export/delete/undo`` from the command line: sentences, never tracebacks; no doubled imports."""

from __future__ import annotations

from tests.glossary.test_glossary_cli import home, run  # noqa: F401 - the fixture and the parser


def test_export_into_a_missing_folder_is_one_sentence(home, capsys):  # noqa: F811
    assert run("glossary", "export", "/nonexistent-dir/x.csv") == 2
    err = capsys.readouterr().err
    assert err == "error: The folder '/nonexistent-dir' does not exist; choose an existing folder to export into.\n"


def test_import_twice_asks_then_skip_merge(home, capsys, tmp_path):  # noqa: F811
    path = tmp_path / "m.csv"
    path.write_bytes("id,preferred_en,synonyms_en\nd1,Ménière disease,\n".encode("cp1252"))
    assert run("glossary", "import", str(path)) == 0
    capsys.readouterr()
    assert run("glossary", "import", str(path)) == 2
    assert "is already in the glossary" in capsys.readouterr().err
    assert run("glossary", "import", str(path), "--existing", "skip") == 0
    assert "1 entries already in the glossary, left as they were." in capsys.readouterr().out
    path.write_bytes("id,preferred_en,synonyms_en\nd1,Ménière disease,endolymphatic hydrops\n".encode("cp1252"))
    assert run("glossary", "import", str(path), "--existing", "merge") == 0
    assert "1 entries merged" in capsys.readouterr().out
    assert run("glossary", "list") == 0
    assert "Ménière disease (endolymphatic hydrops)" in capsys.readouterr().out


def test_delete_and_undo(home, capsys):  # noqa: F811
    assert run("glossary", "delete", "1", "3") == 0
    out = capsys.readouterr().out
    assert "Deleting 1\tatrial fibrillation" in out and "Deleted 2 concepts" in out
    assert run("glossary", "list") == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert run("glossary", "undo") == 0
    assert "Undid" in capsys.readouterr().out
    assert run("glossary", "list") == 0
    assert len(capsys.readouterr().out.splitlines()) == 3  # both back: one undo step
    assert run("glossary", "delete", "999") == 2
    assert capsys.readouterr().err == "error: Concept 999 is not in the glossary.\n"


def test_export_keeps_formulas_only_when_asked(home, capsys, tmp_path):  # noqa: F811
    src = tmp_path / "evil.jsonl"
    src.write_text('{"terms": [{"text": "=1+1", "lang": "en"}], "definitions": {"en": "@SUM(A1)"}}\n', encoding="utf-8")
    assert run("glossary", "import", str(src)) == 0
    out = tmp_path / "out.csv"
    assert run("glossary", "export", str(out)) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "'@SUM(A1)" in text
    assert run("glossary", "export", str(out), "--keep-formulas") == 0
    assert "'=1+1" not in out.read_text(encoding="utf-8-sig")
