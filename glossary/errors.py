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
    """English words a person will read that are not an error: a value put into an error
    sentence ("Your conversation") or a progress message ("Loading the tokenizer"). It is the
    English text itself; ``translated()`` gives it in the interface's language. Made with
    ``phrase("template", **values)``, so that the translation script finds it."""

    template: str = ""
    params: dict = {}


def phrase(template: str, /, **params) -> Phrase:
    p = Phrase(template.format(**params) if params else template)
    p.template, p.params = template, params
    return p


def translated(text: str) -> str:
    """``text`` in the interface's language when it is a ``Phrase`` and a translator is set;
    otherwise as it is."""
    if not isinstance(text, Phrase) or _translate is None:
        return str(text)
    try:
        return _translate(text.template).format(**_translated_values(text.params))
    except Exception:  # noqa: BLE001 - a faulty translation must not hide the text
        return str(text)


def _translated_values(params: dict) -> dict:
    return {k: translated(v) if isinstance(v, Phrase) else v for k, v in params.items()}


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
            return _translate(self.template).format(**_translated_values(self.params))
        except Exception:  # noqa: BLE001 - a faulty translation must not hide the error itself
            return english


class GlossaryError(TermLensError):
    """A glossary operation that cannot be done (unknown concept, bad field)."""


class GlossaryImportError(GlossaryError):
    """A file could not be imported; ``report`` lists each bad line or entry and why."""

    def __init__(self, message: str, report: list | None = None) -> None:
        super().__init__(message)
        self.report = list(report or [])
