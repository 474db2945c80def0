"""The one exception family of TermLens.

Every error a person may see derives from ``TermLensError`` and carries a sentence
they can act on (``str(error)``). It lives here, in the innermost package, so that
``glossary`` (which may not import ``desktop``) raises the same family.
"""

from __future__ import annotations


class TermLensError(Exception):
    """An error whose message is written for the person using the app."""


class GlossaryError(TermLensError):
    """A glossary operation that cannot be done (unknown concept, bad field)."""


class GlossaryImportError(GlossaryError):
    """A file could not be imported; ``report`` lists each bad line or entry and why."""

    def __init__(self, message: str, report: list | None = None) -> None:
        super().__init__(message)
        self.report = list(report or [])
