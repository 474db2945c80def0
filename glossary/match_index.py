"""What the matcher's automaton holds: one form per term, and the checks a match must pass.

``term_forms`` turns a term into the string the automaton looks for in the folded
question (``glossary.inflect.fold``) and an ``Entry`` saying how a match of it is
accepted:

* exact mode: the form itself, on word boundaries; with a *literal* when the term's
  separators must be as written (exact "C-reactive protein" is not "C reactive
  protein"), the case as written for case-sensitive terms, and for abbreviations the
  plural and possessive with a lower-case s ("AFs", "AF's"; never "AFS" or "AFTER");
* inflected mode: the term up to the stem prefix of its head word (the last word, or
  the one before "of" in a term of up to four words); ``accept`` takes the text's whole word there and keeps the
  match if that word is a form of the head (``glossary.inflect.same_word``).

``Automaton`` indexes the forms with ``ahocorasick_rs``; a form longer than
``INDEXED`` characters is indexed by its start and compared whole where it is found,
so the automaton's size stays linear in the number of terms whatever their length.
``Chain`` joins the main automaton's entries with an overlay's. This module knows
nothing of storage, Qt or the prompt.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import ahocorasick_rs

from glossary.inflect import LATIN_LETTERS, cjk_only, fold, same_word, stem_prefix, word_end
from glossary.model import MAX_TERM_CHARS, Concept, MatchMode, Term, TermType, is_latin_letter
from glossary.normalize import WORD_CHAR, norm

__all__ = ["CHECK", "MAX_TERM_CHARS", "PLAIN", "WHOLE_WORD", "Automaton", "Chain", "Entry", "accept", "add_entries",
           "pattern_check", "term_forms"]

_INFLECTED, _EXACT = 0, 1
INDEXED = 24  # characters of a form the automaton holds


class Entry(NamedTuple):
    concept_id: int
    term: Term
    exact: str | None  # NFKC form without case folding (traditional characters folded), case-sensitive terms only
    kind: int = _EXACT  # _EXACT: the form itself; _INFLECTED: the form ends in the last word's stem prefix
    literal: str | None = None  # exact mode: the normalised text the match must be (separators as written)
    word: str | None = None  # inflected mode: the term's last word, which the text's word must be a form of
    plen: int = 0  # inflected mode: the length of that word's stem prefix (the end of the form)
    plural: bool = False  # an abbreviation: "AFs", "AF's" are found as well (lower-case s only)
    full: str | None = None  # a form longer than INDEXED: the whole of it (the automaton holds its start)
    rest: str | None = None  # inflected mode: what must follow the head word (" of contract")

    @property
    def whole_word(self) -> bool:
        """Inflected mode, the form ends with the whole head word: a match that ends on a
        word boundary is the term as written."""
        return (self.kind == _INFLECTED and self.plen == len(self.word or "") and self.rest is None
                and self.full is None and self.exact is None)

    @property
    def plain(self) -> bool:
        return (self.kind == _EXACT and self.exact is None and self.literal is None and not self.plural
                and self.full is None)




class LongForms(list):
    """The entries of a pattern that starts long forms (ICD-10-CM has thousands behind
    "Nondisplaced fracture of"): all of them as the list, and by whole form for ``accept``,
    which looks the text up at each length instead of comparing every form. Forms longer
    than ``2 * INDEXED`` are grouped once more by their first ``2 * INDEXED`` characters."""

    def __init__(self, entries: list[Entry]) -> None:
        super().__init__(entries)
        self.short = [x for x in entries if x.full is None]
        self.by_full: dict[str, list[Entry]] = {}
        deeper: dict[str, dict[str, list[Entry]]] = {}
        for x in entries:
            if x.full is not None:
                group = self.by_full if len(x.full) <= 2 * INDEXED else deeper.setdefault(x.full[:2 * INDEXED], {})
                group.setdefault(x.full, []).append(x)
        self.lengths = sorted({len(f) for f in self.by_full}, reverse=True)
        self.deeper = {k: (sorted({len(f) for f in g}, reverse=True), g) for k, g in deeper.items()}

    def at(self, ft: str, s: int) -> list[Entry]:
        """The short entries and the long ones whose whole form ``ft`` holds at ``s``."""
        out = list(self.short)
        groups = [(self.lengths, self.by_full)]
        if self.deeper:
            sub = self.deeper.get(ft[s:s + 2 * INDEXED])
            if sub is not None:
                groups.append(sub)
        for lengths, by_full in groups:
            for n in lengths:
                xs = by_full.get(ft[s:s + n])
                if xs:
                    out += xs
        return out


def _grouped(entries: list[Entry]) -> list[Entry]:
    if len(entries) <= 4:
        return entries
    return LongForms(entries) if sum(x.full is not None for x in entries) > 4 else entries


class Automaton:
    """Surface forms, their entries, and the automaton over them."""

    def __init__(self, by_form: dict[str, list[Entry]]) -> None:
        # A form longer than INDEXED characters is indexed by its start and compared whole
        # where that start is found: the automaton's size (and build time) stays linear in
        # the number of terms, whatever their length.
        patterns: dict[str, list[Entry]] = {}
        for form, xs in by_form.items():
            if len(form) > INDEXED:  # term_forms set ``full`` on these entries
                form = form[:INDEXED]
            known = patterns.get(form)
            patterns[form] = xs if known is None else known + xs
        self.forms = list(patterns)
        self.entries = [_grouped(patterns[f]) for f in self.forms]
        self.check = [pattern_check(xs) for xs in self.entries]
        self.ac = ahocorasick_rs.AhoCorasick(self.forms, matchkind=ahocorasick_rs.MatchKind.Standard) if self.forms else None
        self._of: dict[int, list[int]] | None = None

    def find(self, text: str) -> list[tuple[int, int, int]]:
        return self.ac.find_matches_as_indexes(text, overlapping=True) if self.ac is not None else []

    def patterns_of(self, concept_id: int) -> list[int]:
        """Indexes of the forms that carry an entry of ``concept_id`` (the map is built at the first call)."""
        if self._of is None:
            of: dict[int, list[int]] = {}
            for i, xs in enumerate(self.entries):
                for x in xs:
                    of.setdefault(x.concept_id, []).append(i)
            self._of = of
        return self._of.get(concept_id, [])


class Chain:
    """``a[k]`` for ``k < len(a)``, else ``b[k - len(a)]``: the main automaton's entries plus a few changed ones."""

    __slots__ = ("a", "b", "n")

    def __init__(self, a: list, b: list) -> None:
        self.a, self.b, self.n = a, b, len(a)

    def __getitem__(self, k: int):  # noqa: ANN204
        return self.a[k] if k < self.n else self.b[k - self.n]




