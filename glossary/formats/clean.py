"""Clean text only: what a glossary entry may not contain, checked at import and in the editor.

Refused (the entry becomes a Problem naming the field and the character; nothing is
changed silently):

- NUL and other control characters (C0 and C1; a tab or line break is allowed in a
  definition, note or source, never in a term);
- lone surrogates (half of a UTF-16 pair: not a character at all) and the
  noncharacters U+FFFE / U+FFFF;
- a byte-order mark (U+FEFF) inside the text: the sign of two files pasted together;
- bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069),
  which can make text display in a different order from the one it is matched in;
- a term made only of invisible characters (zero-width spaces and joiners, LRM/RLM,
  the Braille blank, the Hangul fillers, spaces): it could never be seen in the editor.

Kept: zero-width joiners and marks *inside* a visible term (emoji sequences, Persian
ZWNJ), and every printable character. ``checked`` also refuses an id used twice in
one file. Knows nothing of the store or of Qt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from glossary.formats.base import Problem, ReadItem
from glossary.model import Concept

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\u180e\u2800\u3164\u115f\u1160"
                       "\uffa0\u034f\ufeff\u00ad")
_LINE_CHARS = frozenset("\t\n\r")
_ALWAYS_BAD = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff"
_BAD = re.compile(f"[{_ALWAYS_BAD}]")
_BAD_IN_TERM = re.compile(f"[{_ALWAYS_BAD}\t\n\r]")
_MAYBE_VISIBLE = re.compile("[^\\s" + "".join(sorted(_INVISIBLE)) + "]")


def _name(ch: str) -> str:
    return f"U+{ord(ch):04X}" + (f" {unicodedata.name(ch)}" if unicodedata.name(ch, "") else "")


def text_problem(text: str, *, term: bool = False) -> str | None:
    """Why ``text`` may not be stored, or None. ``term``: stricter rules for a term.

    One regular-expression search per text (a per-character loop in Python made a 50,000-row
    import 60% slower)."""
    found = (_BAD_IN_TERM if term else _BAD).search(text)
    if found:
        ch, i = found.group(), found.start()
        o = ord(ch)
        if 0xD800 <= o <= 0xDFFF:
            return f"holds a lone surrogate ({_name(ch)}) at character {i + 1}, which is not a character"
        if o < 0x20 or 0x7F <= o <= 0x9F:
            what = "a line break or tab" if ch in _LINE_CHARS else f"a control character ({_name(ch)})"
            return f"holds {what} at character {i + 1}"
        if ch in _BIDI_CONTROLS:
            return f"holds a text-direction override ({_name(ch)}) at character {i + 1}"
        if ch == "\ufeff":
            return f"holds a byte-order mark (U+FEFF) at character {i + 1}, a sign of two files pasted together"
        return f"holds the noncharacter {_name(ch)} at character {i + 1}"
    if term and text and not _visible(text):
        return "is made only of invisible characters"
    return None


def _visible(text: str) -> bool:
    """True when ``text`` has a character that shows (not a space, not invisible, not a format character)."""
    first = _MAYBE_VISIBLE.search(text)  # nearly always a letter: one lookup
    if first is None:
        return False
    return unicodedata.category(first.group()) != "Cf" or any(
        unicodedata.category(m.group()) != "Cf" for m in _MAYBE_VISIBLE.finditer(text, first.end()))


def concept_problem(concept: Concept) -> str | None:
    """Why ``concept`` holds text that may not be stored (one sentence), or None."""
    for t in concept.terms:
        why = text_problem(t.text, term=True)
        if why:
            return f"The term '{_shown(t.text)}' {why}."
    for lang, text in concept.definitions.items():
        why = text_problem(text)
        if why:
            return f"The definition ({lang}) {why}."
    fields = [("note", concept.note), ("source", concept.source), ("id", concept.external_id)]
    fields += [("subject field", s) for s in concept.subject_fields]
    for label, text in fields:
        why = text_problem(text, term=label in ("id", "subject field"))
        if why:
            return f"The {label} {why}."
    return None


def _shown(text: str) -> str:
    """``text`` safe to print in a sentence: invisible and control characters as U+ codes."""
    out = []
    for ch in text[:60]:
        if ch.isprintable() and ch not in _INVISIBLE and not 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(ch)
        else:
            out.append(f"<U+{ord(ch):04X}>")
    return "".join(out)


# --- where a concept came from (readers set it; Problems name it) ---


def set_where(concept: Concept, where: str) -> Concept:
    """Remember where in the file ``concept`` was read ("line 12"); returns it."""
    concept.__dict__["_where"] = where
    return concept


def where_of(concept: Concept, fallback: str) -> str:
    return concept.__dict__.get("_where") or fallback


def checked(items: Iterable[ReadItem]) -> Iterator[ReadItem]:
    """``items`` with each concept whose text is not clean, or whose id was already used in
    this file, replaced by a Problem."""
    seen: dict[str, str] = {}
    index = 0
    for item in items:
        index += 1
        if isinstance(item, Problem):
            yield item
            continue
        where = where_of(item, f"entry {index}")
        why = concept_problem(item)
        if why:
            yield Problem(where, why)
            continue
        ext = item.external_id
        if ext:
            if ext in seen:
                yield Problem(where, f"The id '{_shown(ext)}' is used twice in this file (first at {seen[ext]}).")
                continue
            if len(seen) < 2_000_000:  # a bound on memory for a hostile file
                seen[ext] = where
        yield item
