"""The glossary block put into the system prompt for one question, under a token budget.

``build(hits, question=..., budget_tokens=..., count_tokens=...)`` turns detected
terms into one entry per concept, in order of first occurrence, written in the
question's language (Chinese or English): the preferred term, the form the user
wrote if different, what an abbreviation stands for, the definition and the
source. When the entries do not all fit, the most important are kept (approved
before draft, a preferred term before a synonym, earlier before later) and the
rest are reported in ``dropped``. ``oracle_block`` builds the same block from a
list of concepts (evaluation injects the right concepts without detection).

With ``related=N`` (``eval --inject-related N``) up to N concepts the question does not
name, but that the named ones point to, follow under their own heading: for questions
that need one concept to reason about another (L2). ``related_concepts`` picks them: a
cross-reference first (TBX ``crossReference``, the concept's ``related`` ids, either way),
then a concept that one's definition or note names (the broader or narrower concept,
cause and consequence, part and whole, which the starter glossaries write into their
definitions rather than as links), then one sharing a subject field whose definition
shares the most words. They are kept only when the budget has room after every named
concept (they are dropped first).

Whether a written form is one not to be used (deprecated, superseded, forbidden) is its
``Term.effective_status``: the status a TBX file set, else the one its type implies.

This module knows nothing of tokenizers (``count_tokens`` is passed in), of the
model or of Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from glossary.matcher import Hit
from glossary.model import NON_PREFERRED_STATUSES, Concept, Status, Term, TermStatus, TermType, guess_language
from glossary.normalize import norm

_HEADER = {
    "en": "Glossary for this question. These are the user's own definitions; "
    "use them in preference to general knowledge:",
    "zh": "本问题涉及的术语。以下是用户自己的定义，回答时请优先采用：",
}
_RELATED_HEADER = {
    "en": "Related concepts from the same glossary (not named in the question):",
    "zh": "相关概念（同一术语表，问题中未出现）：",
}
# what the entry says of a written form not to be used, by its status
_UNUSABLE = {
    "en": {TermStatus.DEPRECATED: "a deprecated term", TermStatus.SUPERSEDED: "a superseded term",
           TermStatus.FORBIDDEN: "a term not to be used"},
    "zh": {TermStatus.DEPRECATED: "该写法已不推荐", TermStatus.SUPERSEDED: "该写法已被取代",
           TermStatus.FORBIDDEN: "该写法禁止使用"},
}


@dataclass
class InjectionBlock:
    text: str  # the block for the system prompt; "" when nothing is injected
    included: list[int] = field(default_factory=list)  # concept ids, in the order they appear
    dropped: list[int] = field(default_factory=list)  # concept ids left out for the budget
    lang: str = "en"
    related: list[int] = field(default_factory=list)  # the included concepts the question does not name
    related_text: str = ""  # their section of ``text`` alone (for inline injection: it goes to the system prompt)


@dataclass
class _Entry:
    concept: Concept
    matched: str  # the form the user wrote
    term: Term | None  # the term that matched, if known
    order: int
    related: bool = False  # not named in the question: added by ``related_concepts``

    @property
    def priority(self) -> tuple:
        """Sort key: smaller is kept first."""
        exact = self.term is None or _is_preferred(self.term)
        return (self.related, self.concept.status is not Status.APPROVED, not exact, self.order)


def _expansion(c: Concept, lang: str) -> str:
    """What an abbreviation stands for: the preferred term in ``lang`` or any language."""
    for t in (c.preferred(lang), c.preferred()):
        if t is not None and t.type is not TermType.ABBREVIATION:
            return t.text
    return ""


def _render_entry(e: _Entry, lang: str) -> str:
    c = e.concept
    preferred = c.label(lang)
    notes: list[str] = []
    matched_differs = e.matched and e.matched.casefold() != preferred.casefold()
    is_abbr = e.term is not None and e.term.type is TermType.ABBREVIATION
    unusable = e.term is not None and e.term.effective_status in NON_PREFERRED_STATUSES
    warning = _UNUSABLE[lang][e.term.effective_status] if unusable else ""
    if lang == "zh":
        if matched_differs and is_abbr:
            full = _expansion(c, lang) or preferred
            # "X (abbreviated Y)" when the head already is what Y stands for: never "Y stands for X" after X
            notes.append(f"缩写为“{e.matched}”" if full == preferred else f"“{e.matched}”是“{full}”的缩写")
        elif matched_differs:
            notes.append(f"文中写作“{e.matched}”" + (f"，{warning}" if warning else ""))
        head = preferred + (f"（{'；'.join(notes)}）" if notes else "")
        line = f"- {head}：{c.definition(lang) or '（无定义）'}"
        if c.source:
            line += f"（来源：{c.source}）"
        return line
    if matched_differs and is_abbr:
        full = _expansion(c, lang) or preferred
        notes.append(f'abbreviated "{e.matched}"' if full == preferred else f'"{e.matched}" stands for {full}')
    elif matched_differs:
        notes.append(f'written "{e.matched}"' + (f", {warning}" if warning else ""))
    head = preferred + (f" ({'; '.join(notes)})" if notes else "")
    line = f"- {head}: {c.definition(lang) or '(no definition)'}"
    if c.source:
        line += f" (source: {c.source})"
    return line


def _render(entries: Sequence[_Entry], lang: str) -> str:
    named = sorted((e for e in entries if not e.related), key=lambda e: e.order)
    if not named:
        return ""
    return "\n".join([_HEADER[lang], *(_render_entry(e, lang) for e in named), _render_related(entries, lang)]).rstrip()


def _render_related(entries: Sequence[_Entry], lang: str) -> str:
    related = sorted((e for e in entries if e.related), key=lambda e: e.order)
    if not related:
        return ""
    return "\n".join([_RELATED_HEADER[lang], *(_render_entry(e, lang) for e in related)])


def _fit(
    entries: list[_Entry], lang: str, budget_tokens: int | None, count_tokens: Callable[[str], int] | None
) -> InjectionBlock:
    if budget_tokens is None or count_tokens is None:
        kept = entries
    else:
        # Greedy by priority: an entry is kept if the block with it still fits, so a
        # short low-priority entry may stay where a long high-priority one did not fit.
        kept = []
        for e in sorted(entries, key=lambda e: e.priority):
            if count_tokens(_render([*kept, e], lang)) <= budget_tokens:
                kept.append(e)
    if all(e.related for e in kept):
        kept = []  # related concepts only make sense beside a named one
    kept_ids = {e.concept.id for e in kept}
    kept = sorted(kept, key=lambda e: e.order)
    text = _render(kept, lang)
    return InjectionBlock(
        text=text,
        included=[e.concept.id for e in kept],  # type: ignore[misc]
        dropped=[e.concept.id for e in entries if e.concept.id not in kept_ids],  # type: ignore[misc]
        lang=lang,
        related=[e.concept.id for e in kept if e.related] if text else [],  # type: ignore[misc]
        related_text=_render_related(kept, lang) if text else "",
    )


def _is_preferred(term: Term | None) -> bool:
    return term is not None and term.effective_status is TermStatus.PREFERRED


def _names(c: Concept, lang: str) -> list[str]:
    """The forms of ``c`` in ``lang`` a definition would use to name it (usable, longer than two characters)."""
    return [t.text for t in c.terms
            if t.lang == lang and t.effective_status not in NON_PREFERRED_STATUSES and len(t.text) > 2]


def names_other(a: Concept, b: Concept, lang: str) -> bool:
    """A's definition or note (in ``lang``) names B by one of B's terms."""
    import re

    text = f"{norm(a.definitions.get(lang, ''))}\n{norm(a.note)}"
    # Latin forms at word boundaries ("risk of stroke." names stroke, "strokes" does not); Chinese anywhere
    return any(re.search(rf"(?<!\w){re.escape(norm(n))}(?!\w)", text) or (lang == "zh" and n in text)
               for n in _names(b, lang))


def _words(c: Concept, lang: str) -> set[str]:
    return {w for w in norm(c.definition(lang)).split() if len(w) > 3}


def related_concepts(named: Sequence[Concept], pool: Iterable[Concept], *, limit: int, lang: str = "en") -> list[Concept]:
    """Up to ``limit`` concepts of ``pool``, not among ``named``, that ``named`` point to: cross-references
    first, then a concept one's definition or note names (or that names one), then one sharing a subject
    field, by the words their definitions share. The order is the order of ``named``, then of ``pool``."""
    if limit <= 0 or not named:
        return []
    taken = {c.id for c in named}
    pool = [c for c in pool if c.id not in taken and c.definition(lang)]
    linked = [o for o in pool if any(o.id in c.related or c.id in o.related for c in named)]
    mentioned = [o for o in pool if any(names_other(c, o, lang) or names_other(o, c, lang) for c in named)]
    fields = {f for c in named for f in c.subject_fields}
    mine = set().union(*(_words(c, lang) for c in named))
    same_field = sorted((o for o in pool if fields & set(o.subject_fields)),
                        key=lambda o: -len(mine & _words(o, lang)))  # stable: ties keep the pool's order
    out: dict[int | None, Concept] = {}
    for o in [*linked, *mentioned, *same_field]:
        out.setdefault(o.id, o)
        if len(out) == limit:
            break
    return list(out.values())


def _with_related(entries: list[_Entry], pool: Iterable[Concept] | None, limit: int, lang: str) -> list[_Entry]:
    if not pool or limit <= 0:
        return entries
    extra = related_concepts([e.concept for e in entries], pool, limit=limit, lang=lang)
    return entries + [_Entry(c, c.label(lang), c.preferred(lang), len(entries) + i, related=True)
                      for i, c in enumerate(extra)]


def _own_term(h: Hit) -> Term | None:
    """The hit's term if it belongs to the hit's concept (a person may have picked an alternative)."""
    terms = h.concept.terms if h.concept is not None else []
    if any(t is h.term for t in terms):
        return h.term
    form = norm(h.text)
    return next((t for t in terms if norm(t.text) == form), None)


def build(
    hits: Iterable[Hit],
    *,
    question: str,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    lang: str | None = None,
    related: int = 0,
    pool: Iterable[Concept] | None = None,
) -> InjectionBlock:
    """The block for ``hits`` (from ``Matcher.detect(question)``), at most ``budget_tokens`` long;
    with ``related`` and the glossary's concepts in ``pool``, up to that many related concepts after them."""
    lang = lang or guess_language(question)
    lang = lang if lang in _HEADER else "en"
    entries: dict[int, _Entry] = {}
    for h in sorted(hits, key=lambda h: h.start):
        if h.concept is None:
            raise ValueError("hits given to build() need their concept")
        term = _own_term(h)
        prev = entries.get(h.concept_id)
        if prev is None:
            entries[h.concept_id] = _Entry(h.concept, h.text, term, len(entries))
        elif _is_preferred(term) and not _is_preferred(prev.term):
            # The user also wrote the preferred term: the entry counts as an exact match.
            entries[h.concept_id] = _Entry(prev.concept, h.text, term, prev.order)
    return _fit(_with_related(list(entries.values()), pool, related, lang), lang, budget_tokens, count_tokens)


