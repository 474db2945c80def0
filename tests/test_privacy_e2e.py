"""Encryption at rest, end to end: what a person types never lands on disk in the clear.

The real window (offscreen, default model) answers a question that carries a patient's
details; the glossary gets a client's note; the session is logged and backed up. Then
every file under the data directory (database, WAL, backups, logs, settings, key file)
is searched for those words, in UTF-8 and UTF-16: none may hold them. Reopened, the
window shows the conversation again. The same holds for the terminal commands on a
computer without a secure keyring (a passphrase protects the key), and for data that
an older TermLens left in the clear (moved into the encrypted database and removed).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from desktop import log, paths
from desktop.storage import appdata, backup
from tests.ui.conftest import ask, open_window  # noqa: F401 (open_window is a fixture)
from tests.ui.fakes import FakeWorker

ROOT = Path(__file__).resolve().parents[1]

SENTENCE = "Mr Tobias Quennell-Ashgrove, 61, told me he secretly stopped his dialysis last week"
QUESTION = f"{SENTENCE}. What does CKD-EPI estimate?"
NOTE = "Client Philippa Dunmore-Vasquez keeps her will in the Zephyrine deposit box"
TERM = "Zephyrine deposit box"
INSTRUCTIONS = "You assist the Orlwick Ward team; the patient in bed 4, Ms Ysolde Carrow-Pim, is allergic to penicillin."
NEEDLES = (SENTENCE, "Quennell-Ashgrove", "secretly stopped his dialysis", NOTE, "Dunmore-Vasquez", "Zephyrine",
           "Carrow-Pim", "Orlwick Ward")


def _files(home: Path) -> list[Path]:
    """Every file of the data directory, but not the model weights (linked in, not written)."""
    models = home / "models"
    return [p for p in home.rglob("*") if p.is_file() and models not in p.parents]


def _in_the_clear(home: Path, needles=NEEDLES) -> list[str]:
    found = []
    for p in _files(home):
        raw = p.read_bytes()
        for needle in needles:
            if needle.encode("utf-8") in raw or needle.encode("utf-16-le") in raw:
                found.append(f"{needle!r} in {p.relative_to(home)}")
    return found


@pytest.fixture
def logging_to_home(termlens_home: Path) -> Iterator[Path]:
    root = log.setup(logging.DEBUG)
    yield paths.logs_dir()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root._termlens_configured = None  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_patients_words_are_never_on_disk_in_the_clear_and_come_back_on_reopening(
    open_window, qtbot, default_model_dir, termlens_home, logging_to_home
):
    from glossary.model import Concept, Term

    win = open_window(model_dir=default_model_dir, max_new_tokens=16)
    answer = ask(qtbot, win, QUESTION)
    assert answer["content"].strip()
    assert SENTENCE in answer["prompt"]  # the words did reach the model, and were saved with the answer
    win.ctx.store.add_concept(Concept(terms=[Term(TERM)], definitions={"en": NOTE}, note=NOTE))
    win.apply_settings(replace(win.ctx.settings, system_prompt=INSTRUCTIONS))  # as the Settings dialog does
    conv_id = win.session.conv_id
    win.close()
    assert (termlens_home / "config.toml").is_file()  # the other settings are there, the instructions are not
    backup.make_backup(key=appdata.data_key(), home=termlens_home)  # a backup that holds the session

    names = {p.relative_to(termlens_home).as_posix() for p in _files(termlens_home)}
    assert "termlens.db" in names and "logs/termlens.log" in names
    assert any(n.startswith("backups/") for n in names)
    log_text = (logging_to_home / "termlens.log").read_text(encoding="utf-8")
    assert "conversation" in log_text and "answer:" in log_text  # the session was logged
    assert _in_the_clear(termlens_home) == []
    assert not (termlens_home / "conversations.json").exists()

    appdata.forget_keys()  # a new start: the key comes from the keyring again
    again = open_window(model_dir=default_model_dir, wait=False)
    assert again.session.conv_id == conv_id
    assert again.chat.bubbles[0].text == QUESTION
    assert [b.role for b in again.chat.bubbles] == ["user", "assistant"]
    assert [c.label() for c in again.ctx.store.search("Zephyrine")] == [TERM]
    assert again.ctx.settings.system_prompt == INSTRUCTIONS


def _cli(*args: str, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.mark.slow
def test_the_commands_without_a_keyring_need_the_passphrase_and_write_nothing_in_the_clear(
    tmp_path, termlens_home, default_model_dir
):
    glossary_file = tmp_path / "client.csv"
    with glossary_file.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["preferred_en", "definition_en", "note"])
        w.writerow([TERM, NOTE, NOTE])
    env = {**os.environ, "TERMLENS_HOME": str(termlens_home), "TERMLENS_KEYRING": "none",
           "TERMLENS_PASSPHRASE": "correct horse battery staple"}

    first = _cli("glossary", "import", str(glossary_file), env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    assert (termlens_home / "keyfile.json").is_file()  # the key is wrapped by the passphrase, not stored
    asked = _cli("ask", QUESTION, "--json", "--max-new-tokens", "8", env=env)
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert json.loads(asked.stdout.strip().splitlines()[-1])["new_tokens"] > 0
    found = _cli("glossary", "search", "Zephyrine", env=env)
    assert found.returncode == 0 and TERM in found.stdout

    locked = _cli("glossary", "search", "Zephyrine", env={k: v for k, v in env.items() if k != "TERMLENS_PASSPHRASE"})
    assert locked.returncode == 2
    assert locked.stderr.count("\n") == 1 and "TERMLENS_PASSPHRASE" in locked.stderr
    wrong = _cli("glossary", "list", env={**env, "TERMLENS_PASSPHRASE": "not the passphrase"})
    assert wrong.returncode == 2 and "does not unlock" in wrong.stderr and "Traceback" not in wrong.stderr

    assert (termlens_home / "logs" / "termlens.log").is_file()
    assert _in_the_clear(termlens_home) == []


def test_data_an_older_termlens_left_in_the_clear_is_encrypted_and_the_plain_files_are_gone(
    open_window, termlens_home
):
    from glossary.model import Concept, Term
    from glossary.store import GlossaryStore

    with GlossaryStore(termlens_home / "termlens.db") as plain:  # an older TermLens: plain SQLite
        plain.add_concept(Concept(terms=[Term(TERM)], definitions={"en": NOTE}))
    legacy = {"next_id": 4, "conversations": [{
        "id": 1, "title": "Dialysis question", "created_at": "2024-05-02T09:00:00+00:00",
        "updated_at": "2024-05-02T09:01:00+00:00",
        "messages": [
            {"id": 2, "role": "user", "content": SENTENCE, "terms": [], "created_at": "2024-05-02T09:00:00+00:00"},
            {"id": 3, "role": "assistant", "content": "Please tell his nephrologist.", "prompt": SENTENCE,
             "stats": {"tok_s": 20.0}, "created_at": "2024-05-02T09:01:00+00:00"},
        ]}]}
    (termlens_home / "conversations.json").write_text(json.dumps(legacy), encoding="utf-8")
    (termlens_home / "config.toml").write_text(  # an older TermLens kept the instructions here
        f'font_size = 13\nsystem_prompt = "{INSTRUCTIONS}"\n', encoding="utf-8")
    assert _in_the_clear(termlens_home)  # the test starts from words on disk

    win = open_window(worker=FakeWorker())
    assert win.ctx.settings.system_prompt == INSTRUCTIONS and win.ctx.settings.font_size == 13
    assert "system_prompt" not in (termlens_home / "config.toml").read_text(encoding="utf-8")
    assert any("now encrypted" in n for n in win.ctx.notes)
    assert any("moved into the encrypted database" in n for n in win.ctx.notes)
    assert [c["title"] for c in win.ctx.conversations.list()] == ["Dialysis question"]
    win.start()
    assert win.chat.bubbles[0].text == SENTENCE
    assert [c.label() for c in win.ctx.store.search("Zephyrine")] == [TERM]
    win.close()

    assert not (termlens_home / "conversations.json").exists()
    assert _in_the_clear(termlens_home) == []
