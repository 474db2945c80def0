"""Supervised fine-tuning pairs made from the glossary, for review and LoRA training.

``build_pairs(concepts)`` writes, for each concept and each language, a few
question-and-answer conversations from fixed templates in English and Chinese:

- ``definition``: what a term means;
- ``abbreviation``: what an abbreviation stands for;
- ``reverse``: which term names a given definition;
- ``synonym``: another name for a term, and which term to prefer over a deprecated one;
- ``context``: a term met in a sentence: from documents the user supplied (found with
  ``glossary.matcher``) or from the definition of a concept the glossary links to it;
- ``related``: how a term relates to, or differs from, a concept the glossary links it to.

Each pair is a dict ``{"id", "concept_id", "kind", "lang", "status", "messages"}``;
``status`` starts as "pending" and the review marks it "accepted" or "rejected". The
choice of templates is seeded per concept, so the same seed gives the same pairs,
and adding a concept does not change the pairs of the others (unless it is linked to them). ``id`` is a hash of a
pair's content, so it stays the same across rebuilds and review marks can be carried
over (``merge``). ``pairs_from_store`` builds the set for one subject field of a store.
``write_jsonl`` / ``read_jsonl`` store pairs one JSON object a line.

Knows nothing of torch, Qt or the desktop app.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from glossary.errors import GlossaryImportError
from glossary.model import NON_PREFERRED_STATUSES, Concept, Term, TermStatus, TermType, guess_language

STATUSES = ("pending", "accepted", "rejected")
KINDS = ("definition", "abbreviation", "reverse", "synonym", "context", "related")

# {t}: term, {d}: definition, {a}: abbreviation, {f}: full form, {s}: sentence, {r}: related term,
# {rd}: related definition, {p}: preferred term, {o}: other names, {x}: why a term is not to be used
QUESTIONS: dict[str, dict[str, list[str]]] = {
    "en": {
        "definition": ["What does “{t}” mean?", "Define {t}.", "What is meant by {t}?",
                       "In plain words, what is {t}?", "Explain the term “{t}”."],
        "abbreviation": ["What does {a} stand for?", "What is the full form of the abbreviation {a}?",
                         "Expand {a}.", "{a} is short for what?"],
        "reverse": ["Which term means: {d}", "What is the term for the following? {d}",
                    "Name the concept defined as: {d}"],
        "synonym": ["What is another name for {t}?", "Should I write “{t}”?"],
        "context": ["In the sentence “{s}”, what does “{t}” mean?",
                    "I read: “{s}” What is {t} here?"],
        "related": ["How is {t} related to {r}?", "What is the difference between {t} and {r}?"],
    },
    "zh": {
        "definition": ["“{t}”是什么意思？", "请解释{t}。", "什么是{t}？", "{t}指的是什么？", "请定义术语“{t}”。"],
        "abbreviation": ["{a}是什么的缩写？", "缩写{a}的全称是什么？", "{a}代表什么？"],
        "reverse": ["哪个术语的含义是：{d}", "下面描述的是哪个术语？{d}", "以下定义对应的术语是什么？{d}"],
        "synonym": ["{t}还有什么别的叫法？", "可以用“{t}”这个说法吗？"],
        "context": ["在句子“{s}”中，“{t}”是什么意思？", "我读到：“{s}” 这里的{t}指什么？"],
        "related": ["{t}和{r}有什么关系？", "{t}与{r}有什么区别？"],
    },
}
ANSWERS: dict[str, dict[str, list[str]]] = {
    "en": {
        "definition": ["{t} means: {d}", "{t}: {d}", "The term “{t}” refers to the following. {d}"],
        "abbreviation": ["{a} stands for {f}. {d}", "{a} is the abbreviation of {f}. {d}"],
        "reverse": ["That is {t}{o}.", "The term is {t}{o}."],
        "synonym_alt": ["{t} is also called {o}.", "Other names for {t}: {o}."],
        "synonym_deprecated": ["“{t}” is {x}; the preferred term is {p}. {d}"],
        "context": ["Here, {t} means: {d}", "In this sentence {t} refers to the following. {d}"],
        "related": ["{t} and {r} are related concepts. {t}: {d} {r}: {rd}",
                    "{t} means: {d} {r}, by contrast, means: {rd}"],
    },
    "zh": {
        "definition": ["{t}的意思是：{d}", "{t}：{d}", "术语“{t}”指：{d}"],
        "abbreviation": ["{a}是{f}的缩写。{d}", "{a}代表{f}。{d}"],
        "reverse": ["这是{t}{o}。", "该术语是{t}{o}。"],
        "synonym_alt": ["{t}也称为{o}。", "{t}的其他名称：{o}。"],
        "synonym_deprecated": ["“{t}”{x}，推荐术语是{p}。{d}"],
        "context": ["这里，{t}的意思是：{d}", "在这句话中，{t}指：{d}"],
        "related": ["{t}和{r}是相关的概念。{t}：{d} {r}：{rd}", "{t}的意思是：{d} 而{r}的意思是：{rd}"],
    },
}
_ALSO = {"en": " (also: {})", "zh": "（又称：{}）"}
_SEP = {"en": ", ", "zh": "、"}
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s*|\n+")
MAX_CONTEXTS = 12  # sentences kept per concept and language: a common term may occur hundreds of times


def _terms(c: Concept, lang: str) -> list[Term]:
    return [t for t in c.terms if t.lang == lang]


def _usable(t: Term) -> bool:
    """A term a person may write: not deprecated, superseded or forbidden, by its status (set or
    implied by its type; a synonym marked forbidden in a TBX file is as unusable as a deprecated one)."""
    return t.effective_status not in NON_PREFERRED_STATUSES


# How a term not to be used is described in a training answer, by its status
_UNUSABLE = {
    "en": {TermStatus.DEPRECATED: "deprecated", TermStatus.SUPERSEDED: "superseded",
           TermStatus.FORBIDDEN: "not to be used"},
    "zh": {TermStatus.DEPRECATED: "已不推荐使用", TermStatus.SUPERSEDED: "已被取代", TermStatus.FORBIDDEN: "禁止使用"},
}


def _preferred(c: Concept, lang: str) -> Term | None:
    """The concept's name in ``lang``: its preferred term there, else an abbreviation written in Latin letters."""
    own = _terms(c, lang)
    for t in own:
        if t.effective_status is TermStatus.PREFERRED:
            return t
    for t in own:
        if _usable(t):
            return t
    if lang != "en":  # abbreviations such as "CT" or "AF" are used as they are in Chinese text
        for t in c.terms:
            if t.type is TermType.ABBREVIATION and _usable(t):
                return t
    return None


