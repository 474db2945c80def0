"""Test sets for evaluation: the JSONL format, a reader, and L1 items made from concepts.

Format: one JSON object per line (blank lines and lines starting with ``#`` are
skipped). Fields:

``id`` (str, unique in the file)
``subject_field`` (str: "medicine", "law", "finance", "general", ...)
``lang`` ("en" or "zh": the language of the question)
``level`` ("L1": what one term means; "L2": reasoning across two or more terms)
``question`` (str)

and either, for multiple choice,

``choices`` (a list of 2 or more distinct strings) and ``answer`` (the index of
the right choice, 0-based, or its letter "A", "B", ...),

or, for free text,

``reference`` (a model answer, shown in reports) and ``key_points`` (a non-empty
list of short phrases an answer must contain; "a|b" lists alternative wordings
of one key point; a key point that is a term of a glossary concept is also met
by any other term of that concept).

Optional: ``concepts`` (a list of references to glossary concepts: a concept's
external id, e.g. "med-af", or one of its terms, e.g. "atrial fibrillation"),
resolved to concept ids when the test runs, so a file works with any store that
holds those concepts; ``concept_ids`` (a list of store ids, for files made for
one store); ``note`` (free text, ignored).

TermLens ships two sets in ``resources/testsets``: ``sample.jsonl`` (medicine, law
and finance; English and Chinese; L1 and L2; a few free-text items) and
``general.jsonl`` (general knowledge, the forgetting check of an adapter).

``read_testset`` raises ``TestSetError`` naming the line and what is wrong.
``make_l1_items`` writes L1 multiple-choice items from concepts ("What is the
definition of TERM?", "What does ABBR stand for?", in English and
Chinese), with distractors from other concepts of the same subject field (hard)
and of other fields (easy), options shuffled with a fixed seed. ``assign_splits``
marks each item "seen" or "held-out" against the concept ids an adapter was
trained on.

Knows nothing of the model, of torch or of Qt.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from glossary.errors import TermLensError
from glossary.model import Concept, TermType

LEVELS = ("L1", "L2")
LANGS = ("en", "zh")
LETTERS = "ABCDEFGHIJ"
REVIEW = ("", "pending", "accepted", "rejected")  # an item's review status; rejected items are not scored

# Splits of an item against an adapter's training concepts.
SEEN = "seen"  # every concept of the item was in the adapter's training data
HELD_OUT = "held-out"  # none was
PARTIAL = "partial"  # some were
NO_CONCEPTS = "n/a"  # the item names no glossary concept (general knowledge)


class TestSetError(TermLensError):
    """A test-set file cannot be used; the message names the line and why."""

    __test__ = False  # not a pytest class


@dataclass
class TestItem:
    """One question of a test set (see the module docstring for the file format)."""

    __test__ = False

    id: str
    subject_field: str
    lang: str
    level: str
    question: str
    choices: list[str] = field(default_factory=list)  # multiple choice when non-empty
    answer: int | None = None  # index into choices
    reference: str = ""  # free text
    key_points: list[str] = field(default_factory=list)  # free text
    concepts: list[str] = field(default_factory=list)  # references: external ids or terms
    concept_ids: list[int] = field(default_factory=list)  # store ids (given, or resolved from ``concepts``)
    split: str = NO_CONCEPTS
    note: str = ""
    status: str = ""  # made items: pending / accepted / rejected (reviewed like training pairs); "" for written ones

    @property
    def kind(self) -> str:
        return "mc" if self.choices else "free"

    def to_dict(self) -> dict:
        d: dict = {"id": self.id, "subject_field": self.subject_field, "lang": self.lang, "level": self.level,
                   "question": self.question}
        if self.choices:
            d["choices"] = list(self.choices)
            d["answer"] = LETTERS[self.answer or 0]
        else:
            d["reference"] = self.reference
            d["key_points"] = list(self.key_points)
        if self.concepts:
            d["concepts"] = list(self.concepts)
        if self.concept_ids:
            d["concept_ids"] = list(self.concept_ids)
        if self.note:
            d["note"] = self.note
        if self.status:
            d["status"] = self.status
        return d


def _str_list(obj: dict, key: str, source: str, line: int) -> list[str]:
    value = obj.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TestSetError.of("{source}, line {line}: '{key}' must be a list of non-empty strings.",
                              source=source, line=line, key=key)
    return [v.strip() for v in value]


def parse_item(obj: object, source: str = "test set", line: int = 1) -> TestItem:
    """One item from its JSON object, read from line ``line`` of ``source``; any error message
    starts with them ("set.jsonl, line 7: ...")."""
    if not isinstance(obj, dict):
        raise TestSetError.of("{source}, line {line}: expected a JSON object, found {type}.",
                              source=source, line=line, type=type(obj).__name__)
    for key in ("id", "subject_field", "lang", "level", "question"):
        v = obj.get(key)
        if not isinstance(v, str) or not v.strip():
            raise TestSetError.of("{source}, line {line}: '{key}' is missing or empty.", source=source, line=line,
                                  key=key)
    if obj["lang"] not in LANGS:
        raise TestSetError.of("{source}, line {line}: 'lang' must be one of {langs}, not '{lang}'.",
                              source=source, line=line, langs=", ".join(LANGS), lang=obj["lang"])
    if obj["level"] not in LEVELS:
        raise TestSetError.of("{source}, line {line}: 'level' must be L1 or L2, not '{level}'.",
                              source=source, line=line, level=obj["level"])
    item = TestItem(id=obj["id"].strip(), subject_field=obj["subject_field"].strip(), lang=obj["lang"],
                    level=obj["level"], question=obj["question"].strip(), note=str(obj.get("note", "")))
    status = obj.get("status", "")
    if status not in REVIEW:
        raise TestSetError.of("{source}, line {line}: 'status' must be one of {statuses}, not '{status}'.",
                              source=source, line=line, statuses=", ".join(REVIEW[1:]), status=status)
    item.status = status
    has_mc = "choices" in obj or "answer" in obj
    has_free = "reference" in obj or "key_points" in obj
    if has_mc == has_free:
        raise TestSetError.of("{source}, line {line}: give either 'choices' and 'answer' (multiple choice) "
                              "or 'reference' and 'key_points' (free text).", source=source, line=line)
    if has_mc:
        item.choices = _str_list(obj, "choices", source, line)
        if len(item.choices) < 2:
            raise TestSetError.of("{source}, line {line}: 'choices' needs at least two options.",
                                  source=source, line=line)
        if len(item.choices) > len(LETTERS):
            raise TestSetError.of("{source}, line {line}: 'choices' has more than {n} options.",
                                  source=source, line=line, n=len(LETTERS))
        if len(set(item.choices)) != len(item.choices):
            raise TestSetError.of("{source}, line {line}: two of the 'choices' are the same.",
                                  source=source, line=line)
        item.answer = _answer_index(obj.get("answer"), len(item.choices), source, line)
    else:
        ref = obj.get("reference")
        if not isinstance(ref, str) or not ref.strip():
            raise TestSetError.of("{source}, line {line}: 'reference' is missing or empty.",
                                  source=source, line=line)
        item.reference = ref.strip()
        item.key_points = _str_list(obj, "key_points", source, line)
        if not item.key_points:
            raise TestSetError.of("{source}, line {line}: 'key_points' is empty.", source=source, line=line)
    if "concepts" in obj:
        item.concepts = _str_list(obj, "concepts", source, line)
    if "concept_ids" in obj:
        ids = obj["concept_ids"]
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise TestSetError.of("{source}, line {line}: 'concept_ids' must be a list of whole numbers.",
                                  source=source, line=line)
        item.concept_ids = list(ids)
    return item


def _answer_index(answer: object, n: int, source: str, line: int) -> int:
    if isinstance(answer, bool):
        answer = None
    if isinstance(answer, str) and len(answer.strip()) == 1 and answer.strip().upper() in LETTERS:
        idx = LETTERS.index(answer.strip().upper())
    elif isinstance(answer, int):
        idx = answer
    else:
        raise TestSetError.of("{source}, line {line}: 'answer' must be an option's index (0-based) or letter, "
                              "not {answer}.", source=source, line=line, answer=repr(answer))
    if not 0 <= idx < n:
        raise TestSetError.of("{source}, line {line}: 'answer' {answer} does not name one of the {n} choices.",
                              source=source, line=line, answer=repr(answer), n=n)
    return idx


def parse_lines(lines: Iterable[str], *, source: str = "test set") -> list[TestItem]:
    """Items from JSONL lines; errors say ``line N: why``."""
    items: list[TestItem] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TestSetError.of("{source}, line {line}: not valid JSON ({detail}, column {column}).",
                                  source=source, line=n, detail=exc.msg, column=exc.colno) from None
        item = parse_item(obj, source, n)
        if item.id in seen:
            raise TestSetError.of("{source}, line {line}: the id '{id}' was already used on line {first}.",
                                  source=source, line=n, id=item.id, first=seen[item.id])
        seen[item.id] = n
        if item.status != "rejected":  # a reviewer turned it down: it is kept in the file, not scored
            items.append(item)
    if not items:
        raise TestSetError.of("{source} holds no test items.", source=source)
    return items


def read_testset(path: str | PathLike[str]) -> list[TestItem]:
    """Read a JSONL test set, or raise ``TestSetError`` naming the bad line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TestSetError.of("The test set '{path}' does not exist.", path=str(p)) from None
    except UnicodeDecodeError:
        raise TestSetError.of("The test set '{name}' is not UTF-8 text.", name=p.name) from None
    except OSError as exc:
        raise TestSetError.of("The test set '{name}' cannot be read ({reason}).", name=p.name,
                              reason=exc.strerror or str(exc)) from None
    return parse_lines(text.splitlines(), source=p.name)


