"""The one exception family of TermLens.

Every error a person may see derives from ``TermLensError`` and carries a sentence
they can act on (``str(error)``). It lives here, in the innermost package, so that
``glossary`` (which may not import ``desktop``) raises the same family.
"""

from __future__ import annotations

from typing import Callable

_translate: Callable[[str], str] | None = None


def set_translator(fn: Callable[[str], str] | None) -> None:
    """Have sentences made with ``TermLensError.of`` shown in the interface's language:
    ``fn`` maps an English template to its translation (the window installs one; the command
    line keeps English)."""
    global _translate
    _translate = fn


class Phrase(str):
    """A value put into an error sentence that is itself English words ("Your conversation"):
    it is translated along with the sentence. Made with ``phrase("...")``, so that the
    translation script finds it."""


def phrase(text: str) -> Phrase:
    return Phrase(text)


class TermLensError(Exception):
    """An error whose message is written for the person using the app.

    ``Cls.of(template, **params)`` keeps the English template apart from the values put into
    it, so that ``str(error)`` can be given in the interface's language (``set_translator``);
    ``error.args[0]`` is always the English sentence.
    """

    template: str | None = None
    params: dict = {}

    @classmethod
    def of(cls, template: str, /, **params):
        err = cls(template.format(**params))
        err.template, err.params = template, params
        return err

    def __str__(self) -> str:
        english = super().__str__()
        if self.template is None or _translate is None:
            return english
        try:
            params = {k: _translate(v) if isinstance(v, Phrase) else v for k, v in self.params.items()}
            return _translate(self.template).format(**params)
        except Exception:  # noqa: BLE001 - a faulty translation must not hide the error itself
            return english


class GlossaryError(TermLensError):
    """A glossary operation that cannot be done (unknown concept, bad field)."""


class GlossaryImportError(GlossaryError):
    """A file could not be imported; ``report`` lists each bad line or entry and why."""

    def __init__(self, message: str, report: list | None = None) -> None:
        super().__init__(message)
        self.report = list(report or [])