def oracle_block(
    concepts: Iterable[Concept],
    *,
    question: str = "",
    budget_tokens: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
    lang: str | None = None,
    related: int = 0,
    pool: Iterable[Concept] | None = None,
) -> InjectionBlock:
    """The block for ``concepts`` as if each had been found by its preferred term, in list order
    (``related`` and ``pool`` as in ``build``)."""
    lang = lang or (guess_language(question) if question else "en")
    lang = lang if lang in _HEADER else "en"
    entries: list[_Entry] = []
    seen: set[int | None] = set()
    for c in concepts:
        if c.id in seen and c.id is not None:
            continue
        seen.add(c.id)
        entries.append(_Entry(c, c.label(lang), c.preferred(lang), len(entries)))
    return _fit(_with_related(entries, pool, related, lang), lang, budget_tokens, count_tokens)


POSITIONS = ("system", "inline", "both")
_INLINE = {"en": (" [{preferred}: {definition}]", " [{definition}]"),  # after the mention as written
           "zh": ("【{preferred}：{definition}】", "【{definition}】")}


@dataclass
class Mention:
    """Where the question names a concept: ``question[start:end]``."""

    start: int
    end: int
    concept: Concept


def mentions(question: str, concepts: Iterable[Concept]) -> list[Mention]:
    """The first mention of each concept in ``question`` by any of its terms (longest form first;
    case-insensitive unless the term is case-sensitive; Latin terms only at word boundaries).
    For evaluation's oracle, which injects concepts without the matcher."""
    import re

    out: list[Mention] = []
    for c in concepts:
        best: Mention | None = None
        for t in sorted(c.terms, key=lambda t: len(t.text), reverse=True):
            if not t.text:
                continue
            pattern = re.escape(t.text)
            if t.text[:1].isalnum() and t.text.isascii():
                pattern = rf"(?<!\w){pattern}(?!\w)"
            m = re.search(pattern, question, 0 if getattr(t, "case_sensitive", False) else re.IGNORECASE)
            if m and (best is None or m.start() < best.start):
                best = Mention(m.start(), m.end(), c)
        if best is not None:
            out.append(best)
    return out


