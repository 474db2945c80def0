"""Atomic file writes: a file is either its old self or its new self, never half of each.

``write_bytes_atomic`` writes to a temporary file in the same folder, flushes it to
disk, renames it over the target with ``os.replace`` and then flushes the folder, so a
crash, a killed process or a power cut leaves the previous version or the new one.
A full disk becomes a ``StorageError`` whose sentence says nothing was changed; the
temporary file is removed and the old file is left as it was.

Folders (a model, an adapter, a training checkpoint) are published whole by
``publish_folder``: built beside their place, made durable, then swapped in through an
``.old`` copy of the previous one; ``recover_folder`` puts the previous one back after a
kill between the two renames. The installer keeps its own copy of this swap (it runs
from the bundle with the standard library only, before TermLens is installed).

New files are created readable by the owner only (they may hold client text). This
module knows nothing of encryption, of the database or of Qt.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from desktop.errors import StorageError

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def storage_error(exc: OSError, name: str) -> StorageError:
    """The sentence for an OS error met while saving ``name``."""
    if exc.errno in _FULL:
        return StorageError.of("The disk is full; {name} was not saved and nothing was changed. Free some space and try again.",
                               name=name)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError.of("TermLens may not write {name} (permission denied); nothing was changed.", name=name)
    reason = exc.strerror or type(exc).__name__
    return StorageError.of("{name} could not be saved ({reason}); nothing was changed.", name=name, reason=reason)


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename inside ``folder`` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` atomically and durably.

    Raises ``StorageError`` (full disk, no permission, ...) with the old file intact.
    """
    target = Path(path)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise storage_error(exc, target.name) from exc
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        _remove_quietly(tmp)
        raise storage_error(exc, target.name) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    fsync_dir(folder)


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """``write_bytes_atomic`` for text (no newline translation: what you pass is what is stored)."""
    write_bytes_atomic(path, text.encode(encoding))


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# --- whole folders -------------------------------------------------------------------------


def aside(final: str | os.PathLike[str]) -> Path:
    """Where ``publish_folder`` keeps the previous ``final`` during its swap: ``.NAME.old`` beside it."""
    final = Path(final)
    return final.with_name(f".{final.name}.old")


def publish_folder(staged: str | os.PathLike[str], final: str | os.PathLike[str]) -> Path:
    """Put the complete folder ``staged`` in ``final``'s place, replacing any previous one.

    ``staged`` must be beside ``final`` (same file system) and its files already durable
    (``fsync_tree``). The previous ``final`` is renamed aside, ``staged`` renamed to
    ``final``, then the one aside deleted: a kill at any moment leaves the old folder or
    the new one (aside, at worst: ``recover_folder`` puts it back). Raises ``OSError``
    (the caller words it), with the previous folder back in place.
    """
    staged, final = Path(staged), Path(final)
    old = aside(final)
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
        try:
            staged.rename(final)
        except OSError:
            old.rename(final)
            raise
        fsync_dir(final.parent)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staged.rename(final)
        fsync_dir(final.parent)
    return final


def recover_folder(final: str | os.PathLike[str]) -> bool:
    """After a ``publish_folder`` that was killed: the previous folder back in ``final``'s place
    when only the one aside exists (True), else a leftover copy aside deleted (False)."""
    final = Path(final)
    old = aside(final)
    if not old.is_dir():
        return False
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        return False
    try:
        old.rename(final)
    except OSError:
        return False
    return True


def fsync_tree(folder: str | os.PathLike[str]) -> None:
    """Flush every file under ``folder`` to disk (before a rename publishes them)."""
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
