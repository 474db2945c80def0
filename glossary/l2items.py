"""L2 test items made from the glossary: questions that need two or more concepts at once.

``make_l2_items(concepts, seed=...)`` writes multiple-choice items of two kinds, in
English and Chinese, from the definitions the glossary already holds:

``compare``  "How do A and B differ?"; the options pair each term with a definition:
             the right pairing, the two swapped, and pairings with a third concept's
             definition. Knowing one of the two concepts is not enough: the swapped
             option has the same words. Partners are chosen linked first (a
             cross-reference in ``related``, or one concept's definition or note naming
             the other: cause and consequence, part and whole), then from the same
             subject field, so the pair is one a person would confuse.
``which``    "Which of A, B, C and D applies when ...?" with a definition standing for
             the situation; the options are the four terms, all named in the question,
             so every one of the four concepts is part of the item (and of its split).

Each item lists all its concepts, so ``assign_splits`` marks it seen only when the
adapter trained on every one of them. Items come out with ``status: pending``: they
are reviewed like training pairs (accept, edit or reject in the file or the app;
``read_testset`` skips rejected items). The same concepts and seed give the same
items. Knows nothing of the model, of torch or of Qt.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence

from glossary.inject import names_other
from glossary.model import Concept, TermType
from glossary.normalize import norm
from glossary.testset import LANGS, TestItem

KINDS = ("compare", "which")

_Q = {
    ("compare", "en"): "How do {a} and {b} differ?",
    ("compare", "zh"): "“{a}”和“{b}”有什么区别？",
    ("which", "en"): "Which of {names} applies to this: {situation}",
    ("which", "zh"): "以下情形适用{names}中的哪一个：{situation}",
}
_PAIR = {"en": "{a} is {da}; {b} is {db}", "zh": "{a}是{da}；{b}是{db}"}
_JOIN = {"en": (", ", " and "), "zh": ("、", "还是")}
_MAX_DEF_CHARS = {"en": 160, "zh": 70}


def _name(c: Concept, lang: str) -> str | None:
    t = c.preferred(lang)
    if t is None or t.lang != lang or t.type is TermType.ABBREVIATION:
        return None
    return t.text


def _short(definition: str, lang: str) -> str:
    """The definition's first sentence, shortened at a word boundary, without its final stop."""
    text = " ".join(definition.split())
    first = re.split(r"(?<=[.;])\s+|[。；]", text)[0] if lang == "en" else re.split(r"[。；]", text)[0]
    limit = _MAX_DEF_CHARS[lang]
    if len(first) > limit:
        cut = first[:limit]
        first = (cut.rsplit(" ", 1)[0] if lang == "en" and " " in cut else cut) + "…"
    first = first.rstrip(".;。；")
    if lang == "en" and first[:1].isupper() and not first[:2].isupper():
        first = first[0].lower() + first[1:]
    return first


_mentions = names_other  # A's definition or note names B (by a usable term: judged by its effective status)


def _partners(c: Concept, pool: Sequence[Concept], lang: str, rng: random.Random) -> list[Concept]:
    """Candidate partners for ``c``: linked ones first, then the same subject field, then any."""
    linked = [o for o in pool if o is not c and (o.id in c.related or c.id in o.related
                                                 or _mentions(c, o, lang) or _mentions(o, c, lang))]
    fields = set(c.subject_fields[:1])
    same = [o for o in pool if o is not c and o not in linked and fields & set(o.subject_fields[:1])]
    rest = [o for o in pool if o is not c and o not in linked and o not in same]
    for group in (linked, same, rest):
        rng.shuffle(group)
    return linked + same + rest


def _ref(c: Concept) -> str:
    return c.external_id or c.label()


def _field(c: Concept) -> str:
    return c.subject_fields[0] if c.subject_fields else "general"


