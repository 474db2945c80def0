"""Inflected and variant forms: what the matcher folds, and how it tells a word's forms apart.

The matcher runs its automaton over the normalised question *folded* by ``fold``,
which keeps the length (so offsets survive):

* Chinese characters are folded to simplified ones, one character for one, so
  心房顫動 and 心房颤动 meet. The table comes from OpenCC (``opencc`` on PyPI, the
  maintained converter): every CJK ideograph whose ``t2s`` conversion is one other
  character (4,221 of them). Built once, at the first use (~0.05 s).
* Hyphens, en and em dashes and slashes become a space, and curly apostrophes
  straight ones, so "force-majeure", "force–majeure" and "force/majeure" meet
  "force majeure".

A term in ``inflected`` mode is looked for by the *stem prefix* of its last word
(``stem_prefix``: "atrial fibrillati" for "atrial fibrillation"); where the automaton
finds it, the matcher takes the whole word of the text that starts there
(``word_end``, a possessive "'s" or "s'" included) and accepts it when that word is an
inflected form of the term's word: ``same_word`` compares their keys. A word's key
(``word_key``) is its lemma from ``simplemma`` (a dictionary lemmatiser: cells -> cell,
infarctions -> infarction, analyses -> analysis, criteria -> criterion) when the
lemmatiser knows the word, else its Snowball (Porter2) stem from ``PyStemmer``
(abbreviations and words it does not know: egfrs -> egfr). So "cell" finds "cells"
and "cell's" but never "cellar" or "cellular" (other lemmas).

Why both libraries: a stemmer alone over-reaches on known words (Porter2 stems
"generalization" to "general", "organic" to "organ", "fibrillation" to "fibril"); the
lemmatiser alone knows no abbreviations ("eGFRs"). Why not a key stream of the whole
question (every word of the text replaced by its key, then mapped back): measured at
about 140 µs per 1,000 characters before any search, against about 10 µs for
``fold`` plus a key lookup per candidate here (benchmarks/bench_matcher.py).

The stem prefix is the word cut to where its stem and the word part, and to at most
the word less two letters for words of six letters or more, so that forms that
change the end of the word (analysis/analyses, criterion/criteria, colitis/colitides,
matrix/matrices) still start with it; shorter words keep their stem part (cell, flow,
company -> compan). The prefix only decides where to look: whether a word is a form
of the term is decided by the lemmatiser or the stemmer. Irregular plurals of short
words (woman/women, foot/feet) are not found; give them as synonyms.

This module knows nothing of concepts, automata, Qt or storage.
"""

from __future__ import annotations

import re

import simplemma
import Stemmer

# Letters of the Latin script (basic, Latin-1, Extended-A/B, IPA, Extended Additional).
LATIN_LETTERS = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f\u0250-\u02af\u1e00-\u1eff"  # lower case and caseless
# The rest of a word from where a stem prefix ended: letters, then a possessive ending.
_TAIL = re.compile(rf"[{LATIN_LETTERS}]*(?:'s|(?<=s)')?")
_SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212/\uff0f"
_APOSTROPHES = "\u2019\u02bc\uff07"

_STEMMER = Stemmer.Stemmer("english")
_CACHE_LIMIT = 200_000


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word[:-1] if word.endswith("'") else word


class _Keys(dict):
    """word -> key, computed at the first lookup (and forgotten in bulk past a size limit)."""

    def __missing__(self, word: str) -> tuple[str, bool]:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        value = self[word] = _key(word)
        return value


def _key(word: str) -> tuple[str, bool]:
    base = _strip_possessive(word)
    if simplemma.is_known(base, lang="en"):
        return simplemma.lemmatize(base, lang="en").casefold(), True
    return _STEMMER.stemWord(base), False


_KEYS = _Keys()


def word_key(word: str) -> str:
    """The key of one lower-case Latin word: its lemma if ``simplemma`` knows it, else its stem."""
    return _KEYS[word][0]


_SAME: dict[tuple[str, str], bool] = {}


def same_word(a: str, b: str) -> bool:
    """Whether lower-case words ``a`` and ``b`` are forms of one word (see the module docstring)."""
    if a == b:
        return True
    pair = (a, b)
    got = _SAME.get(pair)
    if got is None:
        if len(_SAME) >= _CACHE_LIMIT:
            _SAME.clear()
        got = _SAME[pair] = _same_word(a, b)
    return got


def _same_word(a: str, b: str) -> bool:
    ka, known_a = _KEYS[a]
    kb, known_b = _KEYS[b]
    if ka == kb or kb == _strip_possessive(a) or ka == _strip_possessive(b):
        return True  # one lemma, or one word the lemma of the other ("bares" -> "bare", though "bare" -> "bear")
    if known_a and known_b:
        return False  # two lemmas the dictionary tells apart (cell / cellular)
    return _STEMMER.stemWord(_strip_possessive(a)) == _STEMMER.stemWord(_strip_possessive(b))


def stem_prefix(word: str) -> str:
    """Where to look for the forms of ``word`` (a lower-case Latin word)."""
    stem = _STEMMER.stemWord(word)
    n = 0
    for x, y in zip(word, stem):
        if x != y:
            break
        n += 1
    if len(word) >= 6:
        n = min(n, len(word) - 2)
    return word[: max(n, min(len(word), 3))]


def word_end(text: str, pos: int) -> int:
    """The end of the word of ``text`` that runs on at ``pos`` (a possessive ending included)."""
    return _TAIL.match(text, pos).end()  # type: ignore[union-attr]


_CJK_FOLD: dict[int, str] | None = None
_TRADITIONAL: re.Pattern[str] | None = None


def cjk_fold() -> dict[int, str]:
    """Traditional -> simplified Chinese, one character for one, from OpenCC's ``t2s``."""
    global _CJK_FOLD, _TRADITIONAL
    if _CJK_FOLD is None:
        import opencc  # loaded at the first use only

        t2s = opencc.OpenCC("t2s")
        table: dict[int, str] = {}
        for lo, hi in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)):
            chars = [chr(cp) for cp in range(lo, hi)]
            out = t2s.convert("\n".join(chars)).split("\n")  # one call; the newlines keep them apart
            if len(out) != len(chars):  # a conversion joined characters: one by one instead
                out = [t2s.convert(ch) for ch in chars]
            for ch, simp in zip(chars, out):
                if len(simp) == 1 and simp != ch:
                    table[ord(ch)] = simp
        _TRADITIONAL = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")
        _CJK_FOLD = table
    return _CJK_FOLD


def fold(text: str) -> str:
    """``text`` (normalised) with separators made spaces, apostrophes straight and traditional
    Chinese characters simplified; as long as ``text``, character for character."""
    for ch in _SEPARATORS:
        if ch in text:
            text = text.replace(ch, " ")
    for ch in _APOSTROPHES:
        if ch in text:
            text = text.replace(ch, "'")
    if not text.isascii():
        table = cjk_fold()
        if _TRADITIONAL.search(text):  # type: ignore[union-attr]
            text = _TRADITIONAL.sub(lambda m: table[ord(m.group())], text)  # type: ignore[union-attr]
    return text


def cjk_only(text: str) -> str:
    """``text`` with traditional characters simplified, nothing else changed."""
    return text.translate(cjk_fold()) if not text.isascii() else text


def warm_up() -> None:
    """Load the lemmatiser's dictionary (~0.25 s, 23 MB) and the Chinese table now, so that the
    first question does not pay for them (the matcher calls this when it builds its index)."""
    simplemma.is_known("cells", lang="en")
    cjk_fold()
