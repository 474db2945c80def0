"""One user of a data directory at a time: the window, or one command that writes.

Two copies of the app writing the same database and key file would step on each
other (and a restore from backup under a running copy would be lost), so the window,
and every command that writes (``main.py`` takes it for them), holds an
operating-system lock on ``home()/termlens.lock`` while it runs. The lock is released
by the OS when the process ends, even when it is killed, so a crash never leaves the
directory locked.

Beside it, ``termlens.lock.json`` says who holds it (what, process id, host, since
when), so that the one refused is told in one sentence whom to wait for. That file is
only a description: the OS lock decides; a description left by a killed process is
overwritten by the next holder, and one whose process is gone is not shown.

``SingleInstance`` never waits and is not re-entrant: a second acquire, even in the
same process, is refused. ``hold(home)`` is for code that may run under a holder of
this process (the care at start inside a command): it takes the lock only when this
process does not hold it already. In a distributed run (``accelerate launch``), only the
first process takes it, for the whole group. This module knows nothing of Qt.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from desktop.errors import StorageError

LOCK_NAME = "termlens.lock"
OWNER_NAME = "termlens.lock.json"

class DirectoryInUse(StorageError):
    """Another TermLens (the window or a command) holds the data directory."""


_held: dict[str, int] = {}  # resolved data directory -> holders in this process
_guard = threading.Lock()


def _key(home: Path) -> str:
    return str(home.expanduser().resolve())


def held_here(home: str | os.PathLike[str] | None = None) -> bool:
    """Whether this process holds the data directory ``home`` (default: ``paths.home()``)."""
    return _held.get(_key(_home(home)), 0) > 0


def _home(home: str | os.PathLike[str] | None) -> Path:
    if home is None:
        from desktop import paths

        return paths.home()
    return Path(home)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows has no signal 0: os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to another user, or cannot be asked: assume alive
    return True


def holder(home: str | os.PathLike[str] | None = None) -> dict | None:
    """The description of who holds ``home`` (what, pid, host, since), or None when unknown."""
    try:
        data = json.loads((_home(home) / OWNER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("pid"), int):
        return None
    if data.get("host") == socket.gethostname() and not _alive(data["pid"]):
        return None  # left by a process that died
    return data


def _refusal(home: Path) -> StorageError:
    who = holder(home)
    if who is None:
        return DirectoryInUse.of(
            "TermLens is already open on this data directory ({home}). "
            "Switch to the open window, or close it before starting TermLens again.", home=str(home)
        )
    return DirectoryInUse.of(
        "TermLens is already open on this data directory ({home}): {what}, process {pid} on {host}, since {since}; "
        "switch to it or wait for it to finish, then try again.",
        home=str(home), what=str(who.get("what") or "TermLens"), pid=who["pid"], host=str(who.get("host") or "?"),
        since=str(who.get("since") or "?"),
    )


class SingleInstance:
    """``SingleInstance(home, what=...).acquire()`` or ``with SingleInstance(home):``; never waits.

    ``what`` names the holder for the person who is refused ("the TermLens window",
    "the command glossary import"). Keep the object for the life of the app: when it is
    garbage-collected the lock is released.
    """

    def __init__(self, home: str | os.PathLike[str] | None = None, *, what: str = "the TermLens window") -> None:
        self.home = _home(home)
        self.path = self.home / LOCK_NAME
        self.what = what
        self._lock = FileLock(str(self.path), timeout=0, thread_local=False)

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def acquire(self) -> SingleInstance:
        """Take the directory, or raise ``StorageError`` saying who holds it."""
        if self._lock.is_locked:
            return self
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self._lock.acquire(timeout=0)
        except Timeout:
            raise _refusal(self.home) from None
        except OSError as exc:
            raise StorageError.of("TermLens could not lock its data directory ({reason}).",
                                  reason=exc.strerror or str(exc)) from exc
        self._describe()
        with _guard:
            _held[_key(self.home)] = _held.get(_key(self.home), 0) + 1
        return self

    def _describe(self) -> None:
        since = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        about = {"what": self.what, "pid": os.getpid(), "host": socket.gethostname(), "since": since}
        try:  # a description only: the lock holds even when it cannot be written
            from desktop.storage.atomic import write_text_atomic

            write_text_atomic(self.home / OWNER_NAME, json.dumps(about) + "\n")
        except StorageError:
            pass

    def release(self) -> None:
        if not self._lock.is_locked:
            return
        with _guard:
            left = _held.get(_key(self.home), 1) - 1
            if left > 0:
                _held[_key(self.home)] = left
            else:
                _held.pop(_key(self.home), None)
        if left <= 0:
            (self.home / OWNER_NAME).unlink(missing_ok=True)
        self._lock.release(force=True)

    def __enter__(self) -> SingleInstance:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def secondary_process() -> bool:
    """Whether this is a process of a distributed run other than the first (``accelerate launch``
    and ``torchrun`` set ``RANK``): the first one holds the data folder for the whole group."""
    try:
        return int(os.environ.get("RANK", "0")) > 0
    except ValueError:
        return False


@contextmanager
def hold(home: str | os.PathLike[str] | None = None, *, what: str = "TermLens") -> Iterator[None]:
    """Hold ``home`` for the block unless this process holds it already (or its group's first
    process does: ``secondary_process``); raises like ``acquire``."""
    if held_here(home) or secondary_process():
        yield
        return
    with SingleInstance(home, what=what):
        yield