def _item(kind: str, lang: str, concepts: Sequence[Concept], question: str, options: list[str], answer: str,
          note: str) -> TestItem:
    key = "-".join(str(c.id) if c.id is not None else _ref(c) for c in concepts)
    return TestItem(id=f"l2-{lang}-{kind}-{key}", subject_field=_field(concepts[0]), lang=lang, level="L2",
                    question=question, choices=options, answer=options.index(answer),
                    concepts=[_ref(c) for c in concepts],
                    concept_ids=[c.id for c in concepts if c.id is not None] if all(c.id is not None for c in concepts)
                    else [], note=note, status="pending")


def _compare(c: Concept, pool: Sequence[Concept], lang: str, rng: random.Random, used: set) -> TestItem | None:
    a = _name(c, lang)
    for other in _partners(c, pool, lang, rng):
        b = _name(other, lang)
        pair = frozenset((c.id if c.id is not None else id(c), other.id if other.id is not None else id(other)))
        if not b or norm(a) == norm(b) or pair in used or not other.definitions.get(lang):
            continue
        da, db = _short(c.definitions[lang], lang), _short(other.definitions[lang], lang)
        thirds = [x for x in _partners(c, pool, lang, rng) if x is not other and x.definitions.get(lang)]
        dc = next((_short(x.definitions[lang], lang) for x in thirds
                   if _short(x.definitions[lang], lang) not in (da, db)), None)
        if dc is None or da == db:
            continue
        fmt = _PAIR[lang]
        right = fmt.format(a=a, da=da, b=b, db=db)
        options = list(dict.fromkeys([right, fmt.format(a=a, da=db, b=b, db=da), fmt.format(a=a, da=da, b=b, db=dc),
                                      fmt.format(a=a, da=dc, b=b, db=db)]))
        if len(options) < 4:
            continue
        rng.shuffle(options)
        used.add(pair)
        linked = other.id in c.related or c.id in other.related or _mentions(c, other, lang) or _mentions(other, c, lang)
        return _item("compare", lang, [c, other], _Q[("compare", lang)].format(a=a, b=b), options, right,
                     "compare: linked concepts" if linked else "compare: same subject field")
    return None


def _which(c: Concept, pool: Sequence[Concept], lang: str, rng: random.Random) -> TestItem | None:
    a = _name(c, lang)
    others: list[tuple[Concept, str]] = []
    for o in _partners(c, pool, lang, rng):
        n = _name(o, lang)
        if n and norm(n) != norm(a) and all(norm(n) != norm(x) for _, x in others):
            others.append((o, n))
        if len(others) == 3:
            break
    if len(others) < 3:
        return None
    group = [(c, a), *others]
    rng.shuffle(group)
    names = [n for _, n in group]
    sep, last = _JOIN[lang]
    listed = sep.join(names[:-1]) + last + names[-1]
    situation = _short(c.definitions[lang], lang) + ("?" if lang == "en" else "？")
    question = _Q[("which", lang)].format(names=listed, situation=situation)
    return _item("which", lang, [c, *[o for o, _ in others]], question, names, a, "which: situation from a definition")


def make_l2_items(concepts: Iterable[Concept], *, seed: int = 0, langs: Sequence[str] = LANGS,
                  kinds: Sequence[str] = KINDS, n: int | None = None) -> list[TestItem]:
    """L2 multiple-choice items from ``concepts`` (see the module docstring); ``n`` keeps a seeded sample.

    Every concept used is one of ``concepts``: give one split's concepts to get items
    about that split only."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown L2 kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
    rng = random.Random(seed)
    items: list[TestItem] = []
    for lang in langs:
        pool = [c for c in concepts if _name(c, lang) and c.definitions.get(lang)]
        used: set = set()
        for c in pool:
            if "compare" in kinds and (it := _compare(c, pool, lang, rng, used)) is not None:
                items.append(it)
            if "which" in kinds and (it := _which(c, pool, lang, rng)) is not None:
                items.append(it)
    seen: set[str] = set()
    items = [it for it in items if not (it.id in seen or seen.add(it.id))]  # type: ignore[func-returns-value]
    if n is not None and 0 <= n < len(items):
        keep = sorted(rng.sample(range(len(items)), n))
        items = [items[i] for i in keep]
    return items
