"""Automatic backups of ``termlens.db``, and recovery of a damaged, empty or missing one.

Backups are consistent snapshots taken with SQLite's online backup API (safe while the
app writes), encrypted with the same data key as the database, one file each under
``home()/backups/`` named by UTC time. Every new backup is checked in full right after
it is written (SQLCipher's page authentication and SQLite's ``integrity_check``: this is
also the full daily check of the data); a sound copy that holds concepts or
conversations gets a small ``.ok`` note beside it and is *known good*. Rotation keeps
the newest ``KEEP`` backups and, whatever they are, the newest known-good one, so a run
of backups of a database emptied or damaged unnoticed never pushes the last good copy
out. A copy that fails its check is deleted, and the database gets a full check at the
next start.

When: ``backup_due()`` says whether the daily backup is due (a window open for days asks
it on its own clock: there is no timer here), ``auto_backup()`` takes it when due, and
``start_backup()`` takes it on a thread of its own with progress callbacks, so that
nothing the person does waits for it.

``check_and_recover`` runs at start, before any store opens the database:

* a **missing or empty** database while backups exist: the newest good backup is put
  in its place (an empty file is kept aside) and a sentence says so;
* a **damaged** database: it is moved aside (with its ``-wal`` and ``-shm``) as
  ``termlens.db.damaged-<time>``, the newest sound backup takes its place, and a sentence
  says so; when no backup opens with the key either (most likely the key is wrong, not
  the file), nothing is touched and ``StorageError`` says so;
* a **full disk** is never taken for damage: an error that says "full", or any failed
  check while less than ``LOW_SPACE`` is free, is a ``StorageError`` saying the disk is
  full, and nothing is changed.

The routine start check authenticates every page (``PRAGMA cipher_integrity_check``:
any changed, cut or overwritten page of an encrypted database fails its HMAC); SQLite's
slower ``integrity_check`` runs on each backup's copy, on ``full=True`` (``security
check``) and at the start after a copy failed. Measured on a 155 MB glossary (ICD-10-CM)
by ``benchmarks/bench_start_check.py``: 0.5 s instead of 4.4 s. This module knows
nothing of Qt.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop import log
from desktop.errors import StorageError, phrase
from desktop.storage.atomic import fsync_dir, storage_error, write_text_atomic

_log = log.get("backup")

KEEP = 5
BACKUP_DIR = "backups"
LOW_SPACE = 1 << 20  # below this many free bytes a failed check is a full disk, not damage
CHECK_NEEDED = ".termlens.db.check-needed"  # in the data directory: the next start checks in full
_PREFIX = "termlens-"
_SUFFIX = ".db"
_GOOD = ".ok"
_STAMP = "%Y%m%dT%H%M%S%fZ"
_CONTENT_TABLES = ("concepts", "conversations")  # what makes a backup worth keeping
_FULL_WORDS = ("disk is full", "no space left", "disk full")  # SQLITE_FULL, ENOSPC (not a folder named "full")

Progress = Callable[[int, int], None]


def _home(home: str | os.PathLike[str] | None) -> Path:
    if home is None:
        from desktop import paths

        return paths.home()
    return Path(home)


def backup_dir(home: str | os.PathLike[str] | None = None) -> Path:
    return _home(home) / BACKUP_DIR


def _when(path: Path) -> datetime | None:
    try:
        return datetime.strptime(path.name[len(_PREFIX) : -len(_SUFFIX)], _STAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _note(path: Path) -> Path:
    return path.with_name(path.name + _GOOD)


def list_backups(home: str | os.PathLike[str] | None = None) -> list[Path]:
    """The backups, newest first."""
    folder = backup_dir(home)
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{_PREFIX}*{_SUFFIX}") if p.is_file() and _when(p) is not None]
    return sorted(found, key=lambda p: p.name, reverse=True)


def is_known_good(path: str | os.PathLike[str]) -> bool:
    """Whether the backup at ``path`` passed the full check when it was written and holds data."""
    return _note(Path(path)).is_file()


# --- checks --------------------------------------------------------------------------------


def _free(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _disk_full(folder: Path) -> StorageError:
    free = _free(folder)
    shown = f"{free // 1024:,} KB free" if free is not None else "no space left"
    return StorageError.of(
        "The disk holding your TermLens data is full ({free}), so its database could not be checked; "
        "nothing was changed. Free some space and start TermLens again.", free=shown
    )


def _not_damage(exc: BaseException, folder: Path) -> None:
    """Raise the right sentence when ``exc`` (or its cause) is a full disk or a busy file."""
    text = f"{exc} {exc.__cause__ or ''}".lower()
    if any(words in text for words in _FULL_WORDS):
        raise _disk_full(folder) from exc
    if isinstance(exc, StorageError) and "busy" in text:
        raise exc
    if "locked" in text or "busy" in text:
        raise StorageError.of("The database is busy in another program; close it and try again.") from exc


def examine(path: str | os.PathLike[str], key: bytes, *, full: bool = True) -> tuple[bool, bool]:
    """``(sound, holds_data)`` of the database at ``path``.

    ``full``: SQLCipher's page authentication and SQLite's ``integrity_check``; otherwise the
    pages' authentication only (``quick_check`` where the connection is not SQLCipher).
    Raises ``StorageError`` for a full disk or a busy file: neither is damage.
    """
    from desktop.storage import db

    target = Path(path)
    try:
        conn = db.connect(target, key, wal=False, convert_plaintext=False)
    except StorageError as exc:
        _not_damage(exc, target.parent)
        return _damaged(target)
    try:
        try:
            sound = _checks_pass(conn, full=full)
            holds = sound and any(_has_rows(conn, t) for t in _CONTENT_TABLES)
        except db.DatabaseError as exc:
            _not_damage(exc, target.parent)
            return _damaged(target)
    finally:
        conn.close()
    return (True, holds) if sound else _damaged(target)


def _damaged(target: Path) -> tuple[bool, bool]:
    free = _free(target.parent)
    if free is not None and free < LOW_SPACE:
        raise _disk_full(target.parent)
    return False, False


def _checks_pass(conn, *, full: bool) -> bool:  # noqa: ANN001 - an sqlcipher3 connection
    from desktop.storage import db

    try:
        bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        cipher = True
    except db.DatabaseError as exc:
        if any(word in str(exc).lower() for word in (*_FULL_WORDS, "locked", "busy")):
            raise
        bad_pages, cipher = [], False  # a plain SQLite connection has no such pragma
    if bad_pages and bad_pages != [("database file is undefined",)]:
        return False
    if full or not cipher:
        return conn.execute(f"PRAGMA {'integrity_check' if full else 'quick_check'}").fetchall() == [("ok",)]
    return True


def _has_rows(conn, table: str) -> bool:  # noqa: ANN001
    known = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return bool(known) and conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0] == 1


# --- taking backups ------------------------------------------------------------------------


def make_backup(
    *,
    key: bytes,
    home: str | os.PathLike[str] | None = None,
    keep: int = KEEP,
    now: datetime | None = None,
    on_progress: Progress | None = None,
) -> Path:
    """Snapshot the database into ``backups/`` now, check the copy in full, rotate; return the file.

    ``on_progress(pages_done, pages_total)`` follows the copy; an exception it raises stops
    it with nothing left behind. A copy that fails its check is deleted and ``StorageError``
    says the database itself needs a look (it gets the full check at the next start).
    """
    from desktop.storage import db

    root = _home(home)
    src = root / "termlens.db"
    if not src.exists():
        raise StorageError.of("There is no database to back up yet.")
    folder = backup_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, phrase("The backup")) from exc
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime(_STAMP)
    out = db.snapshot(src, folder / f"{_PREFIX}{stamp}{_SUFFIX}", key=key, on_progress=on_progress)
    try:
        sound, holds = examine(out, key, full=True)
    except StorageError:
        out.unlink(missing_ok=True)
        raise
    if not sound:
        out.unlink(missing_ok=True)
        _mark_check_needed(root)
        raise StorageError.of(
            "The backup just taken failed its check, so the database itself may be damaged; the copy was not "
            "kept. Restart TermLens: it will check the database and restore the last good backup if needed."
        )
    if holds:
        write_text_atomic(_note(out), json.dumps({"checked": "integrity_check", "at": stamp}) + "\n")
    _rotate(root, keep)
    _log.info("backup written and checked (%d bytes)", out.stat().st_size)
    return out


def _rotate(root: Path, keep: int) -> None:
    """Keep the newest ``keep`` backups and the newest known-good one; delete the rest."""
    backups = list_backups(root)
    kept = backups[: max(keep, 1)]
    if not any(is_known_good(b) for b in kept):
        kept += [b for b in backups[len(kept) :] if is_known_good(b)][:1]
    for old in backups:
        if old not in kept:
            old.unlink(missing_ok=True)
            _note(old).unlink(missing_ok=True)
    for note in backup_dir(root).glob(f"{_PREFIX}*{_SUFFIX}{_GOOD}"):
        if not note.with_name(note.name[: -len(_GOOD)]).exists():
            note.unlink(missing_ok=True)


def backup_due(
    home: str | os.PathLike[str] | None = None, *, every: timedelta = timedelta(days=1), now: datetime | None = None
) -> bool:
    """Whether a database exists and its newest backup is older than ``every`` (or there is none).

    Cheap (a folder listing): a long-running window may ask it every few minutes.
    """
    root = _home(home)
    db_file = root / "termlens.db"
    if not db_file.exists() or db_file.stat().st_size == 0:
        return False
    backups = list_backups(root)
    newest = _when(backups[0]) if backups else None
    return newest is None or (now or datetime.now(timezone.utc)) - newest >= every


def auto_backup(
    *,
    key: bytes,
    home: str | os.PathLike[str] | None = None,
    keep: int = KEEP,
    every: timedelta = timedelta(days=1),
    now: datetime | None = None,
    on_progress: Progress | None = None,
) -> Path | None:
    """``make_backup`` if ``backup_due``; otherwise None. Raises ``StorageError`` (e.g. a full
    disk): the app can show it and go on."""
    if not backup_due(home, every=every, now=now):
        return None
    return make_backup(key=key, home=home, keep=keep, now=now, on_progress=on_progress)


class _Cancelled(Exception):
    pass


class BackupJob:
    """A backup running on a thread of its own (see ``start_backup``); knows nothing of Qt.

    ``result`` is the backup file (None when none was due or it was cancelled), ``error``
    the ``StorageError`` that stopped it; both are set before ``done`` is.
    """

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Path | None = None
        self.error: StorageError | None = None
        self.cancelled = False
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def cancel(self) -> None:
        """Stop the copy at its next step (within a few milliseconds); nothing is left behind."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


