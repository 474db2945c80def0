"""Ctrl-C for long commands: the first asks the run to stop at its next safe point, the second quits."""

from __future__ import annotations

import signal
import sys
import threading


class StopOnInterrupt:
    """Within ``with``, the first Ctrl-C sets ``event`` (and says so when ``message`` is given);
    a second one raises ``KeyboardInterrupt``. Outside the main thread it changes nothing."""

    def __init__(self, message: str | None = None) -> None:
        self.event = threading.Event()
        self.message = message
        self._previous = None

    def __enter__(self) -> StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:  # noqa: ANN001 - signal handler
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()
        if self.message:
            print(f"\n{self.message}", file=sys.stderr, flush=True)

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
