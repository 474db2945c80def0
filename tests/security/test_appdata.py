"""Opening the user's data through ``desktop.storage.appdata``: always encrypted, checked at the
start, restored from a backup when damaged, old plaintext files moved in, and a clear
sentence when a passphrase is needed and cannot be asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.storage import appdata, backup, crypto, security
from desktop.errors import StorageError
from desktop.storage.instance import SingleInstance

PLAIN_HEADER = b"SQLite format 3\x00"
SECRET = "Mr Hallvard Ekberg-Trane admitted to the assault"


def _concept(text: str):
    from glossary.model import Concept, Term

    return Concept(terms=[Term("assault")], definitions={"en": text})


def test_a_new_data_directory_is_encrypted_and_has_the_starter_glossaries(home: Path) -> None:
    data = appdata.open_user_data()
    try:
        assert data.glossary.count() > 0  # term detection works from the first question
        cid = data.conversations.create("first")
        data.conversations.add_message(cid, "user", SECRET)
    finally:
        data.close()
    assert (home / "termlens.db").read_bytes()[:16] != PLAIN_HEADER
    for p in home.glob("termlens.db*"):
        assert SECRET.encode() not in p.read_bytes()
    assert security.KeyManager(home).status() == "keyring"


def test_the_commands_glossary_is_not_seeded_when_asked_not_to(home: Path) -> None:
    with appdata.open_glossary(seed_starters=False) as store:
        assert store.count() == 0


def test_an_older_plaintext_database_is_encrypted_in_place_and_keeps_its_content(home: Path) -> None:
    from glossary.store import GlossaryStore

    with GlossaryStore(home / "termlens.db") as plain:
        plain.add_concept(_concept(SECRET))
    assert security.KeyManager(home).status() == "new"  # a plaintext file needs no lost key
    data = appdata.open_user_data()
    try:
        assert any("now encrypted" in n for n in data.notes)
        assert [c.definitions["en"] for c in data.glossary.search("assault")] == [SECRET]
        assert data.glossary.count() == 1  # not a fresh directory: no starters added
    finally:
        data.close()
    assert (home / "termlens.db").read_bytes()[:16] != PLAIN_HEADER


def _legacy(home: Path, content: str = SECRET) -> None:
    doc = {"next_id": 3, "conversations": [{
        "id": 1, "title": "Assault case", "created_at": "2024-01-05T10:00:00+00:00", "updated_at": "2024-01-05T10:02:00+00:00",
        "messages": [{"id": 2, "role": "user", "content": content, "terms": [{"text": "assault"}],
                      "created_at": "2024-01-05T10:00:00+00:00"}]}]}
    (home / "conversations.json").write_text(json.dumps(doc), encoding="utf-8")


def test_old_conversations_are_moved_in_once_with_their_dates(home: Path) -> None:
    _legacy(home)
    data = appdata.open_user_data()
    try:
        convs = data.conversations.list()
        assert [(c.title, c.created_at) for c in convs] == [("Assault case", "2024-01-05T10:00:00+00:00")]
        [msg] = data.conversations.messages(convs[0].id)
        assert msg.content == SECRET and msg.terms == [{"text": "assault"}]
        assert any("moved into the encrypted database" in n for n in data.notes)
    finally:
        data.close()
    assert not (home / "conversations.json").exists()

    _legacy(home)  # as if the move had been cut off after its commit, before the file went
    with appdata.open_conversations() as store:
        assert len(store.list()) == 1
    assert not (home / "conversations.json").exists()


def test_an_unreadable_old_conversations_file_is_kept_and_said(home: Path) -> None:
    (home / "conversations.json").write_text('{"conversations": [', encoding="utf-8")
    data = appdata.open_user_data()
    try:
        assert data.conversations.list() == []
        assert any("could not be read" in n and "left as it is" in n for n in data.notes)
    finally:
        data.close()
    assert (home / "conversations.json").read_text(encoding="utf-8") == '{"conversations": ['


def test_a_damaged_database_is_restored_from_the_last_backup_at_the_start(home: Path) -> None:
    with appdata.open_glossary(seed_starters=False) as store:
        store.add_concept(_concept(SECRET))
    backup.make_backup(key=appdata.data_key(), home=home)
    raw = bytearray((home / "termlens.db").read_bytes())
    raw[5000:9000] = b"\0" * 4000  # a damaged page
    (home / "termlens.db").write_bytes(raw)
    appdata.forget_keys()  # the next start

    data = appdata.open_user_data()
    try:
        assert any("restored the backup" in n for n in data.notes)
        assert [c.definitions["en"] for c in data.glossary.search("assault")] == [SECRET]
    finally:
        data.close()
    assert list(home.glob("termlens.db.damaged-*"))  # the damaged file is kept, not deleted


def test_while_another_termlens_holds_the_directory_the_data_still_opens(home: Path) -> None:
    with appdata.open_glossary(seed_starters=False) as store:
        store.add_concept(_concept("x"))
    appdata.forget_keys()
    with SingleInstance(home):  # the window is open
        with appdata.open_glossary() as store:
            assert store.count() == 1


def test_no_keyring_and_no_terminal_is_one_sentence_and_writes_nothing(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("TERMLENS_KEYRING", "none")
    with pytest.raises(security.PassphraseRequired, match="TERMLENS_PASSPHRASE"):
        appdata.open_glossary()
    assert not (home / "termlens.db").exists() and not (home / "keyfile.json").exists()


def _terminal(monkeypatch, answers: list[str]) -> None:
    monkeypatch.setattr(appdata, "_in_terminal", lambda: True)
    monkeypatch.setattr(appdata.getpass, "getpass", lambda prompt="": answers.pop(0))


def test_in_a_terminal_a_new_passphrase_is_typed_twice_then_asked_for(home: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TERMLENS_KEYRING", "none")
    _terminal(monkeypatch, ["correct horse", "correct hose"])
    with pytest.raises(StorageError, match="differ"):
        appdata.data_key()
    assert not (home / "keyfile.json").exists()

    _terminal(monkeypatch, ["correct horse", "correct horse"])
    key = appdata.data_key()
    assert "no secure keyring" in capsys.readouterr().err
    appdata.forget_keys()

    _terminal(monkeypatch, ["wrong one", "correct horse"])
    assert appdata.data_key() == key
    assert "does not unlock" in capsys.readouterr().err
    appdata.forget_keys()

    _terminal(monkeypatch, ["no", "nope", "never"])
    with pytest.raises(crypto.WrongPassphrase):
        appdata.data_key()


def test_private_files_are_sealed(home: Path) -> None:
    path = home / "reports" / "eval.json.enc"
    path.parent.mkdir()
    appdata.write_private(path, SECRET.encode())
    assert SECRET.encode() not in path.read_bytes()
    assert appdata.read_private(path) == SECRET.encode()
