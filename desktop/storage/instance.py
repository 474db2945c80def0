"""One TermLens per data directory.

Two copies of the app writing the same database and key file would step on each
other (and a restore from backup under a running copy would be lost), so the app
holds an operating-system lock on ``home()/termlens.lock`` while it runs. The lock
is released by the OS when the process ends, even when it is killed, so a crash
never leaves the directory locked. This module knows nothing of Qt.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from desktop.errors import StorageError

LOCK_NAME = "termlens.lock"


class SingleInstance:
    """``SingleInstance(home).acquire()`` or ``with SingleInstance(home):``; never waits.

    Keep the object for the life of the app: when it is garbage-collected the lock is
    released.
    """

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        if home is None:
            from desktop import paths

            home = paths.home()
        self.home = Path(home)
        self.path = self.home / LOCK_NAME
        self._lock = FileLock(str(self.path), timeout=0, thread_local=False)

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def acquire(self) -> SingleInstance:
        """Take the directory, or raise ``StorageError`` if another TermLens holds it."""
        if self._lock.is_locked:
            return self
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self._lock.acquire(timeout=0)
        except Timeout:
            raise StorageError.of(
                "TermLens is already open on this data directory ({home}). "
                "Switch to the open window, or close it before starting TermLens again.", home=str(self.home)
            ) from None
        except OSError as exc:
            raise StorageError.of("TermLens could not lock its data directory ({reason}).",
                                  reason=exc.strerror or str(exc)) from exc
        return self

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)

    def __enter__(self) -> SingleInstance:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
