"""``glossary detect`` finds inflected and variant forms, and says which form it matched."""

from __future__ import annotations

import argparse
import json

import pytest

from desktop.commands import glossary_cmd
from desktop.paths import db_path
from glossary.model import Concept, Term, TermStatus, TermType
from glossary.store import GlossaryStore


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TERMLENS_HOME", str(tmp_path))
    with GlossaryStore(db_path()) as s:
        for terms in (
            [Term("atrial fibrillation"), Term("AF", type=TermType.ABBREVIATION, case_sensitive=True),
             Term("心房颤动", "zh"), Term("auricular fibrillation", type=TermType.SYNONYM, status=TermStatus.SUPERSEDED)],
            [Term("force majeure")], [Term("acute myocardial infarction")], [Term("discounted cash flow")],
            [Term("carcinoma")], [Term("eGFR", type=TermType.ABBREVIATION, case_sensitive=True)], [Term("cell")],
        ):
            s.add_concept(Concept(terms=terms))
    return tmp_path


def detect(capsys, text: str) -> list[dict]:
    parser = argparse.ArgumentParser(prog="termlens")
    glossary_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["glossary", "detect", text, "--json"])
    assert args.func(args) == 0
    return json.loads(capsys.readouterr().out or "[]")


@pytest.mark.parametrize(("text", "matched", "term"), [
    ("Two patients had atrial fibrillations", "atrial fibrillations", "atrial fibrillation"),
    ("Both force-majeure clauses failed", "force-majeure", "force majeure"),
    ("Acute myocardial infarctions were treated", "Acute myocardial infarctions", "acute myocardial infarction"),
    ("the discounted cash flows", "discounted cash flows", "discounted cash flow"),
    ("Carcinomas of the lung", "Carcinomas", "carcinoma"),
    ("the eGFRs were low", "eGFRs", "eGFR"),
    ("Two AFs in one week", "AFs", "AF"),
    ("心房顫動患者", "心房顫動", "心房颤动"),
    ("the cell's wall", "cell's", "cell"),
])
def test_the_issues_sentences_find_their_terms(home, capsys, text, matched, term):
    (row,) = detect(capsys, text)
    assert (row["matched"], row["term"]) == (matched, term)
    assert text[row["start"]:row["end"]] == matched
    assert row["inflected"] is (matched.casefold() != term.casefold())


@pytest.mark.parametrize("text", ["a wine cellar", "cellular phones", "AFTER the storm", "the afs were low"])
def test_look_alikes_find_nothing(home, capsys, text):
    assert detect(capsys, text) == []


def test_status_is_shown(home, capsys):
    (row,) = detect(capsys, "auricular fibrillation again")
    assert row["status"] == "superseded" and row["deprecated"] is True and row["match_mode"] == "inflected"
    parser = argparse.ArgumentParser(prog="termlens")
    glossary_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["glossary", "detect", "two auricular fibrillations"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "(superseded term)" in out and "matched 'auricular fibrillations' for 'auricular fibrillation'" in out


def test_an_oversized_term_from_older_data_is_reported_and_detection_goes_on(home, capsys):
    import sqlite3

    db = sqlite3.connect(db_path())
    db.execute("INSERT INTO concepts(id, status) VALUES (99, 'draft')")
    db.execute("INSERT INTO terms(concept_id, text) VALUES (99, ?)", ("-" * 100_000,))
    db.commit()
    db.close()
    parser = argparse.ArgumentParser(prog="termlens")
    glossary_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["glossary", "detect", "two carcinomas", "--json"])
    assert args.func(args) == 0
    out = capsys.readouterr()
    assert [r["matched"] for r in json.loads(out.out)] == ["carcinomas"]
    assert "1 concepts have a term longer than 256 characters" in out.err and "99" in out.err
