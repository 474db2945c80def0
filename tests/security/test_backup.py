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


# --- a missing or empty database, rotation, full disk, background backups ------------------


def _two_backups_then(home: Path, key: bytes) -> None:
    _conversation(key, home, "kept safe")
    backup.make_backup(key=key, home=home, now=T0)
    backup.make_backup(key=key, home=home, now=T0 + timedelta(days=1))


def test_an_empty_database_is_restored_from_the_newest_good_backup(home: Path, key: bytes) -> None:
    _two_backups_then(home, key)
    os.truncate(home / "termlens.db", 0)  # truncate -s 0 termlens.db

    message = backup.check_and_recover(home / "termlens.db", key=key, now=T0 + timedelta(days=2))

    assert message is not None and "Your database was empty" in message
    assert "restored the backup taken 2026-03-02 08:00 UTC" in message
    assert (home / "termlens.db.empty-20260303T080000Z").stat().st_size == 0  # kept aside, as it was
    assert _titles(home / "termlens.db", key) == ["kept safe"]


def test_a_missing_database_is_restored_and_its_stale_wal_set_aside(home: Path, key: bytes) -> None:
    _two_backups_then(home, key)
    (home / "termlens.db").unlink()  # rm termlens.db
    Path(f"{home / 'termlens.db'}-wal").write_bytes(b"frames of the deleted file")

    message = backup.check_and_recover(home / "termlens.db", key=key, now=T0 + timedelta(days=2))

    assert message is not None and "Your database was missing" in message
    assert not Path(f"{home / 'termlens.db'}-wal").exists()
    assert (home / "termlens.db.missing-20260303T080000Z-wal").read_bytes() == b"frames of the deleted file"
    assert _titles(home / "termlens.db", key) == ["kept safe"]


def test_a_new_data_directory_without_backups_stays_new(home: Path, key: bytes) -> None:
    assert backup.check_and_recover(home / "termlens.db", key=key) is None
    assert not (home / "termlens.db").exists()