def write_testset(items: Iterable[TestItem], path: str | PathLike[str]) -> int:
    """Write items as JSONL; returns how many."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n


# --- concepts of items ---


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def resolve_concepts(items: Sequence[TestItem], concepts: Iterable[Concept]) -> list[str]:
    """Fill each item's ``concept_ids`` from its ``concepts`` references; returns the unresolved ones.

    A reference names a concept by external id first, then by its preferred term,
    then by any of its terms (compared case-insensitively). Ids already given are
    kept when the glossary holds them.
    """
    by_ext: dict[str, int] = {}
    by_pref: dict[str, int] = {}
    by_term: dict[str, int] = {}
    known: set[int] = set()
    for c in concepts:
        if c.id is None:
            continue
        known.add(c.id)
        if c.external_id:
            by_ext.setdefault(_key(c.external_id), c.id)
        for t in c.terms:
            target = by_pref if t.type is TermType.PREFERRED else by_term
            target.setdefault(_key(t.text), c.id)
    missing: list[str] = []
    for item in items:
        ids = [i for i in item.concept_ids if i in known]
        for ref in item.concepts:
            k = _key(ref)
            cid = next((t[k] for t in (by_ext, by_pref, by_term) if k in t), None)
            if cid is None:
                missing.append(f"{item.id}: {ref}")
            elif cid not in ids:
                ids.append(cid)
        item.concept_ids = ids
    return missing


def split_of(concept_ids: Iterable[int], trained: set[int]) -> str:
    ids = set(concept_ids)
    if not ids:
        return NO_CONCEPTS
    inside = len(ids & trained)
    return SEEN if inside == len(ids) else HELD_OUT if inside == 0 else PARTIAL


def assign_splits(items: Iterable[TestItem], trained_concept_ids: Iterable[int]) -> None:
    """Mark each item seen / held-out / partial against the adapter's training concepts."""
    trained = set(trained_concept_ids)
    for item in items:
        item.split = split_of(item.concept_ids, trained)


