"""Detection of glossary terms in a question: Aho-Corasick over normalised text.

``Matcher(concepts).detect(text)`` returns ``Hit``s whose offsets refer to the
user's own text. How it decides:

* Terms and text are compared after NFKC and case folding (``glossary.normalize``);
  a case-sensitive term ("AF") is then checked against the original characters.
* Latin-script ends of a term match only on word boundaries ("AF" is not found in
  "AFTER", "cell" not in "cellular"); CJK ends match anywhere ("房颤" in "患者房颤").
* Among the *valid* candidates the leftmost-longest win and hits never overlap
  ("心房颤动" beats the "房颤" inside it). The automaton reports all overlapping
  matches, so a candidate rejected at a word boundary still lets a shorter valid
  one at the same place win.
* A surface form shared by several concepts is resolved by the active subject
  fields and by words near the hit that also occur in a candidate's definition or
  terms; the others are returned as ``alternatives``.
* Deprecated terms are still detected (people type them) and flagged.

Library: ``ahocorasick_rs`` 1.0 (Python bindings of the Rust ``aho-corasick``
crate), chosen over ``pyahocorasick`` 2.3 by measurement (``benchmarks/bench_matcher.py``,
same run, same normalised 1,000-character question). With 100,000 mixed
Chinese/English terms the overlapping search takes 25 µs against 247 µs for
``pyahocorasick``'s ``iter`` (10x; it is slow on CJK text), in 16 MB against 39 MB;
on English-only ICD-10-CM they are on par (14 µs and 18 µs, 52 MB and 116 MB).
Builds are comparable (0.25-0.6 s each). It is maintained, ships wheels, and
reports character offsets for ``str``. The whole ``detect`` takes about 0.16 ms
there (normalising, checking boundaries and building hits in Python costs more
than the search), ``flashtext`` 0.22 ms without any of that, a regex alternation
64 ms. Figures from an idle two-core machine (README, Glossary).

Edits: rebuilding 100,000 terms takes about a second (ICD-10-CM: about four), so
an edited or removed concept is not rebuilt into the main automaton. Its id goes
into a tombstone set (its entries in the main automaton are ignored) and its
current terms into a small overlay automaton, rebuilt at once from the edited
concepts alone: about 0.6 ms per edit at 100,000 terms, the first edit after a
build also indexing the main automaton's entries by concept (about 50 ms; 130 ms
on ICD-10-CM). After ``rebuild_after`` edited concepts (or a bulk change in a
followed store, such as an import) the next ``detect`` rebuilds everything.

Not thread-safe: one thread (the GUI thread) uses a matcher. This
module knows nothing of storage formats, Qt or the prompt.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick_rs

from glossary.inflect import cjk_only, fold, same_word, stem_prefix, word_end
from glossary.model import (
    MAX_TERM_CHARS, NON_PREFERRED_STATUSES, Concept, MatchMode, Status, Term, TermStatus, TermType,
    is_cjk_char, is_latin_letter,
)
from glossary.normalize import WORD_CHAR, norm, normalize

if TYPE_CHECKING:
    from glossary.store import GlossaryStore

_TYPE_RANK = {TermType.PREFERRED: 0, TermType.ABBREVIATION: 1, TermType.SYNONYM: 2, TermType.DEPRECATED: 3}
_STOP = frozenset(
    "the and for with was were are has have had this that from not but his her its our their into "
    "per than then also any all can may will one two who what when which how why does did of".split()
)


log = logging.getLogger(__name__)

_INFLECTED, _EXACT = 0, 1
_INDEXED = 24  # characters of a form the automaton holds


class _Entry(NamedTuple):
    concept_id: int
    term: Term
    exact: str | None  # NFKC form without case folding (traditional characters folded), case-sensitive terms only
    kind: int = _EXACT  # _EXACT: the form itself; _INFLECTED: the form ends in the last word's stem prefix
    literal: str | None = None  # exact mode: the normalised text the match must be (separators as written)
    word: str | None = None  # inflected mode: the term's last word, which the text's word must be a form of
    plen: int = 0  # inflected mode: the length of that word's stem prefix (the end of the form)
    plural: bool = False  # an abbreviation: "AFs", "AF's" are found as well (lower-case s only)
    full: str | None = None  # a form longer than _INDEXED: the whole of it (the automaton holds its start)
    rest: str | None = None  # inflected mode: what must follow the head word (" of contract")

    @property
    def plain(self) -> bool:
        return (self.kind == _EXACT and self.exact is None and self.literal is None and not self.plural
                and self.full is None)


@dataclass(slots=True)
class Hit:
    """One detected term: ``text[start:end]`` of the question names concept ``concept_id``."""

    start: int
    end: int
    text: str
    concept_id: int
    term: Term
    alternatives: list[int] = field(default_factory=list)  # other concepts with the same surface form
    concept: Concept | None = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> TermStatus:
        return self.term.effective_status

    @property
    def deprecated(self) -> bool:
        """The term is deprecated, superseded or forbidden: another term should be used."""
        return self.term.effective_status in NON_PREFERRED_STATUSES

    @property
    def matched(self) -> str:
        """The form found in the text (``text``): "atrial fibrillations" for "atrial fibrillation"."""
        return self.text

    @property
    def inflected(self) -> bool:
        """The text holds another form of the term than the term itself."""
        return norm(self.text) != norm(self.term.text)

    @property
    def ambiguous(self) -> bool:
        return bool(self.alternatives)


def context_words(text: str) -> set[str]:
    """Words for disambiguation: Latin words of 3+ letters, and CJK character pairs."""
    words: set[str] = set()
    for token in re.findall(r"[^\W_]+", text.casefold()):
        run = ""
        for ch in token + " ":
            if is_cjk_char(ch):
                run += ch
                continue
            if len(run) > 1:
                words.update(run[i : i + 2] for i in range(len(run) - 1))
            run = ""
        latin = "".join(" " if is_cjk_char(ch) else ch for ch in token)
        words.update(w for w in latin.split() if len(w) >= 3 and w not in _STOP and not w.isdigit())
    return words


class _Automaton:
    """Surface forms, their entries, and the automaton over them."""

    def __init__(self, by_form: dict[str, list[_Entry]]) -> None:
        # A form longer than _INDEXED characters is indexed by its start and compared whole
        # where that start is found: the automaton's size (and build time) stays linear in
        # the number of terms, whatever their length.
        patterns: dict[str, list[_Entry]] = {}
        for form, xs in by_form.items():
            if len(form) > _INDEXED:
                form, xs = form[:_INDEXED], [x._replace(full=form) for x in xs]
            known = patterns.get(form)
            patterns[form] = xs if known is None else known + xs
        self.forms = list(patterns)
        self.entries = [patterns[f] for f in self.forms]
        self.exact = [not all(x.plain for x in xs) for xs in self.entries]  # True: entries need _accept
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


class _Chain:
    """``a[k]`` for ``k < len(a)``, else ``b[k - len(a)]``: the main automaton's entries plus a few changed ones."""

    __slots__ = ("a", "b", "n")

    def __init__(self, a: list, b: list) -> None:
        self.a, self.b, self.n = a, b, len(a)

    def __getitem__(self, k: int):  # noqa: ANN204
        return self.a[k] if k < self.n else self.b[k - self.n]




