"""``main.py eval``: the report end to end with the default model, the encrypted report kept in
the data directory and ``eval show``, test sets made from the glossary, and bad input as one
sentence with nothing written."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

import main
from glossary.testset import read_testset

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "testsets" / "sample.jsonl"


def _few(tmp_path: Path, ids: list[str]) -> Path:
    """A small test set cut from the sample set (the same items, so they resolve the same way)."""
    rows = {json.loads(line)["id"]: line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()}
    path = tmp_path / "few.jsonl"
    path.write_text("\n".join(rows[i] for i in ids) + "\n", encoding="utf-8")
    return path


def _eval(*args: str) -> int:
    return main.main(["eval", *args])


@pytest.mark.slow
def test_eval_with_the_default_model_prints_the_table_and_writes_the_report(default_model_dir, tmp_path, capsys):
    testset = _few(tmp_path, ["med-01", "med-12", "law-20", "fin-25"])  # en and zh, L1 and L2, one free text
    report_dir = tmp_path / "report"
    code = _eval("--testset", str(testset), "--methods", "base,inject,oracle,lora", "--model", str(default_model_dir),
                 "--device", "cpu", "--max-new-tokens", "24", "--report", str(report_dir))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "| method | n | accuracy [95% CI]" in out
    for method in ("base", "inject", "oracle"):
        assert f"| {method} | 4 |" in out
    assert "Skipped lora" in out and "starter glossaries" in err
    md = (report_dir / "report.md").read_text(encoding="utf-8")  # a folder the person chose: plain files
    assert "## By subject field" in md and "## Injection: terms found and missed by the matcher" in md
    assert (report_dir / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    groups = (report_dir / "groups.csv").read_text(encoding="utf-8")
    assert "oracle,level:L2,1," in groups and "base,field:finance,1," in groups
    items = (report_dir / "items.csv").read_text(encoding="utf-8")
    assert items.count("fin-25") == 3  # the free-text item, answered under each method
    data = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    oracle = {r["item_id"]: r for r in data["items"] if r["method"] == "oracle"}
    assert all(r["injected"] for r in oracle.values())  # the right definitions were always in the prompt
    assert data["summaries"]["inject"]["vs_base"]["test"]


@pytest.mark.slow
def test_a_report_kept_in_the_data_directory_is_encrypted_and_eval_show_reads_it(default_model_dir, tmp_path, capsys,
                                                                                  termlens_home):
    testset = _few(tmp_path, ["med-01", "law-11"])
    code = _eval("--testset", str(testset), "--methods", "base", "--model", str(default_model_dir), "--device", "cpu",
                 "--json")
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["encrypted"] is True
    folder = Path(data["files"]["md"]).parent
    assert folder.parent == termlens_home / "reports"
    for path in folder.iterdir():
        raw = path.read_bytes()
        assert b"med-01" not in raw and b"TermLens evaluation" not in raw and not raw.startswith(b"\x89PNG")
    plain = tmp_path / "plain"
    assert _eval("show", "--report", str(folder), "--out", str(plain)) == 0
    shown = capsys.readouterr().out
    assert "# TermLens evaluation" in shown and "| base | 2 |" in shown
    assert "med-01" in (plain / "items.csv").read_text(encoding="utf-8")
    assert (plain / "accuracy.png").read_bytes()[:4] == b"\x89PNG"


def test_make_testset_writes_items_of_one_field_from_the_starter_glossaries(tmp_path, capsys):
    out = tmp_path / "made.jsonl"
    assert _eval("make-testset", "--out", str(out), "--domain", "law", "--n", "12", "--seed", "3") == 0
    items = read_testset(out)
    assert len(items) == 12 and {i.subject_field for i in items} == {"law"}
    assert all(i.level == "L1" and len(i.choices) == 4 for i in items)
    captured = capsys.readouterr()
    assert "Wrote 12 L1 items" in captured.out and "starter glossaries" in captured.err
    again = tmp_path / "again.jsonl"
    assert _eval("make-testset", "--out", str(again), "--domain", "law", "--n", "12", "--seed", "3") == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")  # the same seed, the same set


@pytest.mark.parametrize(
    "args, sentence",
    [
        (["--methods", "base,magic"], "'magic' is not an evaluation method"),
        (["--testset", "{bad}"], "line 2: 'level' must be L1 or L2"),
        (["--testset", "{missing}"], "does not exist"),
        (["--methods", "base,lora", "--adapter", "nobody"], "There is no adapter named 'nobody'"),
        (["make-testset"], "needs --out FILE"),
        (["make-testset", "--out", "{out}", "--domain", "astrology"], "No concept has the subject field 'astrology'"),
        (["show", "--report", "{empty}"], "There is no evaluation report"),
        (["--threads", "0"], "--threads must be 1 or more"),
    ],
)
def test_bad_input_is_one_sentence_and_nothing_is_written(args, sentence, tmp_path, capsys, termlens_home):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "a", "subject_field": "law", "lang": "en", "level": "L1", "question": "Q?",
                               "choices": ["x", "y"], "answer": 0}) + "\n"
                   + json.dumps({"id": "b", "subject_field": "law", "lang": "en", "level": "L3", "question": "Q?",
                                 "choices": ["x", "y"], "answer": 0}) + "\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    subs = {"{bad}": str(bad), "{missing}": str(tmp_path / "nope.jsonl"), "{out}": str(tmp_path / "out.jsonl"),
            "{empty}": str(tmp_path / "empty")}
    args = [subs.get(a, a) for a in args]
    if args[0] not in ("make-testset", "show"):
        args += ["--report", str(tmp_path / "rep")]
    assert _eval(*args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and sentence in err[0]
    assert not (tmp_path / "rep").exists() and not (tmp_path / "out.jsonl").exists()
    assert not (termlens_home / "reports").exists() or not any((termlens_home / "reports").iterdir())


def test_the_first_ctrl_c_asks_the_run_to_stop_and_the_second_interrupts():
    from desktop.commands.interrupt import StopOnInterrupt

    before = signal.getsignal(signal.SIGINT)
    with StopOnInterrupt("Stopping") as interrupt:
        os.kill(os.getpid(), signal.SIGINT)
        assert interrupt.event.is_set()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_every_spelling_parses():
    p = main.build_parser()
    a = p.parse_args(["eval", "--testset", "x.jsonl", "--methods", "base,inject", "--report", "out", "--json"])
    assert a.action == "run" and a.testset == ["x.jsonl"] and a.json
    b = p.parse_args(["eval", "make-testset", "--out", "t.jsonl", "--domain", "law", "--n", "5", "--seed", "3"])
    assert b.action == "make-testset" and b.out == "t.jsonl" and b.n == 5 and b.seed == 3
    c = p.parse_args(["eval", "show", "--report", "r", "--out", "plain"])
    assert c.action == "show" and c.report == "r" and c.out == "plain"


@pytest.mark.slow
def test_eval_json_on_a_tiny_model_skips_lora_without_an_adapter(tiny_model_dir, tmp_path, capsys):
    report_dir = tmp_path / "rep"
    code = _eval("--methods", "base,lora", "--model", str(tiny_model_dir), "--device", "cpu", "--limit", "3",
                 "--report", str(report_dir), "--json")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert data["methods"] == ["base"] and "lora" in data["skipped"] and data["encrypted"] is False
    assert data["summaries"]["base"]["n"] == 3
    assert (report_dir / "report.md").is_file() and (report_dir / "accuracy.png").is_file()


def test_make_testset_l2_writes_items_about_two_or_more_concepts_for_review(tmp_path, capsys):
    out = tmp_path / "l2.jsonl"
    assert _eval("make-testset", "--level", "L2", "--out", str(out), "--domain", "medicine", "--n", "20") == 0
    assert "Wrote 20 L2 items" in capsys.readouterr().out
    items = read_testset(out)
    assert len(items) == 20 and all(i.level == "L2" and len(i.concepts) >= 2 for i in items)
    assert all(i.status == "pending" for i in items)
    # a reviewer rejects one: it stays in the file and is no longer scored
    lines = out.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"status": "pending"', '"status": "rejected"')
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(read_testset(out)) == 19


@pytest.mark.slow
def test_eval_inline_injection_puts_the_definition_into_the_question(tiny_model_dir, tmp_path, capsys):
    testset = _few(tmp_path, ["med-01"])  # "What does the abbreviation eGFR stand for?"
    report_dir = tmp_path / "rep"
    code = _eval("--testset", str(testset), "--methods", "base,inject,oracle", "--model", str(tiny_model_dir),
                 "--device", "cpu", "--report", str(report_dir), "--json", "--inject-position", "inline")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert data["meta"]["inject_position"] == "inline"
    assert all(r["injected"] for r in data["items"] if r["method"] in ("inject", "oracle"))
