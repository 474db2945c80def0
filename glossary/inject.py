"""The glossary block put into the system prompt for one question, under a token budget.

``build(hits, question=..., budget_tokens=..., count_tokens=...)`` turns detected
terms into one entry per concept, in order of first occurrence, written in the
question's language (Chinese or English): the preferred term, the form the user
wrote if different, what an abbreviation stands for, the definition and the
source. When the entries do not all fit, the most important are kept (approved
before draft, a preferred term before a synonym, earlier before later) and the
rest are reported in ``dropped``. ``oracle_block`` builds the same block from a
list of concepts (evaluation injects the right concepts without detection).

This module knows nothing of tokenizers (``count_tokens`` is passed in), of the
model or of Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from glossary.matcher import Hit
from glossary.model import Concept, Status, Term, TermType, guess_language
from glossary.normalize import norm

_HEADER = {
    "en": "Glossary for this question. These are the user's own definitions; "
    "use them in preference to general knowledge:",
    "zh": "本问题涉及的术语。以下是用户自己的定义，回答时请优先采用：",
}


@dataclass
class InjectionBlock:
    text: str  # the block for the system prompt; "" when nothing is injected
    included: list[int] = field(default_factory=list)  # concept ids, in the order they appear
    dropped: list[int] = field(default_factory=list)  # concept ids left out for the budget
    lang: str = "en"


@dataclass
class _Entry:
    concept: Concept
    matched: str  # the form the user wrote
    term: Term | None  # the term that matched, if known
    order: int

    @property
    def priority(self) -> tuple:
        """Sort key: smaller is kept first."""
        exact = self.term is None or self.term.type is TermType.PREFERRED
        return (self.concept.status is not Status.APPROVED, not exact, self.order)


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
    deprecated = e.term is not None and e.term.type is TermType.DEPRECATED
    if lang == "zh":
        if matched_differs and is_abbr:
            full = _expansion(c, lang) or preferred
            # "X (abbreviated Y)" when the head already is what Y stands for: never "Y stands for X" after X
            notes.append(f"缩写为“{e.matched}”" if full == preferred else f"“{e.matched}”是“{full}”的缩写")
        elif matched_differs:
            notes.append(f"文中写作“{e.matched}”" + ("，该写法已不推荐" if deprecated else ""))
        head = preferred + (f"（{'；'.join(notes)}）" if notes else "")
        line = f"- {head}：{c.definition(lang) or '（无定义）'}"
        if c.source:
            line += f"（来源：{c.source}）"
        return line
    if matched_differs and is_abbr:
        full = _expansion(c, lang) or preferred
        notes.append(f'abbreviated "{e.matched}"' if full == preferred else f'"{e.matched}" stands for {full}')
    elif matched_differs:
        notes.append(f'written "{e.matched}"' + (", a deprecated term" if deprecated else ""))
    head = preferred + (f" ({'; '.join(notes)})" if notes else "")
    line = f"- {head}: {c.definition(lang) or '(no definition)'}"
    if c.source:
        line += f" (source: {c.source})"
    return line


def _render(entries: Sequence[_Entry], lang: str) -> str:
    if not entries:
        return ""
    ordered = sorted(entries, key=lambda e: e.order)
    return "\n".join([_HEADER[lang], *(_render_entry(e, lang) for e in ordered)])


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
    kept_ids = {e.concept.id for e in kept}
    kept = sorted(kept, key=lambda e: e.order)
    return InjectionBlock(
        text=_render(kept, lang),
        included=[e.concept.id for e in kept],  # type: ignore[misc]
        dropped=[e.concept.id for e in entries if e.concept.id not in kept_ids],  # type: ignore[misc]
        lang=lang,
    )


def _is_preferred(term: Term | None) -> bool:
    return term is not None and term.type is TermType.PREFERRED


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
) -> InjectionBlock:
    """The block for ``hits`` (from ``Matcher.detect(question)``), at most ``budget_tokens`` long."""
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
    return _fit(list(entries.values()), lang, budget_tokens, count_tokens)


def oracle_block(
    concepts: Iterable[Concept],
    *,
    question: str = "",
    budget_tokens: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
    lang: str | None = None,
) -> InjectionBlock:
    """The block for ``concepts`` as if each had been found by its preferred term, in list order."""
    lang = lang or (guess_language(question) if question else "en")
    lang = lang if lang in _HEADER else "en"
    entries: list[_Entry] = []
    seen: set[int | None] = set()
    for c in concepts:
        if c.id in seen and c.id is not None:
            continue
        seen.add(c.id)
        entries.append(_Entry(c, c.label(lang), c.preferred(lang), len(entries)))
    return _fit(entries, lang, budget_tokens, count_tokens)


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


def system_prompt(base: str, block: InjectionBlock) -> str:
    """``base`` followed by the glossary block (``base`` alone when the block is empty)."""
    if not block.text:
        return base
    return f"{base.rstrip()}\n\n{block.text}" if base.strip() else block.text
