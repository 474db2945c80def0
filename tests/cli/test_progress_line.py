"""Command-line progress is drawn on one terminal line and cleared at the end, so the
result is not printed after '65536/175093'; nothing is drawn into a file or pipe."""

from __future__ import annotations

import io
import sys

import pytest

from desktop.commands.progress import LineProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def screen(written: str) -> list[str]:
    """What a terminal shows: each line as the carriage returns left it."""
    lines = []
    for raw in written.split("\n"):
        shown = ""
        for part in raw.split("\r"):
            shown = part + shown[len(part):]
        lines.append(shown.rstrip())
    return lines


def test_the_progress_line_is_blank_when_the_work_ends_even_short_of_the_total():
    term = Terminal()
    with LineProgress(term, "Reading terms.csv") as progress:
        for done in (0, 65536, 131072, 65536 + 65536 + 1):  # the last report is short of the total
            progress(done, 175093)
        assert screen(term.getvalue()) == ["Reading terms.csv:  74%"]
    assert screen(term.getvalue()) == [""]
    term.write("Imported 45 concepts; skipped 0.\n")
    assert screen(term.getvalue())[0] == "Imported 45 concepts; skipped 0."


def test_the_line_is_cleared_after_an_error_and_counts_can_be_shown():
    term = Terminal()
    with pytest.raises(RuntimeError):
        with LineProgress(term, "Evaluating", counts=True) as progress:
            progress(12, 40, "What does eGFR stand for?")
            assert screen(term.getvalue()) == ["Evaluating: 12/40 What does eGFR stand for?"]
            raise RuntimeError("stopped")
    assert screen(term.getvalue()) == [""]


def test_nothing_is_drawn_into_a_file_and_the_glossary_import_prints_a_clean_result(tmp_path, capsys):
    quiet = io.StringIO()
    with LineProgress(quiet, "Reading") as progress:
        progress(1, 2)
    assert quiet.getvalue() == ""
    from desktop.commands import glossary_cmd

    src = tmp_path / "terms.csv"
    src.write_text("preferred_en,definition_en\nforce majeure,An unforeseeable event.\n", encoding="utf-8")
    import argparse

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    glossary_cmd.register(sub)
    args = parser.parse_args(["glossary", "import", str(src)])
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    assert "Imported 1 concepts" in out and "\r" not in err
    assert sys.stderr is not None