def test_the_command_line_prints_the_restore_sentence_and_lists_the_restored_glossary(
    home: Path, key: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    import main
    from desktop.storage import appdata
    from glossary.model import Concept, Term
    from glossary.store import GlossaryStore

    with GlossaryStore(home / "termlens.db", connect=db.opener(key)) as store:
        store.add_concept(Concept(terms=[Term("myocardial infarction")], definitions={"en": "heart attack"}))
    backup.make_backup(key=key, home=home, now=T0)
    os.truncate(home / "termlens.db", 0)
    appdata.forget_keys()

    assert main.main(["glossary", "list"]) == 0

    out, err = capsys.readouterr()
    assert "Your database was empty, so TermLens restored the backup taken 2026-03-01 08:00 UTC" in err
    assert "myocardial infarction" in out


def test_rotation_never_deletes_the_last_backup_known_good(home: Path, key: bytes) -> None:
    _conversation(key, home, "the real work")
    good = backup.make_backup(key=key, home=home, now=T0)
    assert backup.is_known_good(good)
    (home / "termlens.db").unlink()  # replaced unnoticed by a new, empty database...
    db.connect(home / "termlens.db", key).close()
    for day in range(1, backup.KEEP + 3):  # ...which is backed up day after day
        taken = backup.make_backup(key=key, home=home, now=T0 + timedelta(days=day))
        assert not backup.is_known_good(taken)  # sound, but it holds nothing

    kept = backup.list_backups(home)
    assert len(kept) == backup.KEEP + 1
    assert kept[-1] == good  # the last good one is still there
    assert _titles(good, key) == ["the real work"]


def test_a_restore_prefers_a_backup_that_holds_data_over_a_newer_empty_one(home: Path, key: bytes) -> None:
    _conversation(key, home, "the real work")
    backup.make_backup(key=key, home=home, now=T0)
    (home / "termlens.db").unlink()
    db.connect(home / "termlens.db", key).close()
    backup.make_backup(key=key, home=home, now=T0 + timedelta(days=1))
    (home / "termlens.db").unlink()

    message = backup.check_and_recover(home / "termlens.db", key=key)

    assert message is not None and "2026-03-01 08:00 UTC" in message
    assert _titles(home / "termlens.db", key) == ["the real work"]


def _sqlite_full(real_connect):  # noqa: ANN001, ANN202
    """``db.connect`` whose connections answer every check with SQLITE_FULL."""
    from sqlcipher3 import dbapi2

    class Full:
        def __init__(self, conn) -> None:  # noqa: ANN001
            self.conn = conn

        def execute(self, sql: str, *args: object):  # noqa: ANN202
            if "check" in sql:
                raise dbapi2.OperationalError("database or disk is full")
            return self.conn.execute(sql, *args)

        def close(self) -> None:
            self.conn.close()

    return lambda *a, **k: Full(real_connect(*a, **k))


def test_a_full_disk_is_never_reported_as_damage(home: Path, key: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    _two_backups_then(home, key)
    before = (home / "termlens.db").read_bytes()
    monkeypatch.setattr(db, "connect", _sqlite_full(db.connect))

    with pytest.raises(StorageError, match="disk holding your TermLens data is full .* nothing was changed"):
        backup.check_and_recover(home / "termlens.db", key=key)

    monkeypatch.undo()
    assert (home / "termlens.db").read_bytes() == before
    assert not [p for p in home.iterdir() if "damaged" in p.name]


def test_with_8_kb_free_a_failed_check_is_a_full_disk(home: Path, key: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    _two_backups_then(home, key)
    before = (home / "termlens.db").read_bytes()
    real_usage = backup.shutil.disk_usage
    monkeypatch.setattr(backup.shutil, "disk_usage", lambda p: real_usage(p)._replace(free=8192))
    monkeypatch.setattr(backup, "_checks_pass", lambda conn, full: False)  # what SQLite says then varies

    with pytest.raises(StorageError, match=r"is full \(8 KB free\)"):
        backup.check_and_recover(home / "termlens.db", key=key)

    monkeypatch.undo()
    assert (home / "termlens.db").read_bytes() == before


def _damage_middle_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096 + 100
    data[middle : middle + 64] = os.urandom(64)
    path.write_bytes(bytes(data))


def test_the_quick_start_check_still_finds_a_damaged_page_in_the_middle(home: Path, key: bytes) -> None:
    conn = db.connect(home / "termlens.db", key)
    store = ConversationStore(conn)
    for i in range(40):
        store.add_message(store.create(f"c{i}"), "user", "x" * 2000)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    backup.make_backup(key=key, home=home, now=T0)
    _damage_middle_page(home / "termlens.db")

    message = backup.check_and_recover(home / "termlens.db", key=key, full=False)

    assert message is not None and "was damaged" in message
    assert len(_titles(home / "termlens.db", key)) == 40


def test_a_copy_that_fails_its_check_is_not_kept_and_the_next_start_checks_in_full(
    home: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    _conversation(key, home, "a")
    monkeypatch.setattr(backup, "_checks_pass", lambda conn, full: not full)
    with pytest.raises(StorageError, match="backup just taken failed its check"):
        backup.make_backup(key=key, home=home, now=T0)
    assert backup.list_backups(home) == []
    assert (home / backup.CHECK_NEEDED).exists()
    with pytest.raises(StorageError, match="no backup to restore"):  # the full check runs, and fails
        backup.check_and_recover(home / "termlens.db", key=key)
    monkeypatch.undo()
    assert backup.check_and_recover(home / "termlens.db", key=key) is None
    assert not (home / backup.CHECK_NEEDED).exists()


def test_a_daily_backup_is_due_for_a_window_open_for_days(home: Path, key: bytes) -> None:
    assert not backup.backup_due(home, now=T0)  # no database yet
    _conversation(key, home, "a")
    assert backup.backup_due(home, now=T0)
    backup.make_backup(key=key, home=home, now=T0)
    assert not backup.backup_due(home, now=T0 + timedelta(hours=23))
    assert backup.backup_due(home, now=T0 + timedelta(days=1, minutes=1))  # the second day, same process


def test_a_background_backup_reports_progress_and_finishes_without_blocking(home: Path, key: bytes) -> None:
    conn = db.connect(home / "termlens.db", key)
    store = ConversationStore(conn)
    for i in range(300):
        store.add_message(store.create(f"c{i}"), "user", os.urandom(3000).hex())
    conn.close()
    seen: list[tuple[int, int]] = []
    finished: list[backup.BackupJob] = []

    job = backup.start_backup(key=key, home=home, on_progress=lambda d, t: seen.append((d, t)),
                              on_done=finished.append)
    assert job.wait(60)

    assert job.error is None and job.result is not None and backup.is_known_good(job.result)
    assert finished == [job]
    assert len(seen) >= 2 and seen[-1][0] == seen[-1][1]  # several steps, the last one complete
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert backup.start_backup(key=key, home=home).wait(10)  # not due any more: nothing taken
    assert len(backup.list_backups(home)) == 1


def test_a_cancelled_background_backup_leaves_nothing(home: Path, key: bytes) -> None:
    conn = db.connect(home / "termlens.db", key)
    store = ConversationStore(conn)
    for i in range(300):
        store.add_message(store.create(f"c{i}"), "user", os.urandom(3000).hex())
    conn.close()
    jobs: list[backup.BackupJob] = []
    real = backup.start_backup(key=key, home=home, on_progress=lambda d, t: jobs[0].cancel() if jobs else None)
    jobs.append(real)  # the first step may come before this: then the second one stops
    assert real.wait(60)
    assert real.cancelled and real.result is None and real.error is None
    assert list(backup.backup_dir(home).iterdir()) == []


def test_the_window_is_given_the_restore_sentence_to_show(home: Path, key: bytes) -> None:
    from desktop.storage import appdata

    _two_backups_then(home, key)
    (home / "termlens.db").unlink()
    appdata.forget_keys()

    data = appdata.open_user_data(key=key, exclusive=True, backup=False)  # as the window opens it
    try:
        assert any(n.startswith("Your database was missing, so TermLens restored the backup taken") for n in data.notes)
        assert [c.title for c in data.conversations.list()] == ["kept safe"]
    finally:
        data.close()


def test_security_check_restores_a_missing_database_and_says_so(home: Path, key: bytes,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    import main
    from desktop.storage import appdata

    _two_backups_then(home, key)
    (home / "termlens.db").unlink()
    appdata.forget_keys()

    assert main.main(["security", "check"]) == 0

    assert "Your database was missing, so TermLens restored the backup taken 2026-03-02 08:00 UTC" in capsys.readouterr().out
    assert _titles(home / "termlens.db", key) == ["kept safe"]


def test_a_command_takes_the_daily_backup_once_and_says_why_it_takes_longer(
    home: Path, key: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    import main
    from desktop.storage import appdata

    _conversation(key, home, "a")
    appdata.forget_keys()
    assert main.main(["glossary", "list"]) == 0
    assert "Taking today's backup of your TermLens data (once a day)" in capsys.readouterr().err
    assert len(backup.list_backups(home)) == 1 and backup.is_known_good(backup.list_backups(home)[0])

    appdata.forget_keys()
    assert main.main(["glossary", "list"]) == 0
    assert "backup" not in capsys.readouterr().err
    assert len(backup.list_backups(home)) == 1


def test_security_status_names_the_last_backup_known_good(home: Path, key: bytes,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import main

    _conversation(key, home, "a")
    good = backup.make_backup(key=key, home=home, now=T0)
    assert main.main(["security", "status"]) == 0
    assert f"Backups: 1, newest {good.name}; last known good {good.name}" in capsys.readouterr().out