def inline_question(question: str, spans: Iterable[Mention | Hit], block: InjectionBlock) -> str:
    """``question`` with each included concept's definition right after its first mention:
    "AF [atrial fibrillation: A supraventricular arrhythmia ...]". Concepts the block left out
    for the budget, or without a definition, are not annotated."""
    lang = block.lang if block.lang in _INLINE else "en"
    first: dict[int, Mention | Hit] = {}
    for s in sorted(spans, key=lambda s: s.start):
        c = s.concept
        if c is None or c.id not in block.included or c.id in first or not c.definition(lang):
            continue
        first[c.id] = s
    out, pos = [], 0
    for s in sorted(first.values(), key=lambda s: s.end):
        if s.start < pos:  # overlaps an annotated mention
            continue
        c = s.concept
        matched = question[s.start:s.end]
        preferred = c.label(lang)
        with_name, bare = _INLINE[lang]
        fmt = bare if matched.casefold() == preferred.casefold() else with_name
        out += [question[pos:s.end], fmt.format(preferred=preferred, definition=c.definition(lang).strip())]
        pos = s.end
    out.append(question[pos:])
    return "".join(out)


def related_only(block: InjectionBlock) -> InjectionBlock:
    """The related concepts' section of ``block`` alone: what goes to the system prompt when the named
    concepts are written inline (a concept the question does not name has no place there)."""
    return InjectionBlock(text=block.related_text, included=list(block.related), lang=block.lang,
                          related=list(block.related), related_text=block.related_text)


def system_prompt(base: str, block: InjectionBlock) -> str:
    """``base`` followed by the glossary block (``base`` alone when the block is empty)."""
    if not block.text:
        return base
    return f"{base.rstrip()}\n\n{block.text}" if base.strip() else block.text