_LATIN_RUN = re.compile(rf"[{LATIN_LETTERS}]+\Z")


def _last_word(form: str) -> int:
    """Where the Latin word that ends ``form`` (case-folded) starts, or -1 (the form ends otherwise)."""
    chunk = form[form.rfind(" ") + 1:]
    m = _LATIN_RUN.search(chunk)
    if m is None:
        return -1
    i = len(form) - len(chunk) + m.start()
    if i and (WORD_CHAR[form[i - 1]] or form[i - 1] == "'"):
        return -1
    return i


def term_forms(c: Concept, t: Term) -> list[tuple[str, Entry]]:
    """The automaton's forms for term ``t`` of ``c`` with their entries; none for an empty or over-long term."""
    if len(t.text) > MAX_TERM_CHARS:
        return []  # kept out of the index (the store refuses such terms; old data may hold them)
    nf = norm(t.text)
    if not nf:
        return []
    ff = fold(nf)
    exact = cjk_only(norm(t.text, fold=False)) if t.case_sensitive else None
    mode = t.effective_match_mode
    if mode is MatchMode.INFLECTED:
        # The head word is inflected: the last one, or in "X of Y" (up to four words) the one before "of"
        # ("breaches of contract", "statutes of limitations").
        head, rest = ff.split(" of ", 1) if " of " in ff and ff.count(" ") <= 3 else (ff, "")
        i = _last_word(head)
        if i >= 0:
            word = head[i:]
            prefix = stem_prefix(word)
            form = head[:i] + prefix
            x = Entry(c.id, t, exact, _INFLECTED, None, word, len(prefix), rest=" of " + rest if rest else None,  # type: ignore[arg-type]
                      full=form if len(form) > INDEXED else None)
            if len(prefix) == len(word) or rest or len(ff) > INDEXED:
                return [(form, x)]
            # The term as written too: where the text holds it as a whole word, no check is needed.
            return [(form, x), (ff, x._replace(plen=len(word)))]
    plural = (t.match_mode is None and (t.type is TermType.ABBREVIATION or t.case_sensitive)
              and is_latin_letter(t.text[-1]) and any(ch.isupper() for ch in t.text))
    # Exact mode keeps separators as written; an inflected term that ends otherwise than in a
    # word ("COVID-19") is found as written, with its separator variants ("COVID 19").
    literal = cjk_only(nf) if mode is MatchMode.EXACT else ff
    return [(ff, Entry(c.id, t, exact, _EXACT, literal if literal != ff else None, None, 0, plural,  # type: ignore[arg-type]
                       full=ff if len(ff) > INDEXED else None))]