# --- L1 items from concepts ---

_TEMPLATES = {
    ("definition", "en"): "What is the definition of “{term}”?",
    ("definition", "zh"): "“{term}”的定义是什么？",
    ("abbreviation", "en"): "What does the abbreviation “{term}” stand for?",
    ("abbreviation", "zh"): "缩写“{term}”代表什么？",
}


def _field(c: Concept) -> str:
    return c.subject_fields[0] if c.subject_fields else "general"


def _ref(c: Concept) -> str:
    return c.external_id or c.label()


def _pick_distractors(rng: random.Random, answer: str, pool_hard: list[str], pool_easy: list[str], *,
                      n: int, n_hard: int) -> list[str] | None:
    hard = [x for x in dict.fromkeys(pool_hard) if x and x != answer]
    easy = [x for x in dict.fromkeys(pool_easy) if x and x != answer and x not in hard]
    rng.shuffle(hard)
    rng.shuffle(easy)
    chosen = hard[:n_hard]
    chosen += easy[: n - len(chosen)]
    if len(chosen) < n:  # too few concepts in other fields: more of the same field
        chosen += [x for x in hard[n_hard:] if x not in chosen][: n - len(chosen)]
    return chosen if len(chosen) == n else None


def make_l1_items(
    concepts: Iterable[Concept],
    *,
    n: int | None = None,
    seed: int = 0,
    langs: Sequence[str] = LANGS,
    n_choices: int = 4,
    n_hard: int = 2,
    kinds: Sequence[str] = ("definition", "abbreviation"),
    trained_concept_ids: Iterable[int] | None = None,
) -> list[TestItem]:
    """L1 multiple-choice items from ``concepts``; the same inputs and seed give the same items.

    For each concept and language with a definition, a *definition* item (the
    options are definitions of this and other concepts); for each abbreviation, an
    *abbreviation* item (the options are preferred terms). ``n_hard`` of the
    ``n_choices - 1`` distractors come from the concept's own subject field, the
    rest from other fields (fewer hard ones when the field is small). ``n`` keeps a
    seeded sample. Items reference their concept by external id (or preferred term)
    and carry its id when it has one.
    """
    rng = random.Random(seed)
    pool = [c for c in concepts if c.terms]
    items: list[TestItem] = []
    for lang in langs:
        defs: dict[str, list[str]] = {}
        names: dict[str, list[str]] = {}
        for c in pool:
            if c.definitions.get(lang):
                defs.setdefault(_field(c), []).append(c.definitions[lang])
            pref = c.preferred(lang)
            if pref is not None and pref.lang == lang and pref.type is not TermType.ABBREVIATION:
                names.setdefault(_field(c), []).append(pref.text)
        for c in pool:
            fld = _field(c)
            pref = c.preferred(lang)
            if pref is None or pref.lang != lang:
                continue
            others = lambda table: [x for f, xs in table.items() if f != fld for x in xs]  # noqa: E731
            candidates: list[tuple[str, str, str, list[str], list[str]]] = []
            if "definition" in kinds and c.definitions.get(lang):
                candidates.append(("definition", pref.text, c.definitions[lang], defs.get(fld, []), others(defs)))
            if "abbreviation" in kinds and pref.type is not TermType.ABBREVIATION:
                for t in c.terms:
                    if t.type is TermType.ABBREVIATION and t.text != pref.text and (t.lang == lang or t.text.isascii()):
                        candidates.append(("abbreviation", t.text, pref.text, names.get(fld, []), others(names)))
                        break
            for kind, term, answer, hard, easy in candidates:
                distractors = _pick_distractors(rng, answer, hard, easy, n=n_choices - 1, n_hard=n_hard)
                if distractors is None:
                    continue
                options = [answer, *distractors]
                rng.shuffle(options)
                items.append(TestItem(
                    id=f"gen-{lang}-{kind[:3]}-{c.id if c.id is not None else _ref(c)}",
                    subject_field=fld, lang=lang, level="L1",
                    question=_TEMPLATES[(kind, lang)].format(term=term),
                    choices=options, answer=options.index(answer),
                    concepts=[_ref(c)], concept_ids=[c.id] if c.id is not None else [],
                ))
    if n is not None and n < len(items):
        keep = sorted(rng.sample(range(len(items)), n))
        items = [items[i] for i in keep]
    if trained_concept_ids is not None:
        assign_splits(items, trained_concept_ids)
    return items