def _last_word(form: str) -> int:
    """Where the Latin word that ends ``form`` starts, or -1 (the form ends otherwise)."""
    i = len(form)
    while i and (form[i - 1].isascii() and form[i - 1].isalpha() or is_latin_letter(form[i - 1])):
        i -= 1
    if i == len(form) or (i and (WORD_CHAR[form[i - 1]] or form[i - 1] == "'")):
        return -1
    return i


def term_forms(c: Concept, t: Term) -> tuple[str, _Entry] | None:
    """The automaton's form for term ``t`` of ``c`` and its entry; None for an empty or over-long term."""
    if len(t.text) > MAX_TERM_CHARS:
        return None  # kept out of the index (the store refuses such terms; old data may hold them)
    nf = norm(t.text)
    if not nf:
        return None
    ff = fold(nf)
    exact = cjk_only(norm(t.text, fold=False)) if t.case_sensitive else None
    if t.effective_match_mode is MatchMode.INFLECTED:
        # The head word is inflected: the last one, or in "X of Y" the last one before "of"
        # ("breaches of contract", "statutes of limitations").
        head, rest = ff.split(" of ", 1) if " of " in ff else (ff, "")
        i = _last_word(head)
        if i >= 0:
            prefix = stem_prefix(head[i:])
            return head[:i] + prefix, _Entry(c.id, t, exact, _INFLECTED, None, head[i:], len(prefix),  # type: ignore[arg-type]
                                             rest=" of " + rest if rest else None)
    plural = (t.match_mode is None and (t.type is TermType.ABBREVIATION or t.case_sensitive)
              and is_latin_letter(t.text[-1]) and any(ch.isupper() for ch in t.text))
    literal = cjk_only(nf)
    return ff, _Entry(c.id, t, exact, _EXACT, literal if literal != ff else None, None, 0, plural)  # type: ignore[arg-type]


