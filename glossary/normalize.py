"""Text normalisation for term detection, with a map back to the user's offsets.

Terms and questions are compared after NFKC (which also turns full-width Latin
letters and digits into half-width ones) and Unicode case folding. Normalising
can change lengths ("ﬁ" becomes "fi", "ß" becomes "ss"), so ``normalize`` keeps,
for every normalised character, the span of original characters it came from;
spans found in normalised text are mapped back with ``Normalized.span``.

Runs of whitespace become one space. Text that needs it is normalised one
*segment* at a time (a base character with the combining marks that follow it),
which keeps the map exact and the result idempotent; text that is already normal,
or whose characters each normalise to one character, takes a fast path in C with
a one-to-one map. This module knows nothing of terms, concepts or automata.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from collections.abc import Iterable
from functools import lru_cache

from glossary.model import is_cjk_char


@lru_cache(maxsize=65536)
def _segment_norm(segment: str, fold: bool) -> str:
    out = segment
    # A few characters need more than one round (a case fold can produce a
    # sequence that NFKC composes again); three rounds reach a fixed point.
    for _ in range(3):
        nxt = unicodedata.normalize("NFKC", out)
        if fold:
            nxt = unicodedata.normalize("NFKC", nxt.casefold())
        if nxt == out:
            break
        out = nxt
    return out


@lru_cache(maxsize=65536)
def _is_mark(ch: str) -> bool:
    return unicodedata.combining(ch) != 0 or unicodedata.category(ch) in ("Mn", "Mc", "Me")


@dataclass(frozen=True)
class Normalized:
    """Normalised ``text`` and, unless it maps one-to-one, where each character came from."""

    text: str
    starts: list[int] | None = None  # original start offset of each normalised character
    ends: list[int] | None = None  # original end offset of each normalised character

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of normalised characters ``[start, end)``."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


# Blocks whose characters are all their own single-character normal form: not scanned.
_PLAIN_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xAC00, 0xD7A4), (0xD800, 0xF900), (0x20000, 0x2A6E0), (0x2A700, 0x2EBF0))


def _is_jamo(ch: str) -> bool:
    cp = ord(ch)
    return 0x1100 <= cp < 0x1200 or 0xA960 <= cp < 0xA980 or 0xD7B0 <= cp < 0xD800


def _char_class(chars: Iterable[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


@dataclass(frozen=True)
class _Tables:
    """What the fast path needs, built once from ``unicodedata`` (~0.1 s, at the first non-ASCII text).

    ``complex`` matches any character that does not normalise to exactly one stable
    character (or any character outside the BMP, where ``re`` classes are slow).
    Text without them normalises character by character, so the characters that
    change are replaced from a table and offsets map one to one.
    """

    complex: re.Pattern[str]
    changing: dict[bool, re.Pattern[str]]  # fold -> characters whose normal form differs (after casefold())
    table: dict[bool, dict[str, str]]  # fold -> character -> its normal form

    @staticmethod
    def build() -> _Tables:
        bad: list[str] = []
        table: dict[bool, dict[str, str]] = {True: {}, False: {}}
        cat, dec = unicodedata.category, unicodedata.decomposition
        cp = 0x80
        blocks = iter(_PLAIN_BLOCKS)
        skip = next(blocks, None)
        while cp < 0x10000:
            if skip and cp == skip[0]:
                cp = skip[1]
                skip = next(blocks, None)
                continue
            ch = chr(cp)
            cp += 1
            c = cat(ch)
            if c == "Cn" or not (c[0] == "M" or dec(ch) or ch.casefold() != ch or _is_jamo(ch)):
                continue
            folded, plain = _segment_norm(ch, True), _segment_norm(ch, False)
            if (
                len(folded) != 1
                or len(plain) != 1
                or len(ch.casefold()) != 1
                or _segment_norm(ch.casefold(), True) != folded
                or c[0] == "M"
                or cat(folded)[0] == "M"
                or _is_jamo(folded)
            ):
                bad.append(ch)
                continue
            if folded != ch:
                table[True][ch] = folded
            if plain != ch:
                table[False][ch] = plain
        return _Tables(
            complex=re.compile("[" + _char_class(bad) + "\U00010000-\U0010FFFF]"),
            changing={fold: re.compile("[" + _char_class(t) + "]") for fold, t in table.items()},
            table=table,
        )


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables.build()
    return _TABLES


def _segments(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if spans and _is_mark(ch):
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


_ODD_SPACE = re.compile(r"[^\S ]|  ")


def _collapse_spaces(text: str, starts: list[int] | None, ends: list[int] | None) -> Normalized:
    """Turn every run of whitespace into one space, keeping the offset map exact."""
    if starts is None or ends is None:
        starts, ends = list(range(len(text))), list(range(1, len(text) + 1))
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    for ch, s, e in zip(text, starts, ends):
        if ch.isspace():
            if out and out[-1] == " ":
                new_ends[-1] = e
                continue
            ch = " "
        out.append(ch)
        new_starts.append(s)
        new_ends.append(e)
    return Normalized("".join(out), new_starts, new_ends)


def normalize(text: str, *, fold: bool = True) -> Normalized:
    """NFKC, one space per whitespace run, case folding unless ``fold=False``; with an offset map."""
    if text.isascii():
        out = text.lower() if fold else text
    else:
        t = _tables()
        if t.complex.search(text):
            return normalize_exact(text, fold=fold)
        table = t.table[fold]
        # Case folding in C first: then only compatibility characters (full-width
        # punctuation and letters, ligature-free forms) need the table.
        out = t.changing[fold].sub(lambda m: table[m.group()], text.casefold() if fold else text)
    if "  " in out or not out.isprintable():  # cheap test before the regex
        if _ODD_SPACE.search(out):
            return _collapse_spaces(out, None, None)
    return Normalized(out)


def normalize_exact(text: str, *, fold: bool = True) -> Normalized:
    """``normalize`` one segment at a time (the path for text with complex characters)."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for s, e in _segments(text):
        piece = _segment_norm(text[s:e], fold)
        parts.append(piece)
        starts.extend([s] * len(piece))
        ends.extend([e] * len(piece))
    out = "".join(parts)
    if _ODD_SPACE.search(out):
        return _collapse_spaces(out, starts, ends)
    return Normalized(out, starts, ends)


def norm(text: str, *, fold: bool = True) -> str:
    """The normalised string alone (for terms, which need no offset map)."""
    text = text.strip()
    if text.isascii():
        if "  " in text or not text.isprintable():
            text = " ".join(text.split())  # whitespace runs to one space, as normalize does
        return text.lower() if fold else text
    return normalize(text, fold=fold).text


def is_word_char(ch: str) -> bool:
    """A letter or digit of a script written with spaces: where Latin-script terms may not be cut."""
    return (ch.isalnum() or ch == "_" or _is_mark(ch)) and not is_cjk_char(ch)


class _WordChars(dict):
    def __missing__(self, ch: str) -> bool:
        value = self[ch] = is_word_char(ch)
        return value


WORD_CHAR: dict[str, bool] = _WordChars()  # ``WORD_CHAR[ch]``: ``is_word_char`` at the cost of a dict lookup
