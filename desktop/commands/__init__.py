"""Headless subcommands of ``main.py``.

Each module here defines ``register(subparsers)``, which adds its parser(s) and sets
``func=run`` where ``run(args) -> int`` is the exit code. ``main.py`` discovers them.
Commands print for a terminal; errors of the ``TermLensError`` family become one line
on stderr and exit code 2, through the one handler every command line of TermLens ends in
(``installer.cli.run_command``): ``main.py`` wraps every command in it, and ``guarded``
gives a command's ``run`` the same ending when it is called on its own (as tests do).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from installer.cli import run_command


def problems(exc: BaseException) -> list[str]:
    """The lines under an error's sentence: a file's problems for an import (the first 50)."""
    from glossary.errors import GlossaryImportError

    return [str(p) for p in exc.report[:50]] if isinstance(exc, GlossaryImportError) else []


def guarded(work: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``work`` ending as every command does: a ``TermLensError`` is one sentence on stderr
    (an import's problems below it) and exit code 2; Ctrl-C is "stopped" and 130."""
    from glossary.errors import TermLensError

    def run(args: argparse.Namespace) -> int:
        return run_command(lambda: work(args), errors=(TermLensError,), details=problems)

    run.__name__ = work.__name__
    return run
