"""What the glossary store checks before it writes, and its sentences for database failures.

``check_texts`` refuses a concept without a term, a term longer than ``MAX_TERM_CHARS``
(256) and a definition longer than ``MAX_DEFINITION_CHARS`` (20,000) with one sentence:
the store calls it for every write, so an import, the editor and the command line all
get it. The limits keep every later step bounded: a term of 100,000 dashes once made
detection and the window's start take minutes. ``oversized`` finds rows stored before
the limits existed (reported at start; the matcher leaves such terms out of its index).

``storage_error`` turns an SQLite failure into one ``GlossaryError`` sentence. This
module knows nothing of Qt or of file formats.
"""

from __future__ import annotations

import sqlite3

from glossary.errors import GlossaryError, phrase
from glossary.model import MAX_DEFINITION_CHARS, MAX_TERM_CHARS, Concept


def _clip(text: str) -> str:
    return text[:40] + "…" if len(text) > 40 else text


def check_texts(c: Concept) -> None:
    """Raise ``GlossaryError`` when ``c`` has no term or a term or definition past its limit."""
    if not any(t.text.strip() for t in c.terms):
        raise GlossaryError.of("A concept needs at least one term.")
    for t in c.terms:
        if len(t.text) > MAX_TERM_CHARS:
            raise GlossaryError.of("The term \"{term}\" has {n} characters; a term may have at most {limit}.",
                                   term=_clip(t.text), n=len(t.text), limit=MAX_TERM_CHARS)
    for lang, text in c.definitions.items():
        if len(text) > MAX_DEFINITION_CHARS:
            raise GlossaryError.of("The {lang} definition of \"{term}\" has {n} characters; a definition may "
                                   "have at most {limit}.", lang=lang, term=_clip(c.label()), n=len(text),
                                   limit=MAX_DEFINITION_CHARS)


def oversized(db: sqlite3.Connection) -> list[tuple[int, str]]:
    """(concept id, what is too long) for every stored term or definition past its limit."""
    out = [(cid, f"term of {n} characters") for cid, n in db.execute(
        "SELECT concept_id, length(text) FROM terms WHERE length(text) > ? ORDER BY concept_id", (MAX_TERM_CHARS,))]
    out += [(cid, f"{lang} definition of {n} characters") for cid, lang, n in db.execute(
        "SELECT concept_id, lang, length(text) FROM definitions WHERE length(text) > ? ORDER BY concept_id",
        (MAX_DEFINITION_CHARS,))]
    return out


def like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def storage_error(exc: BaseException, path: str | None = None) -> GlossaryError:
    """One sentence for a database error met opening the glossary at ``path``, or (None) changing it."""
    what = opening(path) if path is not None else phrase("The glossary was not changed")
    text = str(exc).lower()
    if "full" in text:
        return GlossaryError.of("{what}: the disk is full. Free some space and try again.", what=what)
    if "locked" in text or "busy" in text:
        return GlossaryError.of("{what}: the glossary is in use by another TermLens window or program. "
                                "Close it and try again.", what=what)
    if "not a database" in text or "malformed" in text or "corrupt" in text or "encrypted" in text:
        return GlossaryError.of("{what}: the glossary file is damaged or is not a TermLens glossary. "
                                "Restore a backup.", what=what)
    return GlossaryError.of("{what} ({detail}).", what=what, detail=str(exc))


def opening(path: str):
    return phrase("The glossary at {path} cannot be opened", path=path)