def _add_entries(by_form: dict[str, list[_Entry]], c: Concept, skipped: list[int]) -> None:
    for t in c.terms:
        got = term_forms(c, t)
        if got is not None:
            by_form.setdefault(got[0], []).append(got[1])
        elif len(t.text) > MAX_TERM_CHARS and (not skipped or skipped[-1] != c.id):
            skipped.append(c.id)  # type: ignore[arg-type]


class Matcher:
    """Detects terms of ``concepts`` in text. See the module docstring."""

    def __init__(
        self,
        concepts: Iterable[Concept] = (),
        *,
        active_fields: Iterable[str] = (),
        context_chars: int = 80,
        rebuild_after: int = 1000,
    ) -> None:
        self.active_fields = set(active_fields)
        self.context_chars = context_chars
        self.rebuild_after = rebuild_after
        self._concepts: dict[int, Concept] = {}
        for c in concepts:
            if c.id is None:
                raise ValueError("concepts given to a Matcher need ids")
            self._concepts[c.id] = c
        self._words: dict[int, set[str]] = {}
        self._store: GlossaryStore | None = None
        self.rebuild()

    @classmethod
    def from_store(cls, store: GlossaryStore, *, follow: bool = True, **kwargs: object) -> Matcher:
        """A matcher over every concept of ``store``; with ``follow`` it tracks the store's changes."""
        m = cls(store.iter_concepts(), **kwargs)  # type: ignore[arg-type]
        if follow:
            m.follow(store)
        return m

    def follow(self, store: GlossaryStore, *, changed: Iterable[int] = ()) -> None:
        """Track ``store``'s changes from now on, after applying ``changed``: the ids of concepts
        changed since this matcher read its concepts (it may have been built on another thread,
        from another connection, while the person edited the glossary)."""
        self.detach()
        self._store = store
        store.changed.append(self._on_store_changed)
        ids = list(dict.fromkeys(changed))
        if ids:
            self._on_store_changed(ids)

    def detach(self) -> None:
        """Stop following the store."""
        if self._store is not None and self._on_store_changed in self._store.changed:
            self._store.changed.remove(self._on_store_changed)
        self._store = None

    # -- building and editing --

    def rebuild(self) -> None:
        """Build the main automaton from every concept and empty the overlay."""
        by_form: dict[str, list[_Entry]] = {}
        collecting = gc.isenabled()
        gc.disable()  # no cyclic garbage is made here; collections would double the build time
        try:
            skipped: list[int] = []
            for c in self._concepts.values():
                _add_entries(by_form, c, skipped)
            self._main = _Automaton(by_form)
            self.skipped = skipped  # concepts with a term past MAX_TERM_CHARS, left out of detection
            if skipped:
                log.warning("%d concepts have a term longer than %d characters, left out of detection: %s",
                            len(skipped), MAX_TERM_CHARS, ", ".join(map(str, skipped[:20])))
        finally:
            if collecting:
                gc.enable()
        self._tombs: set[int] = set()  # concepts whose entries in the main automaton are stale
        self._stale: set[int] = set()  # main automaton forms that carry an entry of a tombstoned concept
        self._overlay_forms: dict[str, list[_Entry]] = {}  # current entries of edited concepts
        self._overlay_of: dict[int, list[str]] = {}  # concept id -> its forms in the overlay
        self._overlay = _Automaton({})
        self._dirty = False

    def _apply(self, concept_id: int, c: Concept | None) -> None:
        """Record an added, changed (``c``) or removed (None) concept in the overlay."""
        self._words.pop(concept_id, None)
        if concept_id not in self._tombs:
            self._tombs.add(concept_id)
            self._stale.update(self._main.patterns_of(concept_id))
        for form in self._overlay_of.pop(concept_id, ()):
            kept = [x for x in self._overlay_forms[form] if x.concept_id != concept_id]
            if kept:
                self._overlay_forms[form] = kept
            else:
                del self._overlay_forms[form]
        if c is None:
            self._concepts.pop(concept_id, None)
            return
        self._concepts[concept_id] = c
        mine: dict[str, list[_Entry]] = {}
        _add_entries(mine, c, self.skipped)
        for form, entries in mine.items():  # new lists: the current overlay automaton keeps the old ones
            self._overlay_forms[form] = self._overlay_forms.get(form, []) + entries
        self._overlay_of[concept_id] = list(mine)

    def _refresh_overlay(self) -> None:
        if len(self._tombs) > self.rebuild_after:
            self._dirty = True  # the next detect() rebuilds everything
        elif not self._dirty:
            self._overlay = _Automaton(self._overlay_forms)  # only the edited concepts' forms

    def update(self, c: Concept) -> None:
        """Add or replace one concept; visible to the next ``detect`` at once, without a full rebuild."""
        if c.id is None:
            raise ValueError("concepts given to a Matcher need ids")
        self._apply(c.id, c)
        self._refresh_overlay()

    add = update

    def remove(self, concept_id: int) -> None:
        if concept_id not in self._concepts:
            return
        self._apply(concept_id, None)
        self._refresh_overlay()

    def _on_store_changed(self, ids: list[int]) -> None:
        if self._store is None:
            return
        found = {c.id: c for c in self._store.get_many(ids)}
        if len(ids) > self.rebuild_after:  # a bulk change (an import): one rebuild at the next detect
            for cid in ids:
                if cid in found:
                    self._concepts[cid] = found[cid]
                else:
                    self._concepts.pop(cid, None)
                self._words.pop(cid, None)
            self._dirty = True
            return
        for cid in ids:
            if cid in found or cid in self._concepts:
                self._apply(cid, found.get(cid))
        self._refresh_overlay()

    def concept(self, concept_id: int) -> Concept:
        return self._concepts[concept_id]

    def __len__(self) -> int:
        return len(self._concepts)

    # -- detection --

    def _candidates(self, nt: str) -> tuple[list[tuple[int, int, int]], Any, Any]:
        """Every match as (start, -end, k), sorted leftmost then longest first, with the
        entries and the any-case-sensitive flag of each ``k``.

        Matches of forms untouched by edits come straight from the main automaton; only
        forms of edited concepts (``_stale``) and the overlay's matches are merged by hand.
        """
        main = self._main
        found = main.find(nt)
        stale = self._stale
        order = [(s, -e, i) for i, s, e in found if i not in stale] if stale else [(s, -e, i) for i, s, e in found]
        changed: dict[tuple[int, int], list[_Entry]] = {}  # spans whose entries differ from the main automaton's
        if stale:
            tombs = self._tombs
            for i, s, e in found:
                if i in stale:
                    kept = [x for x in main.entries[i] if x.concept_id not in tombs]
                    if kept:
                        changed[(s, e)] = kept
        if self._overlay.ac is not None:
            for i, s, e in self._overlay.find(nt):
                changed[(s, e)] = changed.get((s, e), []) + self._overlay.entries[i]
        if not changed:
            order.sort()
            return order, main.entries, main.exact
        merged = []
        for o in order:  # a span found by both automata carries the entries of both
            span = (o[0], -o[1])
            if span in changed:
                changed[span] = main.entries[o[2]] + changed[span]
            else:
                merged.append(o)
        base = len(main.entries)
        merged += [(s, -e, base + j) for j, (s, e) in enumerate(changed)]
        merged.sort()
        extra = list(changed.values())
        return merged, _Chain(main.entries, extra), _Chain(main.exact, [not all(x.plain for x in xs) for xs in extra])

    def detect(self, text: str) -> list[Hit]:
        """The terms in ``text``, left to right, leftmost-longest and non-overlapping."""
        if self._dirty:
            self.rebuild()
        if not text:
            return []
        n = normalize(text)
        nt, starts, ends = n.text, n.starts, n.ends
        ft = fold(nt)
        size = len(ft)
        word = WORD_CHAR
        concepts = self._concepts
        hits: list[Hit] = []
        pos = 0
        order, entries_of, check_of = self._candidates(ft)
        for s, e, k in order:
            e = -e
            if s < pos:
                continue
            if s and word[ft[s]] and word[ft[s - 1]]:
                continue
            entries = entries_of[k]
            if check_of[k]:
                e, entries = self._accept(text, n, ft, s, e, entries)
                if not entries:
                    continue
            elif e < size and word[ft[e - 1]] and word[ft[e]]:
                continue
            if starts is not None and ends is not None:
                # The match may not start or end inside what one original character became.
                if (s and starts[s] == starts[s - 1]) or (e < size and ends[e] == ends[e - 1]):
                    continue
                os_, oe = starts[s], ends[e - 1]
            else:
                os_, oe = s, e
            pos = e
            if len(entries) == 1:
                x = entries[0]
                hits.append(Hit(os_, oe, text[os_:oe], x.concept_id, x.term, [], concepts[x.concept_id]))
            else:
                hits.append(self._resolve(text, nt, s, e, os_, oe, entries))
        return hits

    @staticmethod
    def _accept(text: str, n: Any, ft: str, s: int, e: int, entries: list[_Entry]) -> tuple[int, list[_Entry]]:
        """Where the match at ``s`` ends for each entry of a form that needs more than the
        word-boundary rule (inflected, abbreviation plural, separators or case as written),
        and the entries that end furthest."""
        word = WORD_CHAR
        size = len(ft)
        best, kept = -1, []
        e0 = e
        for x in entries:
            e = e0
            if x.full is not None:  # a long form: the automaton holds its start only
                if not ft.startswith(x.full, s):
                    continue
                e = s + len(x.full)
            end = e
            if x.kind == _INFLECTED:
                end = word_end(ft, e)
                if end < size and word[ft[end]] and word[ft[end - 1]]:
                    continue
                ws = e - x.plen
                if ft[ws:end] != x.word and not same_word(x.word, ft[ws:end]):  # type: ignore[arg-type]
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
                    if cjk_only(norm(text[os_:oe], fold=False)) != x.exact:
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

    # -- ambiguity --

    def _concept_words(self, cid: int) -> set[str]:
        words = self._words.get(cid)
        if words is None:
            c = self._concepts[cid]
            parts = [*c.definitions.values(), c.note, *c.subject_fields, *(t.text for t in c.terms)]
            words = self._words[cid] = context_words("\n".join(parts))
        return words

    def _resolve(self, text: str, nt: str, s: int, e: int, os_: int, oe: int, entries: list[_Entry]) -> Hit:
        best_term: dict[int, Term] = {}
        for x in entries:
            t = best_term.get(x.concept_id)
            if t is None or _TYPE_RANK[x.term.type] < _TYPE_RANK[t.type]:
                best_term[x.concept_id] = x.term
        ids = list(best_term)
        if len(ids) > 1:
            k = self.context_chars
            around = context_words(nt[max(0, s - k) : s] + "\n" + nt[e : e + k])

            def score(cid: int) -> tuple:
                c = self._concepts[cid]
                fields = 3.0 if self.active_fields.intersection(c.subject_fields) else 0.0
                overlap = len(around & self._concept_words(cid)) if around else 0
                return (
                    -(fields + overlap),
                    c.status is not Status.APPROVED,
                    _TYPE_RANK[best_term[cid].type],
                    cid,
                )

            ids.sort(key=score)
        cid = ids[0]
        return Hit(os_, oe, text[os_:oe], cid, best_term[cid], ids[1:], self._concepts[cid])
