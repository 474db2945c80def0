"""Open ``termlens.db``: one SQLCipher database, encrypted as a whole, keyed with the data key.

``connect(path, key=key)`` returns an ``sqlcipher3`` connection that is already keyed
(the raw 256-bit key, so no slow key derivation at each open), checked (a wrong key or
a damaged first page raises ``StorageError`` here, not at the first query), in WAL
mode with ``synchronous=FULL`` (a commit survives a power cut), foreign keys on and
temporary tables kept in memory. It is in autocommit mode (``isolation_level=None``):
stores issue ``BEGIN IMMEDIATE`` themselves, as ``GlossaryStore`` and
``ConversationStore`` do. Pass ``opener(key)`` where a store wants a connection
factory.

SQLCipher raises its own exception classes (``sqlcipher3.dbapi2.Error``), not the
standard library's ``sqlite3.Error``; ``storage_errors()`` turns either into a
``StorageError`` sentence (full disk, busy, damaged).

A database written by an older TermLens in the clear is encrypted in place the first
time it is opened (``encrypt_plaintext_database``). This module knows nothing of Qt.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlcipher3 import dbapi2

from desktop import log
from desktop.storage.atomic import fsync_dir
from desktop.errors import StorageError, phrase

_log = log.get("db")

Connection = dbapi2.Connection
DatabaseError = dbapi2.DatabaseError
_ERRORS = (dbapi2.Error, sqlite3.Error)
_PLAIN_HEADER = b"SQLite format 3\x00"


def _key_pragma(key: bytes) -> str:
    if not isinstance(key, (bytes, bytearray)) or len(key) != 32:
        raise ValueError("the data key must be 32 bytes")
    return f"PRAGMA key = \"x'{bytes(key).hex()}'\""


def _resolve(path: str | os.PathLike[str] | None) -> str:
    if path is None:
        from desktop import paths

        return str(paths.db_path())
    return str(path)


def _default_key(path: str) -> bytes:
    from desktop.storage.security import KeyManager

    home = Path(path).parent if path != ":memory:" else None
    return KeyManager(home).unlock()


def unreadable_error(path: str | os.PathLike[str]) -> StorageError:
    return StorageError.of(
        "TermLens could not open its database ({name}): the key does not fit it or the file is damaged. "
        "If you moved your data from another computer, import it with the bundle you exported; "
        "otherwise TermLens can restore the last backup.", name=Path(path).name
    )


def connect(
    path: str | os.PathLike[str] | None = None,
    key: bytes | None = None,
    *,
    wal: bool = True,
    convert_plaintext: bool = True,
) -> Connection:
    """An open, keyed, checked connection to the database at ``path`` (default: ``paths.db_path()``).

    ``key`` defaults to the data key of the database's folder from ``KeyManager`` (which
    raises ``PassphraseRequired`` when a passphrase is needed; the app unlocks once and
    passes the key). Raises ``StorageError`` when the key does not fit or the file is
    damaged. ``wal=False`` keeps the file's journal mode (used for single-file snapshots).
    """
    target = _resolve(path)
    if key is None:
        key = _default_key(target)
    if convert_plaintext and target != ":memory:" and _is_plaintext(target):
        encrypt_plaintext_database(target, key)
    fresh = target != ":memory:" and not os.path.exists(target)
    try:
        conn = sqlcipher3.connect(target, isolation_level=None, check_same_thread=False, timeout=10.0)
    except _ERRORS as exc:
        raise StorageError.of("TermLens could not open its database at {path} ({detail}).", path=str(target),
                              detail=str(exc)) from exc
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher would print HMAC failures to stderr
        conn.execute(_key_pragma(key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except _ERRORS as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise StorageError.of("The database is busy in another program; close it and try again.") from exc
        raise unreadable_error(target) from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        if target != ":memory:":
            if wal:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = FULL")
    except _ERRORS as exc:
        conn.close()
        raise as_storage_error(exc, phrase("The database")) from exc
    if fresh and os.name == "posix":
        _owner_only(target)
    return conn


def _owner_only(path: str) -> None:
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def opener(key: bytes) -> Callable[..., Connection]:
    """A connection factory bound to ``key``: ``opener(key)(path=None)`` is ``connect(path, key)``."""

    def open_db(path: str | os.PathLike[str] | None = None) -> Connection:
        return connect(path, key)

    return open_db


def integrity_check(conn: Any) -> bool:
    """True when every page authenticates (SQLCipher's HMACs) and SQLite's own check says ok."""
    try:
        try:
            bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        except _ERRORS:
            bad_pages = []  # a plain SQLite connection has no such pragma
        if bad_pages and bad_pages != [("database file is undefined",)]:  # that one: an in-memory database
            return False
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    except _ERRORS:
        return False


def is_sound(path: str | os.PathLike[str], key: bytes) -> bool:
    """Whether the database at ``path`` opens with ``key`` and passes ``integrity_check``.

    A busy database raises ``StorageError``: busy is not damaged.
    """
    try:
        conn = connect(path, key, wal=False, convert_plaintext=False)
    except StorageError as exc:
        if "busy" in str(exc):
            raise
        return False
    try:
        return integrity_check(conn)
    finally:
        conn.close()


def snapshot(src: str | os.PathLike[str], dest: str | os.PathLike[str], *, key: bytes,
             on_progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy the database at ``src`` to ``dest`` with the online backup API (consistent even
    while others write), as one self-contained encrypted file, written atomically.
    ``on_progress(pages_done, pages_total)`` is called every 256 pages (1 MB); an exception it
    raises stops the copy (nothing is left behind)."""
    out = Path(dest)
    tmp = out.with_name(f".{out.name}.partial")
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    source = connect(src, key)
    try:
        with storage_errors(f"The copy of the database ({out.name})"):
            target = connect(tmp, key, wal=False, convert_plaintext=False)
            try:
                if on_progress is None:
                    source.backup(target)
                else:
                    source.backup(target, pages=256, progress=lambda _s, left, total: on_progress(total - left, total))
                target.execute("PRAGMA journal_mode = DELETE").fetchone()  # one file, no -wal beside it
            finally:
                target.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        from desktop.storage.atomic import storage_error

        raise storage_error(exc, f"The copy of the database ({out.name})") from exc
    finally:
        source.close()
        tmp.unlink(missing_ok=True)
    fsync_dir(out.parent)
    return out


def _is_plaintext(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == _PLAIN_HEADER
    except OSError:
        return False


def encrypt_plaintext_database(path: str | os.PathLike[str], key: bytes) -> bool:
    """Encrypt a plain SQLite database in place with ``key`` (``sqlcipher_export``).

    Returns False if the file was not a plain database. The caller must hold the
    data directory (``SingleInstance``) so nothing else has the file open.
    """
    src = Path(path)
    if not _is_plaintext(str(src)):
        return False
    tmp = src.with_name(f".{src.name}.encrypting")
    tmp.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(src), isolation_level=None)
    try:
        with storage_errors(phrase("The encrypted copy of the database")):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{bytes(key).hex()}'\"", (str(tmp),))
            conn.execute("SELECT sqlcipher_export('encrypted')")
            conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
            conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, src)
    for suffix in ("-wal", "-shm"):
        Path(f"{src}{suffix}").unlink(missing_ok=True)
    fsync_dir(src.parent)
    _log.info("a plaintext database was encrypted in place")
    return True


def as_storage_error(exc: BaseException, what: str = phrase("Your change")) -> StorageError:
    """The sentence for a database error met while saving ``what``."""
    text = str(exc).lower()
    if "full" in text:
        return StorageError.of("The disk is full; {what} was not saved and nothing was changed. "
                               "Free some space and try again.", what=what)
    if "locked" in text or "busy" in text:
        return StorageError.of("The database is busy; {what} was not saved. Try again in a moment.", what=what)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StorageError.of("The database is damaged; {what} was not saved. Restart TermLens to restore the last "
                               "backup.", what=what)
    if "readonly" in text or "read-only" in text:
        return StorageError.of("The database cannot be written (read-only); {what} was not saved.", what=what)
    return StorageError.of("{what} could not be saved ({detail}); nothing was changed.", what=what, detail=str(exc))


@contextmanager
def storage_errors(what: str = phrase("Your change")) -> Iterator[None]:
    """Turn database errors (SQLCipher's or the standard library's) into ``StorageError``."""
    try:
        yield
    except _ERRORS as exc:
        raise as_storage_error(exc, what) from exc
