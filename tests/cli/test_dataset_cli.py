"""``main.py dataset ...`` as a person types it (through its argparse registration)."""

from __future__ import annotations

import argparse
import json

import pytest

from desktop.storage.appdata import open_glossary
from desktop.commands import dataset_cmd
from glossary import dataset

NOTE = """The patient developed contrast-induced nephropathy (CIN) after the angiogram.
CIN was managed with fluids. Contrast-induced nephropathy resolved within a week.
He takes apixaban. Apixaban was held for two days.
"""


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="main.py")
    dataset_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture
def glossary_fields():
    """The user's glossary (starter glossaries on first use) and its subject fields by concept."""
    with open_glossary() as store:
        return {c.id: set(c.subject_fields) for c in store.iter_concepts()}


def test_build_writes_reviewable_pairs_of_one_subject_field(glossary_fields, tmp_path, capsys):
    out = tmp_path / "law.jsonl"
    assert run("dataset", "build", "--out", str(out), "--domain", "law", "--seed", "5", "--per-concept", "2") == 0
    assert "pairs from" in capsys.readouterr().out
    pairs = dataset.read_jsonl(out)
    assert pairs and all("law" in glossary_fields[p["concept_id"]] for p in pairs)
    assert all(p["status"] == "pending" and [m["role"] for m in p["messages"]] == ["user", "assistant"]
               for p in pairs)
    per = {}
    for p in pairs:
        per[(p["concept_id"], p["lang"])] = per.get((p["concept_id"], p["lang"]), 0) + 1
    assert max(per.values()) == 2

    again = tmp_path / "again.jsonl"
    assert run("dataset", "build", "--out", str(again), "--domain", "law", "--seed", "5", "--per-concept", "2") == 0
    assert again.read_bytes() == out.read_bytes()  # the same seed, the same file


def test_build_with_documents_and_accepted(glossary_fields, tmp_path):
    doc = tmp_path / "ward.txt"
    doc.write_text("On the ward round the ECG showed atrial fibrillation with a fast rate.\n", encoding="utf-8")
    out = tmp_path / "p.jsonl"
    assert run("dataset", "build", "--out", str(out), "--domain", "medicine", "--context", str(doc),
               "--lang", "en", "--accepted") == 0
    pairs = dataset.read_jsonl(out)
    assert all(p["status"] == "accepted" and p["lang"] == "en" for p in pairs)
    assert any(p["kind"] == "context" and "ECG showed atrial fibrillation" in p["messages"][0]["content"]
               for p in pairs)


def test_build_for_an_unknown_field_is_one_sentence(glossary_fields, tmp_path, capsys):
    assert run("dataset", "build", "--out", str(tmp_path / "x.jsonl"), "--domain", "astrology") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "astrology" in err and "medicine" in err and "Traceback" not in err
    assert not (tmp_path / "x.jsonl").exists()


def test_candidates_json_and_add(glossary_fields, tmp_path, capsys):
    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    assert run("dataset", "candidates", str(note), "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    by = {r["term"]: r for r in rows}
    assert by["contrast-induced nephropathy"]["abbreviation"] == "CIN"
    assert by["contrast-induced nephropathy"]["count"] >= 2
    assert "note.txt" in by["apixaban"]["sources"] and "apixaban" in by["apixaban"]["example"].lower()

    assert run("dataset", "candidates", str(note), "--top", "2", "--add", "--field", "ward notes") == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2 and "Added 2 draft concepts" in captured.err
    with open_glossary() as store:
        added = store.concepts(domain="ward notes")
    assert {c.label() for c in added} == {"contrast-induced nephropathy", "apixaban"}


def test_candidates_from_an_unreadable_file_is_one_sentence(glossary_fields, tmp_path, capsys):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7")
    assert run("dataset", "candidates", str(scan)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "scan.pdf" in err and "Traceback" not in err
