"""Writing an export safely: to a temporary file beside the target, renamed over it at the end.

Every glossary export goes through ``atomic_text``: the file is written under a hidden
temporary name in the target's folder, flushed to disk, and moved over the target with
``os.replace`` (atomic on the same file system on Linux, macOS and Windows). An export
that is killed, cancelled or runs out of disk leaves any earlier file untouched; on an
error the temporary file is removed and one sentence says what happened (a missing
folder, no permission, a full disk). Temporary files left by a killed export of the same
target are removed at the next export. ``glossary`` may not import ``desktop``, so this
is the glossary's own helper; it knows nothing of formats.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from glossary.errors import GlossaryError

_PART = ".termlens-part"
# Read once at import (os.umask can only be read by setting it): a new export gets the
# permissions any new file of the person would get, not mkstemp's private 0600.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class ExportError(GlossaryError):
    """An export could not be written; the earlier file (if any) is unchanged."""


def _open_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new temporary file in ``folder`` (a seam for tests that simulate a full disk)."""
    return tempfile.mkstemp(prefix=f".{name}.", suffix=_PART, dir=folder)


def _remove_stale(folder: Path, name: str) -> None:
    for old in folder.glob(f".{name}.*{_PART}"):
        try:
            old.unlink()
        except OSError:
            pass


def _error(exc: OSError, target: Path) -> ExportError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ExportError.of("The disk is full: '{name}' was not written, and nothing was left behind; "
                              "free some space and export again.", name=target.name)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ExportError.of("TermLens may not write to the folder '{folder}'; choose another place.",
                              folder=str(target.parent))
    return ExportError.of("'{name}' could not be written ({reason}); any earlier file is unchanged.",
                          name=target.name, reason=exc.strerror or str(exc))


@contextmanager
def atomic_text(path: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = None) -> Iterator[IO[str]]:
    """A text file to write the export into; it becomes ``path`` only when the block ends cleanly.

    Raises ExportError (one sentence) when the folder is missing or not writable or the disk
    fills up; the temporary file is then removed and ``path`` is left as it was.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError.of("The folder '{folder}' does not exist; choose an existing folder to export into.",
                             folder=str(folder))
    if target.is_dir():
        raise ExportError.of("'{path}' is a folder; give a file name to export into.", path=str(target))
    _remove_stale(folder, target.name)
    try:
        fd, tmp = _open_temp(folder, target.name)
    except OSError as exc:
        raise _error(exc, target) from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if target.exists():  # keep the permissions the person gave the earlier file
            try:
                os.chmod(tmp, target.stat().st_mode & 0o777)
            except OSError:
                pass
        else:
            os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, ExportError):
            raise _error(exc, target) from None
        raise