def start_backup(
    *,
    key: bytes,
    home: str | os.PathLike[str] | None = None,
    keep: int = KEEP,
    only_if_due: bool = True,
    every: timedelta = timedelta(days=1),
    on_progress: Progress | None = None,
    on_done: Callable[[BackupJob], None] | None = None,
) -> BackupJob:
    """Take the backup (only when due, with ``only_if_due``) on a new thread; return at once.

    ``on_progress(pages_done, pages_total)`` and ``on_done(job)`` are called on that thread:
    a window forwards them to its own thread (a queued signal) and never waits. The thread
    opens its own connections, so the window's stores are not shared with it.
    """
    root = _home(home)
    job = BackupJob()

    def progress(done: int, total: int) -> None:
        if job._stop.is_set():
            raise _Cancelled
        if on_progress is not None:
            on_progress(done, total)

    def work() -> None:
        try:
            if not only_if_due or backup_due(root, every=every):
                job.result = make_backup(key=key, home=root, keep=keep, on_progress=progress)
        except _Cancelled:
            job.cancelled = True
        except StorageError as exc:
            job.error = exc
        except Exception as exc:  # noqa: BLE001 - a thread must not die silently
            _log.exception("the background backup failed")
            job.error = StorageError.of("The backup could not be made ({reason}).", reason=type(exc).__name__)
        finally:
            job.done.set()
            if on_done is not None:
                on_done(job)

    job.thread = threading.Thread(target=work, name="termlens-backup", daemon=True)
    job.thread.start()
    return job