def _split_sentences(text: str) -> list[str]:
    out = []
    for s in _SENTENCE_END.split(text or ""):
        s = " ".join(s.split())
        if 12 <= len(s) <= 300:
            out.append(s)
    return out


def _sentences(documents: Sequence[str]) -> list[str]:
    return [s for doc in documents for s in _split_sentences(doc)]


def _contains(sentence: str, term: str) -> bool:
    if not term:
        return False
    if term.isascii():
        return re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", sentence, re.IGNORECASE) is not None
    return term in sentence


def _sentence_case(text: str) -> str:
    """An English answer starts with a capital ("Atrial fibrillation means"), an abbreviation as written ("eGFR")."""
    first = text.split(" ", 1)[0]
    if first[:1].islower() and first.islower():
        return text[0].upper() + text[1:]
    return text


def pair_id(concept_key: str, kind: str, lang: str, messages: list[dict]) -> str:
    raw = json.dumps([concept_key, kind, lang, messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def _document_contexts(concepts: list[Concept], sentences: list[str]) -> dict[int, list[tuple[str, str]]]:
    """For each concept (by position in ``concepts``): (sentence, the term as written there) from the documents."""
    if not sentences:
        return {}
    from glossary.matcher import Matcher

    numbered = []
    for i, c in enumerate(concepts):
        n = c.copy()
        n.id = i  # positions as ids: concepts built outside a store have none
        numbered.append(n)
    matcher = Matcher(numbered)
    found: dict[int, list[tuple[str, str]]] = {}
    for s in sentences:
        seen = set()
        for h in matcher.detect(s):
            if h.alternatives or h.deprecated or h.concept_id in seen:
                continue  # a form shared by several concepts could teach the wrong meaning
            seen.add(h.concept_id)
            bucket = found.setdefault(h.concept_id, [])
            if len(bucket) < MAX_CONTEXTS:
                bucket.append((s, h.text))
    return found


def _glossary_contexts(c: Concept, lang: str, linked: list[Concept]) -> list[tuple[str, str]]:
    """(sentence, term) from the definitions of linked concepts that use one of the concept's terms.

    Notes are left out: they often discuss other senses of a word ("in law 'discharge'
    means ..."), which would teach the wrong meaning.
    """
    surface = [x.text for x in _terms(c, lang) if _usable(x)]
    surface += [x.text for x in c.terms if x.type is TermType.ABBREVIATION and _usable(x) and x.text not in surface]
    out: list[tuple[str, str]] = []
    for text in [r.definitions.get(lang, "") for r in linked]:
        for s in _split_sentences(text):
            used = next((x for x in sorted(surface, key=len, reverse=True) if _contains(s, x)), None)
            if used and s not in c.definitions.values():
                out.append((s, used))
    return out[:MAX_CONTEXTS]


def _candidates(c: Concept, lang: str, *, linked: list[Concept], contexts: list[tuple[str, str]]) -> dict[str, list[dict]]:
    """Every (question, answer) this concept allows in ``lang``, grouped by kind."""
    name = _preferred(c, lang)
    definition = c.definitions.get(lang, "").strip()
    if name is None:
        return {}
    t = name.text
    q, a = QUESTIONS[lang], ANSWERS[lang]
    out: dict[str, list[dict]] = {}
    others = [x.text for x in _terms(c, lang) if x.text != t and _usable(x)]
    also = _ALSO[lang].format(_SEP[lang].join(others)) if others else ""

    def add(kind: str, question: str, answer: str, fields: dict[str, str]) -> None:
        answer = " ".join(answer.format(**fields).split()) if lang == "en" else answer.format(**fields).strip()
        out.setdefault(kind, []).append({"q": question.format(**fields).strip(),
                                         "a": _sentence_case(answer) if lang == "en" else answer})

    if definition:
        for qt in q["definition"]:
            for at in a["definition"]:
                add("definition", qt, at, {"t": t, "d": definition})
        for qt in q["reverse"]:
            for at in a["reverse"]:
                add("reverse", qt, at, {"t": t, "d": definition, "o": also})
    names = [x.text for x in _terms(c, lang) if x.type is TermType.PREFERRED and _usable(x)] + \
        [x.text for x in _terms(c, lang) if x.type is TermType.SYNONYM and _usable(x)]
    for abbr in (x for x in c.terms if x.type is TermType.ABBREVIATION and _usable(x)):
        # the full form spells the abbreviation out: "CKD-EPI equation" does not expand "CKD-EPI"
        full = next((n for n in names if abbr.text.lower() not in n.lower()), None)
        if full and (abbr.lang == lang or not _terms(c, lang) or abbr.text.isascii()):
            for qt in q["abbreviation"]:
                for at in a["abbreviation"]:
                    add("abbreviation", qt, at, {"a": abbr.text, "f": full, "d": definition})
    if others:
        for at in a["synonym_alt"]:
            add("synonym", q["synonym"][0], at, {"t": t, "o": _SEP[lang].join(others)})
    for dep in (x for x in _terms(c, lang) if not _usable(x) and x.text != t):
        for at in a["synonym_deprecated"]:
            add("synonym", q["synonym"][1], at,
                {"t": dep.text, "p": t, "d": definition, "x": _UNUSABLE[lang][dep.effective_status]})
    if definition:
        for s, used in contexts:
            for qt in q["context"]:
                for at in a["context"]:
                    add("context", qt, at, {"t": used, "s": s, "d": definition})
        for r in linked:
            rname = _preferred(r, lang)
            rdef = r.definitions.get(lang, "").strip()
            if rname and rdef and rname.text != t:
                for qt, at in zip(q["related"], a["related"]):
                    add("related", qt, at, {"t": t, "d": definition, "r": rname.text, "rd": rdef})
    return out


def _key(c: Concept) -> str:
    return str(c.id) if c.id is not None else (c.external_id or c.label())


def build_pairs(concepts: Iterable[Concept], *, seed: int = 0, langs: Sequence[str] = ("en", "zh"),
                per_concept: int = 4, documents: Sequence[str] = (), linked: Iterable[Concept] = (),
                on_progress: Callable[[int, int], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> list[dict]:
    """Pairs for every concept and language (at most ``per_concept`` each), the kinds taken in turn.

    ``documents``: texts the user supplied, for terms in context. ``linked``: concepts that
    ``concepts`` link to but that are not among them (another subject field), read for
    context only. ``should_stop`` ends the work early with the pairs made so far.
    """
    concepts = list(concepts)
    unknown = [lang for lang in langs if lang not in QUESTIONS]
    if unknown:
        raise ValueError(f"no question templates for language(s) {', '.join(unknown)}; use en or zh")
    if per_concept < 1:
        raise ValueError("per_concept must be at least 1")
    by_id = {c.id: c for c in list(linked) + concepts if c.id is not None}
    linked_to: dict[Any, list[Any]] = {}
    for c in by_id.values():  # a link goes both ways, whichever concept recorded it
        for rid in c.related:
            if rid in by_id and rid != c.id:
                linked_to.setdefault(c.id, []).append(rid)
                linked_to.setdefault(rid, []).append(c.id)
    doc_contexts = _document_contexts(concepts, _sentences(documents))
    pairs: list[dict] = []
    for i, c in enumerate(concepts):
        if should_stop and should_stop():
            break
        if on_progress and i % 200 == 0:
            on_progress(i, len(concepts))
        key = _key(c)
        links = [by_id[r] for r in dict.fromkeys(linked_to.get(c.id, []))]
        for lang in langs:
            contexts = [(s, used) for s, used in doc_contexts.get(i, []) if guess_language(s) == lang]
            contexts += _glossary_contexts(c, lang, links)
            groups = _candidates(c, lang, linked=links, contexts=contexts)
            if not groups:
                continue
            rng = random.Random(f"{seed}:{key}:{lang}")
            for items in groups.values():
                rng.shuffle(items)
            kinds = [k for k in KINDS if k in groups]
            rng.shuffle(kinds)
            if "context" in kinds:  # the rarest kind, and what documents were given for: it goes first
                kinds.remove("context")
                kinds.insert(0, "context")
            chosen, seen_q = [], set()
            round_ = 0
            while len(chosen) < per_concept and any(round_ < len(groups[k]) for k in kinds):
                for k in kinds:
                    if round_ < len(groups[k]) and len(chosen) < per_concept and groups[k][round_]["q"] not in seen_q:
                        seen_q.add(groups[k][round_]["q"])
                        chosen.append((k, groups[k][round_]))
                round_ += 1
            for kind, item in chosen:
                messages = [{"role": "user", "content": item["q"]}, {"role": "assistant", "content": item["a"]}]
                pairs.append({"id": pair_id(key, kind, lang, messages), "concept_id": c.id, "kind": kind,
                              "lang": lang, "status": "pending", "messages": messages})
    if on_progress:
        on_progress(len(concepts), len(concepts))
    return pairs


def pairs_from_store(store: Any, *, domain: str | None = None, seed: int = 0, per_concept: int = 4,
                     langs: Sequence[str] = ("en", "zh"), documents: Sequence[str] = (),
                     on_progress: Callable[[int, int], None] | None = None,
                     should_stop: Callable[[], bool] | None = None) -> list[dict]:
    """``build_pairs`` over the concepts of a ``GlossaryStore`` (one subject field, or all); concepts
    of other fields that these link to are read for context."""
    concepts = list(store.iter_concepts(domain=domain))
    have = {c.id for c in concepts}
    outside = sorted({r for c in concepts for r in c.related if r not in have})
    linked = store.get_many(outside) if outside else []
    return build_pairs(concepts, seed=seed, langs=langs, per_concept=per_concept, documents=documents,
                       linked=linked, on_progress=on_progress, should_stop=should_stop)


def merge(existing: Iterable[dict], fresh: Iterable[dict]) -> list[dict]:
    """A rebuilt set that keeps the review: reviewed or edited pairs stay as they are, pending
    pairs the rebuild no longer makes go, new pairs are added as pending."""
    fresh = list(fresh)
    fresh_ids = {p["id"] for p in fresh}
    kept = [p for p in existing if p.get("status", "pending") != "pending" or p.get("edited") or p["id"] in fresh_ids]
    have = {p["id"] for p in kept}
    return kept + [p for p in fresh if p["id"] not in have]


def counts(pairs: Iterable[dict]) -> dict[str, int]:
    """How many pairs are pending, accepted and rejected."""
    out = dict.fromkeys(STATUSES, 0)
    for p in pairs:
        out[p.get("status", "pending")] = out.get(p.get("status", "pending"), 0) + 1
    return out


def data_hash(pairs: Iterable[dict]) -> str:
    """Identity of a set of pairs: their messages and statuses, whatever their order."""
    rows = sorted(json.dumps([p.get("messages"), p.get("status", "pending")], ensure_ascii=False, sort_keys=True)
                  for p in pairs)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:16]


def write_jsonl(pairs: Iterable[dict], path: str | os.PathLike) -> int:
    """Write pairs one JSON object a line, atomically (a temporary file renamed over ``path``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            for p in pairs:
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
                n += 1
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return n


def check_pair(obj: Any) -> str | None:
    """Why a parsed line is not a pair, or None."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    msgs = obj.get("messages")
    if not isinstance(msgs, list) or len(msgs) < 2:
        return "no 'messages' list with a question and an answer"
    for m in msgs:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant") \
                or not isinstance(m.get("content"), str):
            return "a message without a valid 'role' and text 'content'"
    if msgs[-1]["role"] != "assistant" or not msgs[-1]["content"].strip():
        return "the last message is not a non-empty assistant answer"
    if obj.get("status", "pending") not in STATUSES:
        return f"status '{obj.get('status')}' is not one of {', '.join(STATUSES)}"
    return None


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """Pairs from a JSONL file; ``GlossaryImportError`` lists every bad line with its number."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise GlossaryImportError.of("{path} does not exist.", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise GlossaryImportError.of("{name} is not UTF-8 text, so it is not a pairs file.", name=path.name) from exc
    except OSError as exc:
        raise GlossaryImportError.of("{name} could not be read ({reason}).", name=path.name,
                                     reason=exc.strerror or str(exc)) from exc
    pairs, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not valid JSON ({exc.msg}, column {exc.colno})")
            continue
        why = check_pair(obj)
        if why:
            problems.append(f"line {n}: {why}")
            continue
        obj.setdefault("status", "pending")
        if "id" not in obj:
            obj["id"] = pair_id(str(obj.get("concept_id")), str(obj.get("kind", "")), str(obj.get("lang", "")),
                                obj["messages"])
        pairs.append(obj)
    if problems:
        if len(problems) == 1:
            err = GlossaryImportError.of("{name}, {problem}.", name=path.name, problem=problems[0])
        else:
            err = GlossaryImportError.of("{name}, {problem} (and {more} more).", name=path.name, problem=problems[0],
                                         more=len(problems) - 1)
        err.report = problems
        raise err
    return pairs
