"""One user of a data folder: every command that writes takes the window's lock and says who holds it;
commands that only read run beside the window. Also the command line's smaller promises: a new
data folder gets the starter glossaries, and errors start with ``error:``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import main
from desktop.storage import instance
from desktop.storage.instance import SingleInstance

REPO = Path(__file__).resolve().parents[2]
HOLDER = (
    "import sys, time\n"
    "from desktop.storage.instance import SingleInstance\n"
    "lock = SingleInstance(sys.argv[1], what=sys.argv[2]).acquire()\n"
    "print('held', flush=True)\n"
    "time.sleep(120)\n"
)


@pytest.fixture
def window(home: Path) -> Iterator[subprocess.Popen]:
    """Another process holding the data folder as the window does."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(home), "the TermLens window"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    yield proc
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()


def _glossary_subcommands() -> set[str]:
    parser = main.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    glossary = commands.choices["glossary"]
    return set(next(a for a in glossary._actions if a.dest == "glossary_command").choices)


WRITERS = [
    ["glossary", "import", "terms.csv"],
    ["glossary", "export", "out.csv"],
    ["glossary", "delete", "1"],
    ["glossary", "undo"],
    ["glossary", "load-starter"],
    ["train", "--data", "pairs.jsonl", "--out", "mine"],
    ["eval", "--limit", "1"],
    ["eval", "make-testset", "--out", "t.jsonl"],
    ["dataset", "build", "--out", "pairs.jsonl"],
    ["security", "backup"],
    ["security", "check"],
    ["ask", "what is AF?"],
]


@pytest.mark.parametrize("argv", WRITERS, ids=[" ".join(a[:2]) for a in WRITERS])
def test_a_writing_command_is_refused_while_the_window_is_open_and_says_who_holds_the_folder(
    home: Path, window: subprocess.Popen, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    if argv[0] == "glossary" and argv[1] not in _glossary_subcommands():
        pytest.skip(f"glossary {argv[1]} is not a command here")
    (home / "terms.csv").write_text("preferred_en,definition_en\nnormalterm,fine\n", encoding="utf-8")
    before = sorted(p.name for p in home.iterdir())

    assert main.main(argv) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: TermLens is already open on this data directory")
    assert f"the TermLens window, process {window.pid} on {socket.gethostname()}, since " in err
    after = sorted(p.name for p in home.iterdir() if p.name != "logs")
    assert after == before  # nothing written: no database, no key, no output


def test_reading_commands_run_beside_the_window(home: Path, window: subprocess.Popen,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["glossary", "list"]) == 0
    assert main.main(["security", "status"]) == 0


def test_a_writing_command_holds_the_folder_while_it_runs_and_names_itself(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from glossary import importer

    seen: dict = {}

    def import_file(store, path, **kwargs):  # noqa: ANN001, ANN202
        seen["held"] = instance.held_here()
        seen["holder"] = instance.holder()
        with pytest.raises(instance.DirectoryInUse, match="the command 'glossary import', process"):
            SingleInstance().acquire()  # the window, started meanwhile
        return importer.ImportResult()

    monkeypatch.setattr(importer, "import_file", import_file)
    (home / "terms.csv").write_text("preferred_en\nx\n", encoding="utf-8")
    assert main.main(["glossary", "import", str(home / "terms.csv")]) == 0
    assert seen["held"] and seen["holder"]["pid"] == os.getpid()
    assert not instance.held_here() and not (home / instance.OWNER_NAME).exists()
    with SingleInstance() as after:  # free again for the window
        assert after.held


def test_a_description_left_by_a_killed_holder_is_not_shown(home: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(home), "the command 'train'"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    assert instance.holder(home)["what"] == "the command 'train'"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert (home / instance.OWNER_NAME).exists() and instance.holder(home) is None
    with SingleInstance(home, what="the TermLens window"):
        assert instance.holder(home)["what"] == "the TermLens window"


def test_a_new_data_folder_gets_the_starter_glossaries_on_the_command_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.main(["glossary", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) > 10  # medicine, law, finance: detection works at once


def test_glossary_errors_start_with_lower_case_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["glossary", "import", str(home / "no-such-file.csv")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_the_switches_that_turn_training_settings_off_say_so() -> None:
    parser = main.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    helps = {a.option_strings[0]: a.help for a in commands.choices["train"]._actions if a.option_strings}
    assert helps["--no-packing"].startswith("Train one pair a row instead of packing")
    assert helps["--no-fused-kernels"].startswith("Do not use the Liger fused")


def test_the_other_processes_of_a_distributed_training_run_share_the_first_ones_hold(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(home), "the command 'train'"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)  # rank 0 of `accelerate launch main.py train`
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        monkeypatch.setenv("RANK", "1")
        with instance.hold(home, what="the command 'train'"):  # rank 1: not refused, takes nothing
            assert not instance.held_here(home)
        monkeypatch.setenv("RANK", "0")
        with pytest.raises(instance.DirectoryInUse, match="the command 'train'"):
            with instance.hold(home):
                pass
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