# --- recovery at start ---------------------------------------------------------------------


def _mark_check_needed(root: Path) -> None:
    try:
        (root / CHECK_NEEDED).touch()
    except OSError:
        pass


def check_and_recover(
    path: str | os.PathLike[str] | None = None, *, key: bytes, now: datetime | None = None, full: bool = False
) -> str | None:
    """Check the database at start; restore the newest good backup if it is damaged, empty or missing.

    Returns None when the database is sound (or does not exist and there is no backup),
    else a sentence for the person saying what was restored and where the old file was
    kept. Raises ``StorageError`` when nothing could be restored (then nothing was
    changed) and when the disk is full. ``full``: SQLite's full check as well (always
    done after a backup's copy failed its check).
    """
    if path is None:
        from desktop import paths

        path = paths.db_path()
    target = Path(path)
    if not target.exists() or target.stat().st_size == 0:
        return _restore_absent(target, key, now)
    # Opening a damaged database can make SQLite drop its WAL; keep a copy to set aside with it.
    wal, wal_copy = Path(f"{target}-wal"), target.with_name(f".{target.name}-wal.kept")
    wal_copy.unlink(missing_ok=True)
    if wal.exists():
        try:
            shutil.copyfile(wal, wal_copy)
        except OSError as exc:
            raise storage_error(exc, phrase("The check of the database")) from exc
    marker = target.parent / CHECK_NEEDED
    try:
        message = _recover(target, key, wal_copy, now, full=full or marker.exists())
    finally:
        wal_copy.unlink(missing_ok=True)
    marker.unlink(missing_ok=True)
    return message


