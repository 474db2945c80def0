"""Automatic backups of ``termlens.db`` and recovery from a damaged one.

Backups are consistent snapshots taken with SQLite's online backup API (safe while the
app writes), encrypted with the same data key as the database, one file each under
``home()/backups/`` named by UTC time; the newest ``KEEP`` are kept. ``auto_backup``
takes one at most once a day (call it at start, after the database opened).

``check_and_recover`` runs at start, before any store opens the database: when the
database fails its integrity check it is moved aside (with its ``-wal`` and ``-shm``)
as ``termlens.db.damaged-<time>``, the newest backup that passes the check takes its
place, and a sentence for the person is returned. When no backup opens with the key
either (most likely the key is wrong, not the file), nothing is touched and
``StorageError`` says so. This module knows nothing of Qt.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop import log
from desktop.storage.atomic import fsync_dir, storage_error
from desktop.errors import StorageError, phrase

_log = log.get("backup")

KEEP = 5
BACKUP_DIR = "backups"
_PREFIX = "termlens-"
_SUFFIX = ".db"
_STAMP = "%Y%m%dT%H%M%S%fZ"


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


def list_backups(home: str | os.PathLike[str] | None = None) -> list[Path]:
    """The backups, newest first."""
    folder = backup_dir(home)
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{_PREFIX}*{_SUFFIX}") if p.is_file() and _when(p) is not None]
    return sorted(found, key=lambda p: p.name, reverse=True)


def make_backup(*, key: bytes, home: str | os.PathLike[str] | None = None, keep: int = KEEP, now: datetime | None = None) -> Path:
    """Snapshot the database into ``backups/`` now and keep the newest ``keep``; return the file."""
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
    out = db.snapshot(src, folder / f"{_PREFIX}{stamp}{_SUFFIX}", key=key)
    for old in list_backups(root)[max(keep, 1) :]:
        old.unlink(missing_ok=True)
    _log.info("backup written (%d bytes)", out.stat().st_size)
    return out


def auto_backup(
    *,
    key: bytes,
    home: str | os.PathLike[str] | None = None,
    keep: int = KEEP,
    every: timedelta = timedelta(days=1),
    now: datetime | None = None,
) -> Path | None:
    """``make_backup`` if the newest backup is older than ``every`` (or there is none) and a
    database exists; otherwise None. Raises ``StorageError`` (e.g. a full disk): the app
    can show it and go on."""
    root = _home(home)
    if not (root / "termlens.db").exists():
        return None
    now = now or datetime.now(timezone.utc)
    backups = list_backups(root)
    if backups:
        newest = _when(backups[0])
        if newest is not None and now - newest < every:
            return None
    return make_backup(key=key, home=root, keep=keep, now=now)


def check_and_recover(path: str | os.PathLike[str] | None = None, *, key: bytes, now: datetime | None = None) -> str | None:
    """Check the database at start; restore the newest sound backup if it is damaged.

    Returns None when the database is sound (or does not exist yet), else a sentence
    for the person saying what was restored and where the damaged file was kept.
    Raises ``StorageError`` when nothing could be restored; then nothing was changed.
    """
    if path is None:
        from desktop import paths

        path = paths.db_path()
    target = Path(path)
    if not target.exists():
        return None
    # Opening a damaged database can make SQLite drop its WAL; keep a copy to set aside with it.
    wal, wal_copy = Path(f"{target}-wal"), target.with_name(f".{target.name}-wal.kept")
    wal_copy.unlink(missing_ok=True)
    if wal.exists():
        try:
            shutil.copyfile(wal, wal_copy)
        except OSError as exc:
            raise storage_error(exc, phrase("The check of the database")) from exc
    try:
        return _recover(target, key, wal_copy, now)
    finally:
        wal_copy.unlink(missing_ok=True)


def _recover(target: Path, key: bytes, wal_copy: Path, now: datetime | None) -> str | None:
    from desktop.storage import db

    if db.is_sound(target, key):
        return None
    _log.warning("the database failed its check; looking for a backup")
    backups = list_backups(target.parent)
    good = next((b for b in backups if db.is_sound(b, key)), None)
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
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = target.with_name(f"{target.name}.damaged-{stamp}")
    tmp = target.with_name(f".{target.name}.restoring")
    try:
        shutil.copyfile(good, tmp)
        if os.name == "posix":
            os.chmod(tmp, 0o600)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(target, aside)
        for suffix in ("-wal", "-shm", "-journal"):
            side = Path(f"{target}{suffix}")
            if side.exists():  # a stale WAL must never be replayed onto the restored file
                os.replace(side, Path(f"{aside}{suffix}"))
        if wal_copy.exists():
            os.replace(wal_copy, Path(f"{aside}-wal"))
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(exc, phrase("The restored database")) from exc
    when = _when(good)
    taken = when.strftime("%Y-%m-%d %H:%M UTC") if when else good.name
    _log.warning("database restored from backup %s; damaged file kept as %s", good.name, aside.name)
    return (
        f"Your database was damaged, so TermLens restored the backup taken {taken}; "
        f"changes made after that are missing. The damaged file was kept as {aside.name}."
    )
