"""The encrypted database: keyed connections, nothing in the clear, integrity checks."""

from __future__ import annotations

import inspect
import os
import sqlite3
from pathlib import Path

import pytest

from desktop.storage import db
from desktop.errors import StorageError
from desktop.storage.security import KeyManager, PassphraseRequired

SECRET = "Patient Halvorsen reports suicidal ideation since the divorce"


def _raw(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.glob("termlens.db*"))


def test_connection_is_keyed_wal_foreign_keys_and_durable(conn) -> None:  # noqa: ANN001
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.isolation_level is None
    assert conn.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")


def test_nothing_in_the_clear_not_even_the_search_index_or_the_wal(home: Path, conn) -> None:  # noqa: ANN001
    conn.execute("CREATE TABLE notes(body TEXT)")
    conn.execute("CREATE VIRTUAL TABLE notes_fts USING fts5(body, tokenize='trigram')")
    conn.execute("INSERT INTO notes VALUES (?)", (SECRET,))
    conn.execute("INSERT INTO notes_fts VALUES (?)", (SECRET,))
    assert (home / "termlens.db-wal").stat().st_size > 0  # the text sits in the WAL now
    assert conn.execute("SELECT body FROM notes_fts WHERE notes_fts MATCH 'divorc'").fetchall() == [(SECRET,)]
    raw = _raw(home)
    for needle in (SECRET, "Halvorsen", "suicidal", "divorce"):
        assert needle.encode() not in raw
        assert needle.encode("utf-16-le") not in raw
    assert not raw.startswith(b"SQLite format 3")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Halvorsen" not in _raw(home)


def test_new_database_file_is_for_its_owner_only(home: Path, conn) -> None:  # noqa: ANN001
    if os.name == "posix":
        assert (home / "termlens.db").stat().st_mode & 0o077 == 0


def test_wrong_key_is_a_sentence_not_a_traceback(home: Path, conn) -> None:  # noqa: ANN001
    conn.execute("CREATE TABLE t(x)")
    conn.close()
    with pytest.raises(StorageError, match="key does not fit it or the file is damaged"):
        db.connect(home / "termlens.db", os.urandom(32))


def test_garbage_file_is_refused(home: Path, key: bytes) -> None:
    bad = home / "termlens.db"
    bad.write_bytes(os.urandom(8192))
    with pytest.raises(StorageError, match="could not open its database"):
        db.connect(bad, key)


def test_default_key_comes_from_the_key_manager(home: Path, key: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = db.connect()
    conn.execute("CREATE TABLE t(x)")
    conn.close()
    assert db.connect(home / "termlens.db", key).execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_default_key_needs_the_passphrase_when_there_is_one(home: Path) -> None:
    KeyManager(home, backend=None).create("a long passphrase")
    with pytest.raises(PassphraseRequired):
        db.connect()


def test_opener_is_a_connection_factory(home: Path, key: bytes) -> None:
    open_db = db.opener(key)
    first = open_db(home / "termlens.db")
    first.execute("CREATE TABLE t(x)")
    first.execute("INSERT INTO t VALUES (1)")
    assert open_db().execute("SELECT x FROM t").fetchall() == [(1,)]


def test_integrity_check_finds_damage(home: Path, key: bytes) -> None:
    conn = db.connect(home / "termlens.db", key)
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE t(x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("row %d " % i * 20,) for i in range(500)])
    conn.execute("COMMIT")
    assert db.integrity_check(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    path = home / "termlens.db"
    data = bytearray(path.read_bytes())
    data[4096 * 3 + 100 : 4096 * 3 + 164] = os.urandom(64)
    path.write_bytes(bytes(data))
    conn = db.connect(path, key)  # page 1 is fine, so it opens...
    assert not db.integrity_check(conn)  # ...but the check sees the damaged page
    conn.close()
    assert not db.is_sound(path, key)


def test_in_memory_database_works_and_checks_sound(key: bytes) -> None:
    conn = db.connect(":memory:", key)
    conn.execute("CREATE TABLE t(x)")
    assert db.integrity_check(conn)


def test_an_old_plaintext_database_is_encrypted_in_place(home: Path, key: bytes) -> None:
    path = home / "termlens.db"
    plain = sqlite3.connect(path)
    plain.execute("PRAGMA journal_mode=WAL")
    plain.execute("CREATE TABLE notes(body TEXT)")
    plain.execute("INSERT INTO notes VALUES (?)", (SECRET,))
    plain.execute("PRAGMA user_version = 7")
    plain.commit()
    plain.close()
    conn = db.connect(path, key)
    assert conn.execute("SELECT body FROM notes").fetchall() == [(SECRET,)]
    assert conn.execute("PRAGMA user_version").fetchone() == (7,)
    assert db.integrity_check(conn)
    assert b"Halvorsen" not in _raw(home)


def test_database_errors_become_sentences() -> None:
    with pytest.raises(StorageError, match="disk is full.*nothing was changed"):
        with db.storage_errors("Your note"):
            raise db.dbapi2.OperationalError("database or disk is full")
    with pytest.raises(StorageError, match="busy"):
        with db.storage_errors():
            raise sqlite3.OperationalError("database is locked")


def test_glossary_store_can_run_on_the_encrypted_connection(home: Path, key: bytes) -> None:
    store_mod = pytest.importorskip("glossary.store")
    if "connect" not in inspect.signature(store_mod.GlossaryStore).parameters:
        pytest.skip("GlossaryStore takes no connection factory yet")
    from glossary.model import Concept, Term

    path = home / "termlens.db"
    with store_mod.GlossaryStore(path, connect=lambda *a, **k: db.connect(path, key)) as store:
        store.add_concept(Concept(terms=[Term(text="Halvorsen syndrome")], definitions={"en": SECRET}))
        assert store.search("Halvorsen")
    assert b"Halvorsen" not in _raw(home)
