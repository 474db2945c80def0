"""Nothing lost: atomic writes on a full disk, rotating backups, recovery of a damaged database."""

from __future__ import annotations

import errno
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.storage import atomic, backup, crypto, db
from desktop.storage.conversations import ConversationStore
from desktop.errors import StorageError

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def _full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


# --- atomic writes ----------------------------------------------------------------------


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "notes.txt"
    atomic.write_text_atomic(target, "one\r\n")
    atomic.write_text_atomic(target, "two\n")
    assert target.read_bytes() == b"two\n"
    assert [p.name for p in target.parent.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_full_disk_raises_a_sentence_and_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "train.jsonl"
    target.write_bytes(b"old, complete\n")
    monkeypatch.setattr(atomic.os, where, _full)
    with pytest.raises(StorageError, match=r"disk is full; train.jsonl was not saved and nothing was changed"):
        atomic.write_bytes_atomic(target, b"new\n" * 10_000)
    monkeypatch.undo()
    assert target.read_bytes() == b"old, complete\n"
    assert [p.name for p in target.parent.iterdir()] == ["train.jsonl"]  # no temporary file left


def test_full_disk_while_encrypting_keeps_the_old_file(tmp_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.enc"
    crypto.encrypt_file(b"first report", target, key=key)
    monkeypatch.setattr(atomic.os, "replace", _full)
    with pytest.raises(StorageError, match="disk is full"):
        crypto.encrypt_file(b"second report", target, key=key)
    monkeypatch.undo()
    assert crypto.decrypt_file(target, key=key) == b"first report"


def test_other_write_errors_are_sentences_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic.os, "write", lambda *a: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(StorageError, match=r"could not be saved \(I/O error\); nothing was changed"):
        atomic.write_bytes_atomic(tmp_path / "x", b"y")


# --- backups ----------------------------------------------------------------------------


def _conversation(key: bytes, home: Path, title: str) -> None:
    conn = db.connect(home / "termlens.db", key)
    store = ConversationStore(conn)
    store.add_message(store.create(title), "user", f"text of {title}")
    conn.close()


def _titles(path: Path, key: bytes) -> list[str]:
    conn = db.connect(path, key)
    try:
        return sorted(c.title for c in ConversationStore(conn).list())
    finally:
        conn.close()


def test_backup_is_a_consistent_encrypted_single_file(home: Path, key: bytes) -> None:
    _conversation(key, home, "Mr Quist, CABG")
    conn = db.connect(home / "termlens.db", key)  # a writer stays open meanwhile
    out = backup.make_backup(key=key, home=home)
    conn.close()
    assert out.parent == home / "backups"
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name, f"{out.name}.ok"]  # no -wal beside it
    assert backup.is_known_good(out)  # checked in full when written, and it holds a conversation
    assert b"Quist" not in out.read_bytes()
    assert _titles(out, key) == ["Mr Quist, CABG"]


def test_backups_rotate_and_run_at_most_once_a_day(home: Path, key: bytes) -> None:
    assert backup.auto_backup(key=key, home=home, now=T0) is None  # no database yet
    _conversation(key, home, "a")
    assert backup.auto_backup(key=key, home=home, now=T0) is not None
    assert backup.auto_backup(key=key, home=home, now=T0 + timedelta(hours=20)) is None
    assert backup.auto_backup(key=key, home=home, now=T0 + timedelta(days=1)) is not None
    for day in range(2, 7):
        backup.auto_backup(key=key, home=home, now=T0 + timedelta(days=day))
    kept = backup.list_backups(home)
    assert len(kept) == backup.KEEP
    assert kept[0].name.startswith("termlens-20260307T08")  # the newest stays
    assert kept[-1].name.startswith("termlens-20260303T08")


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:512] = os.urandom(512)  # the first page: nothing can be read any more
    path.write_bytes(bytes(data))


def test_sound_database_is_left_alone(home: Path, key: bytes) -> None:
    assert backup.check_and_recover(home / "termlens.db", key=key) is None  # none yet
    _conversation(key, home, "a")
    assert backup.check_and_recover(key=key) is None


def test_damaged_database_is_restored_from_the_last_good_backup(home: Path, key: bytes) -> None:
    _conversation(key, home, "in the backup")
    backup.make_backup(key=key, home=home, now=T0)
    newest = backup.make_backup(key=key, home=home, now=T0 + timedelta(days=1))
    _damage(newest)  # the newest backup is bad too: the one before is used
    _conversation(key, home, "after the backup")
    Path(f"{home / 'termlens.db'}-wal").write_bytes(b"stale wal")
    _damage(home / "termlens.db")

    message = backup.check_and_recover(home / "termlens.db", key=key, now=T0 + timedelta(days=2))

    assert message is not None
    assert "restored the backup taken 2026-03-01 08:00 UTC" in message
    assert "termlens.db.damaged-20260303T080000Z" in message
    assert (home / "termlens.db.damaged-20260303T080000Z").exists()
    assert (home / "termlens.db.damaged-20260303T080000Z-wal").read_bytes() == b"stale wal"
    assert not Path(f"{home / 'termlens.db'}-wal").exists()
    assert _titles(home / "termlens.db", key) == ["in the backup"]
    assert backup.check_and_recover(home / "termlens.db", key=key) is None


def test_damage_without_a_backup_changes_nothing(home: Path, key: bytes) -> None:
    _conversation(key, home, "a")
    _damage(home / "termlens.db")
    wal = Path(f"{home / 'termlens.db'}-wal")
    wal.write_bytes(b"frames not yet checkpointed")
    before = (home / "termlens.db").read_bytes()
    with pytest.raises(StorageError, match="no backup to restore. Nothing was changed"):
        backup.check_and_recover(home / "termlens.db", key=key)
    assert (home / "termlens.db").read_bytes() == before
    assert wal.read_bytes() == b"frames not yet checkpointed"


def test_a_wrong_key_is_not_mistaken_for_damage(home: Path, key: bytes) -> None:
    _conversation(key, home, "a")
    backup.make_backup(key=key, home=home)
    with pytest.raises(StorageError, match="key does not fit"):
        backup.check_and_recover(home / "termlens.db", key=os.urandom(32))
    assert sorted(p.name for p in home.iterdir() if "damaged" in p.name) == []
    assert _titles(home / "termlens.db", key) == ["a"]
