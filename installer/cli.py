"""The one way TermLens's command lines end: a sentence, never a traceback.

``run_command(work, errors=...)`` runs ``work()`` and turns its result into an exit code:
0 (or the exit code it returned) when it finished; 2 with ``error: SENTENCE`` on stderr (and the
lines of ``details(exc)`` indented below it) for one of ``errors``, the exceptions that
carry a sentence for the person; 130 with ``stopped`` on Ctrl-C. Anything else is a bug
and keeps its traceback. Used by ``main.py`` (``TermLensError``), ``python -m installer``
and the bundle's ``install.py``.

Standard library only: this file is copied into every offline bundle beside
``install.py``, which runs on the target machine before TermLens is installed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any


def run_command(work: Callable[[], Any], *, errors: tuple[type[BaseException], ...],
                details: Callable[[BaseException], Iterable[str]] = lambda exc: ()) -> int:
    """``work()``'s exit code, with its known errors and Ctrl-C turned into one sentence."""
    try:
        code = work()
        # a command may return what it did (a summary dict) rather than an exit code
        return code if isinstance(code, int) else 0
    except errors as exc:
        print(f"error: {exc}", file=sys.stderr)
        for line in details(exc):
            print(f"  {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