def _pick(backups: list[Path], key: bytes) -> Path | None:
    """The newest backup that passes the full check, preferring one that holds data."""
    fallback = None
    for candidate in backups:
        sound, holds = examine(candidate, key, full=True)
        if sound and holds:
            return candidate
        if sound and fallback is None:
            fallback = candidate
    return fallback


def _restore_absent(target: Path, key: bytes, now: datetime | None) -> str | None:
    backups = list_backups(target.parent)
    if not backups:
        return None  # a new data directory
    _log.warning("the database is %s while backups exist; restoring", "empty" if target.exists() else "missing")
    good = _pick(backups, key)
    if good is None:
        raise StorageError.of(
            "TermLens's database is missing or empty, and no backup opens with the key. Nothing was changed; "
            "the backups are still in {folder}.", folder=str(backup_dir(target.parent))
        )
    empty = target.exists()
    aside = _put_in_place(good, target, "empty" if empty else "missing", now)
    taken = _taken(good)
    if empty:
        return (f"Your database was empty, so TermLens restored the backup taken {taken}; changes made after that "
                f"are missing. The empty file was kept as {aside.name}.")
    return (f"Your database was missing, so TermLens restored the backup taken {taken}; changes made after that are "
            "missing. To start afresh instead, close TermLens and move the backups folder out of the data folder.")


def _recover(target: Path, key: bytes, wal_copy: Path, now: datetime | None, *, full: bool) -> str | None:
    if examine(target, key, full=full)[0]:
        return None
    _log.warning("the database failed its check; looking for a backup")
    backups = list_backups(target.parent)
    good = _pick(backups, key)
    if good is None:
        wal = Path(f"{target}-wal")
        if wal_copy.exists() and not wal.exists():
            os.replace(wal_copy, wal)  # put back what the failed open dropped
        if not backups:
            raise StorageError.of(
                "TermLens's database is damaged or its key does not fit, and there is no backup to restore. "
                "Nothing was changed; the file is still at {path}.", path=str(target)
            )
        raise StorageError.of(
            "TermLens's database could not be opened, and neither could any backup: the key does not fit them. "
            "Nothing was changed. If you moved your data from another computer, import the bundle you exported."
        )
    aside = _put_in_place(good, target, "damaged", now, wal_copy=wal_copy)
    _log.warning("database restored from backup %s; damaged file kept as %s", good.name, aside.name)
    return (
        f"Your database was damaged, so TermLens restored the backup taken {_taken(good)}; "
        f"changes made after that are missing. The damaged file was kept as {aside.name}."
    )


def _taken(backup: Path) -> str:
    when = _when(backup)
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else backup.name


def _put_in_place(good: Path, target: Path, why: str, now: datetime | None, *, wal_copy: Path | None = None) -> Path:
    """Copy ``good`` over ``target``; the old file and its side files are kept as ``<name>.<why>-<time>``."""
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = target.with_name(f"{target.name}.{why}-{stamp}")
    tmp = target.with_name(f".{target.name}.restoring")
    try:
        shutil.copyfile(good, tmp)
        if os.name == "posix":
            os.chmod(tmp, 0o600)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if target.exists():
            os.replace(target, aside)
        for suffix in ("-wal", "-shm", "-journal"):
            side = Path(f"{target}{suffix}")
            if side.exists():  # a stale WAL must never be replayed onto the restored file
                os.replace(side, Path(f"{aside}{suffix}"))
        if wal_copy is not None and wal_copy.exists():
            os.replace(wal_copy, Path(f"{aside}-wal"))
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(exc, phrase("The restored database")) from exc
    return aside
