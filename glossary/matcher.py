"""Detection of glossary terms in a question: Aho-Corasick over normalised text.

``Matcher(concepts).detect(text)`` returns ``Hit``s whose offsets refer to the
user's own text. How it decides:

* Terms and text are compared after NFKC and case folding (``glossary.normalize``),
  then folded (``glossary.inflect.fold``: separators to spaces, traditional Chinese
  to simplified, length kept); a case-sensitive term ("AF") is then checked against
  the original characters.
* Each term has a match mode (``Term.effective_match_mode``): ``exact`` finds the
  term as written (abbreviations also with a lower-case plural s: "AFs");
  ``inflected`` (Latin-script words by default) also finds plural and possessive
  forms of its head word and hyphen, dash and slash variants ("force-majeure
  clauses", "atrial fibrillations", "company's"). How forms are indexed and checked:
  ``glossary.match_index``; how words are compared: ``glossary.inflect``.
* Latin-script ends of a term match only on word boundaries ("AF" is not found in
  "AFTER", "cell" not in "cellular"); CJK ends match anywhere ("房颤" in "患者房颤").
* Among the *valid* candidates the leftmost-longest win and hits never overlap
  ("心房颤动" beats the "房颤" inside it). The automaton reports all overlapping
  matches, so a candidate rejected at a word boundary still lets a shorter valid
  one at the same place win.
* A surface form shared by several concepts is resolved by the active subject
  fields and by words near the hit that also occur in a candidate's definition or
  terms; the others are returned as ``alternatives``.
* Deprecated, superseded and forbidden terms are still detected (people type them)
  and flagged (``Hit.status``, ``Hit.deprecated``); ``Hit.matched`` is the form found.
* Terms longer than ``MAX_TERM_CHARS`` (stored before the limit existed) are left
  out and listed in ``Matcher.skipped``.

Library: ``ahocorasick_rs`` 1.0 (Python bindings of the Rust ``aho-corasick``
crate), chosen over ``pyahocorasick`` 2.3 by measurement (``benchmarks/bench_matcher.py``,
same run, same normalised 1,000-character question). With 100,000 mixed
Chinese/English terms the overlapping search takes 25 µs against 247 µs for
``pyahocorasick``'s ``iter`` (10x; it is slow on CJK text), in 16 MB against 39 MB;
on English-only ICD-10-CM they are on par (14 µs and 18 µs, 52 MB and 116 MB).
Builds are comparable (0.25-0.6 s each). It is maintained, ships wheels, and
reports character offsets for ``str``. With every match mode on, the whole ``detect``
takes about 0.2 ms there (normalising, checking boundaries and plural forms and
building hits in Python cost more than the search), ``flashtext`` about the same
without any of that, a regex alternation 167 ms (docs/terminology.md, Speed).

Edits: rebuilding 100,000 terms takes about 1.5 s (ICD-10-CM: several), so
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
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from glossary.inflect import fold, warm_up
from glossary.match_index import MAX_TERM_CHARS, WHOLE_WORD, Automaton, Chain, Entry, accept, add_entries, pattern_check
from glossary.model import NON_PREFERRED_STATUSES, Concept, Status, Term, TermStatus, TermType, is_cjk_char
from glossary.normalize import WORD_CHAR, norm, normalize

if TYPE_CHECKING:
    from glossary.store import GlossaryStore

_TYPE_RANK = {TermType.PREFERRED: 0, TermType.ABBREVIATION: 1, TermType.SYNONYM: 2, TermType.DEPRECATED: 3}
_STOP = frozenset(
    "the and for with was were are has have had this that from not but his her its our their into "
    "per than then also any all can may will one two who what when which how why does did of".split()
)

log = logging.getLogger(__name__)
_START = itemgetter(1)


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
        warm_up()  # the lemmatiser's dictionary, while building (off the GUI thread in the window)
        by_form: dict[str, list[Entry]] = {}
        collecting = gc.isenabled()
        gc.disable()  # no cyclic garbage is made here; collections would double the build time
        try:
            skipped: list[int] = []
            for c in self._concepts.values():
                add_entries(by_form, c, skipped)
            self._main = Automaton(by_form)
            self.skipped = skipped  # concepts with a term past MAX_TERM_CHARS, left out of detection
            if skipped:
                log.warning("%d concepts have a term longer than %d characters, left out of detection: %s",
                            len(skipped), MAX_TERM_CHARS, ", ".join(map(str, skipped[:20])))
        finally:
            if collecting:
                gc.enable()
        self._tombs: set[int] = set()  # concepts whose entries in the main automaton are stale
        self._stale: set[int] = set()  # main automaton forms that carry an entry of a tombstoned concept
        self._overlay_forms: dict[str, list[Entry]] = {}  # current entries of edited concepts
        self._overlay_of: dict[int, list[str]] = {}  # concept id -> its forms in the overlay
        self._overlay = Automaton({})
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
        mine: dict[str, list[Entry]] = {}
        add_entries(mine, c, self.skipped)
        for form, entries in mine.items():  # new lists: the current overlay automaton keeps the old ones
            self._overlay_forms[form] = self._overlay_forms.get(form, []) + entries
        self._overlay_of[concept_id] = list(mine)

    def _refresh_overlay(self) -> None:
        if len(self._tombs) > self.rebuild_after:
            self._dirty = True  # the next detect() rebuilds everything
        elif not self._dirty:
            self._overlay = Automaton(self._overlay_forms)  # only the edited concepts' forms

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
        """Every match as (k, start, end), sorted leftmost then longest first, with the
        entries and the check kind of each pattern ``k``.

        The overlapping search reports matches by their end, so the reversed list sorted
        (stably) by start alone is leftmost-longest: no tuple is made per match. Matches of
        forms untouched by edits come straight from the main automaton; only forms of
        edited concepts (``_stale``) and the overlay's matches are merged by hand.
        """
        main = self._main
        found = main.find(nt)
        stale = self._stale
        changed: dict[tuple[int, int], list[Entry]] = {}  # spans whose entries differ from the main automaton's
        if stale:
            tombs = self._tombs
            for i, s, e in found:
                if i in stale:
                    kept = [x for x in main.entries[i] if x.concept_id not in tombs]
                    if kept:
                        changed[(s, e)] = kept
            found = [f for f in found if f[0] not in stale]
        if self._overlay.ac is not None:
            for i, s, e in self._overlay.find(nt):
                changed[(s, e)] = changed.get((s, e), []) + self._overlay.entries[i]
        if not changed:
            found.reverse()
            found.sort(key=_START)
            return found, main.entries, main.check
        merged = []
        for f in found:  # a span found by both automata carries the entries of both
            span = (f[1], f[2])
            if span in changed:
                changed[span] = main.entries[f[0]] + changed[span]
            else:
                merged.append(f)
        base = len(main.entries)
        merged += [(base + j, s, e) for j, (s, e) in enumerate(changed)]
        merged.sort(key=lambda f: (f[1], -f[2]))
        extra = list(changed.values())
        return merged, Chain(main.entries, extra), Chain(main.check, [pattern_check(xs) for xs in extra])

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
        for k, s, e in order:
            if s < pos:
                continue
            if s and word[ft[s]] and word[ft[s - 1]]:
                continue
            entries = entries_of[k]
            check = check_of[k]
            if check:
                if check != WHOLE_WORD or (e < size and (word[ft[e]] or ft[e] == "'")):
                    e, entries = accept(text, n, ft, s, e, entries)
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

    # -- ambiguity --

    def _concept_words(self, cid: int) -> set[str]:
        words = self._words.get(cid)
        if words is None:
            c = self._concepts[cid]
            parts = [*c.definitions.values(), c.note, *c.subject_fields, *(t.text for t in c.terms)]
            words = self._words[cid] = context_words("\n".join(parts))
        return words

    def _resolve(self, text: str, nt: str, s: int, e: int, os_: int, oe: int, entries: list[Entry]) -> Hit:
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