def add_entries(by_form: dict[str, list[Entry]], c: Concept, skipped: list[int]) -> None:
    for t in c.terms:
        got = term_forms(c, t)
        for form, x in got:
            by_form.setdefault(form, []).append(x)
        if not got and len(t.text) > MAX_TERM_CHARS and (not skipped or skipped[-1] != c.id):
            skipped.append(c.id)  # type: ignore[arg-type]


PLAIN, WHOLE_WORD, CHECK = 0, 2, 3  # bits: a pattern's kind is the OR of its entries' kinds


def entry_check(x: Entry) -> int:
    return PLAIN if x.plain else WHOLE_WORD if x.whole_word else CHECK


def pattern_check(entries: list[Entry]) -> int:
    """How ``detect`` treats a match of a pattern with ``entries``: PLAIN (the word-boundary
    rule is all), WHOLE_WORD (that rule, unless the text's word runs on or a possessive
    follows: then ``accept``), CHECK (always ``accept``)."""
    if len(entries) == 1:
        return entry_check(entries[0])
    out = PLAIN
    for x in entries:
        out |= entry_check(x)
    return out


def accept(text: str, n: Any, ft: str, s: int, e: int, entries: list[Entry]) -> tuple[int, list[Entry]]:
    """Where the match at ``s`` ends for each entry of a form that needs more than the
    word-boundary rule (inflected, abbreviation plural, separators or case as written),
    and the entries that end furthest."""
    word = WORD_CHAR
    size = len(ft)
    if type(entries) is LongForms:
        entries = entries.at(ft, s)
    best, kept = -1, []
    e0 = e
    tail_at, tail, tail_ok = -1, -1, False  # where the text's word that runs on at tail_at ends
    for x in entries:
        e = e0
        if x.full is not None:  # a long form: the automaton holds its start only
            if not ft.startswith(x.full, s):
                continue
            e = s + len(x.full)
        end = e
        if x.kind == _INFLECTED:
            ws = e - x.plen
            end = ws + len(x.word)  # type: ignore[arg-type]
            if not (ft.startswith(x.word, ws) and (end == size or not (word[ft[end]] or ft[end] == "'"))):  # type: ignore[arg-type]
                # The text's word is another form (or runs on): take all of it (once for all entries).
                if tail_at != e:
                    tail_at, tail = e, word_end(ft, e)
                    tail_ok = not (tail < size and word[ft[tail]] and word[ft[tail - 1]])
                end = tail
                if not tail_ok or not same_word(x.word, ft[ws:end]):  # type: ignore[arg-type]
                    continue
            if x.rest is not None:
                if not ft.startswith(x.rest, end):
                    continue
                end += len(x.rest)
                if end < size and word[ft[end]] and word[ft[end - 1]]:
                    continue
        else:
            base = e
            if e < size and word[ft[e - 1]] and word[ft[e]]:
                if not x.plural:
                    continue
                end = e + 1 if ft[e] == "s" else e + 2 if ft.startswith("'s", e) else e
                if end == e or (end < size and word[ft[end]]):
                    continue
                if text[n.span(end - 1, end)[0]] != "s":  # "AFs", never "AFS"
                    continue
            if x.literal is not None and cjk_only(n.text[s:base]) != x.literal:
                continue
            if x.exact is not None:
                os_, oe = n.span(s, base)
                original = text[os_:oe]
                if original != x.exact and cjk_only(norm(original, fold=False)) != x.exact:
                    continue
        if x.kind == _INFLECTED and x.exact is not None:
            os_, oe = n.span(s, e)
            if not x.exact.startswith(cjk_only(norm(text[os_:oe], fold=False))):
                continue
        if end > best:
            best, kept = end, [x]
        elif end == best:
            kept.append(x)
    return best, kept
