"""Supervised fine-tuning pairs made from the glossary, for review and LoRA training.

``build_pairs(concepts)`` writes, for each concept and each language, a few
question-and-answer conversations from fixed templates in English and Chinese:

- ``definition``: what a term means;
- ``abbreviation``: what an abbreviation stands for;
- ``reverse``: which term names a given definition;
- ``synonym``: another name for a term, and which term to prefer over a deprecated one;
- ``context``: a term met in a sentence, taken from documents the user supplied, or
  the term set beside a related concept of the glossary.

Each pair is a dict ``{"id", "concept_id", "kind", "lang", "status", "messages"}``;
``status`` starts as "pending" and the review marks it "accepted" or "rejected". The
choice of templates is seeded per concept, so the same seed gives the same pairs,
and adding a concept does not change the pairs of the others. ``id`` is a hash of a
pair's content, so it stays the same across rebuilds and review marks can be carried
over. ``write_jsonl`` / ``read_jsonl`` store pairs one JSON object a line.

Knows nothing of torch, Qt or the desktop app.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from glossary.errors import GlossaryImportError
from glossary.model import Concept, Term, TermType

STATUSES = ("pending", "accepted", "rejected")
KINDS = ("definition", "abbreviation", "reverse", "synonym", "context")

# {t}: term, {d}: definition, {a}: abbreviation, {f}: full form, {s}: sentence, {r}: related term,
# {rd}: related definition, {p}: preferred term, {o}: other names
QUESTIONS: dict[str, dict[str, list[str]]] = {
    "en": {
        "definition": ["What does “{t}” mean?", "Define {t}.", "What is {t}?",
                       "In plain words, what is meant by {t}?", "Explain the term “{t}”."],
        "abbreviation": ["What does {a} stand for?", "What is the full form of the abbreviation {a}?",
                         "Expand {a}.", "{a} is short for what?"],
        "reverse": ["Which term means: {d}", "What is the term for the following? {d}",
                    "Name the concept defined as: {d}"],
        "synonym": ["What is another name for {t}?", "Is “{t}” the preferred term?"],
        "context": ["In the sentence “{s}”, what does “{t}” mean?",
                    "I read: “{s}” What is {t} here?"],
        "related": ["How is {t} related to {r}?", "What is the difference between {t} and {r}?"],
    },
    "zh": {
        "definition": ["“{t}”是什么意思？", "请解释{t}。", "什么是{t}？", "{t}指的是什么？", "请定义术语“{t}”。"],
        "abbreviation": ["{a}是什么的缩写？", "缩写{a}的全称是什么？", "{a}代表什么？"],
        "reverse": ["哪个术语的含义是：{d}", "下面描述的是哪个术语？{d}", "以下定义对应的术语是什么？{d}"],
        "synonym": ["{t}还有什么别的叫法？", "“{t}”是推荐使用的术语吗？"],
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
        "synonym_deprecated": ["“{t}” is deprecated; the preferred term is {p}. {d}"],
        "synonym_preferred": ["Yes, “{t}” is the preferred term{o}."],
        "context": ["Here, {t} means: {d}", "In this sentence {t} refers to the following. {d}"],
        "related": ["{t}: {d} {r}: {rd}"],
    },
    "zh": {
        "definition": ["{t}的意思是：{d}", "{t}：{d}", "术语“{t}”指：{d}"],
        "abbreviation": ["{a}是{f}的缩写。{d}", "{a}代表{f}。{d}"],
        "reverse": ["这是{t}{o}。", "该术语是{t}{o}。"],
        "synonym_alt": ["{t}也称为{o}。", "{t}的其他名称：{o}。"],
        "synonym_deprecated": ["“{t}”已不推荐使用，推荐术语是{p}。{d}"],
        "synonym_preferred": ["是的，“{t}”是推荐术语{o}。"],
        "context": ["这里，{t}的意思是：{d}", "在这句话中，{t}指：{d}"],
        "related": ["{t}：{d} {r}：{rd}"],
    },
}
_ALSO = {"en": " (also: {})", "zh": "（又称：{}）"}
_SEP = {"en": ", ", "zh": "、"}
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;])\s*|\n+")


def _terms(c: Concept, lang: str) -> list[Term]:
    return [t for t in c.terms if t.lang == lang]


def _preferred(c: Concept, lang: str) -> Term | None:
    """The concept's name in ``lang``: its preferred term there, else an abbreviation written in Latin letters."""
    own = _terms(c, lang)
    for t in own:
        if t.type is TermType.PREFERRED:
            return t
    for t in own:
        if t.type is not TermType.DEPRECATED:
            return t
    if lang != "en":  # abbreviations such as "CT" or "AF" are used as they are in Chinese text
        for t in c.terms:
            if t.type is TermType.ABBREVIATION:
                return t
    return None


def _sentences(documents: Sequence[str]) -> list[str]:
    out = []
    for doc in documents:
        for s in _SENTENCE_END.split(doc):
            s = " ".join(s.split())
            if 12 <= len(s) <= 300:
                out.append(s)
    return out


def _contains(sentence: str, term: str) -> bool:
    if not term:
        return False
    if term.isascii():
        return re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", sentence, re.IGNORECASE) is not None
    return term in sentence


def pair_id(concept_key: str, kind: str, lang: str, messages: list[dict]) -> str:
    raw = json.dumps([concept_key, kind, lang, messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def _candidates(c: Concept, lang: str, *, by_id: dict[Any, Concept], sentences: list[str]) -> dict[str, list[dict]]:
    """Every (question, answer) this concept allows in ``lang``, grouped by kind."""
    name = _preferred(c, lang)
    definition = c.definitions.get(lang, "").strip()
    if name is None:
        return {}
    t = name.text
    q, a = QUESTIONS[lang], ANSWERS[lang]
    out: dict[str, list[dict]] = {}
    others = [x.text for x in _terms(c, lang) if x.text != t and x.type is not TermType.DEPRECATED]
    also = _ALSO[lang].format(_SEP[lang].join(others)) if others else ""

    def add(kind: str, question: str, answer: str, fields: dict[str, str]) -> None:
        out.setdefault(kind, []).append({"q": question.format(**fields), "a": answer.format(**fields)})

    if definition:
        for qt in q["definition"]:
            for at in a["definition"]:
                add("definition", qt, at, {"t": t, "d": definition})
        for qt in q["reverse"]:
            for at in a["reverse"]:
                add("reverse", qt, at, {"t": t, "d": definition, "o": also})
    full = next((x.text for x in _terms(c, lang) if x.type is TermType.PREFERRED), None) or \
        next((x.text for x in _terms(c, lang) if x.type is TermType.SYNONYM), None)
    for abbr in (x for x in c.terms if x.type is TermType.ABBREVIATION):
        if full and abbr.text != full and (abbr.lang == lang or not _terms(c, lang) or abbr.text.isascii()):
            for qt in q["abbreviation"]:
                for at in a["abbreviation"]:
                    add("abbreviation", qt, at, {"a": abbr.text, "f": full, "d": definition})
    if others:
        for at in a["synonym_alt"]:
            add("synonym", q["synonym"][0], at, {"t": t, "o": _SEP[lang].join(others)})
    for dep in (x for x in _terms(c, lang) if x.type is TermType.DEPRECATED):
        for at in a["synonym_deprecated"]:
            add("synonym", q["synonym"][1], at, {"t": dep.text, "p": t, "d": definition})
    if definition:
        surface = [x.text for x in _terms(c, lang) if x.type is not TermType.DEPRECATED] or [t]
        for s in sentences:
            used = next((x for x in surface if _contains(s, x)), None)
            if used:
                for qt in q["context"]:
                    for at in a["context"]:
                        add("context", qt, at, {"t": used, "s": s, "d": definition})
        for rid in c.related:
            r = by_id.get(rid)
            rname = _preferred(r, lang) if r is not None else None
            rdef = r.definitions.get(lang, "").strip() if r is not None else ""
            if rname and rdef:
                for qt in q["related"]:
                    add("context", qt, a["related"][0], {"t": t, "d": definition, "r": rname.text, "rd": rdef})
    return out


def build_pairs(concepts: Iterable[Concept], *, seed: int = 0, langs: Sequence[str] = ("en", "zh"),
                per_concept: int = 4, documents: Sequence[str] = ()) -> list[dict]:
    """Pairs for every concept and language (at most ``per_concept`` each), the kinds taken in turn."""
    concepts = list(concepts)
    by_id = {c.id: c for c in concepts if c.id is not None}
    sentences = _sentences(documents)
    unknown = [lang for lang in langs if lang not in QUESTIONS]
    if unknown:
        raise ValueError(f"no question templates for language(s) {', '.join(unknown)}; use en or zh")
    pairs: list[dict] = []
    for c in concepts:
        key = str(c.id) if c.id is not None else (c.external_id or c.label())
        for lang in langs:
            groups = _candidates(c, lang, by_id=by_id, sentences=sentences)
            if not groups:
                continue
            rng = random.Random(f"{seed}:{key}:{lang}")
            for items in groups.values():
                rng.shuffle(items)
            kinds = [k for k in KINDS if k in groups]
            rng.shuffle(kinds)
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
    return pairs


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


def _check(obj: Any) -> str | None:
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
        raise GlossaryImportError(f"{path} does not exist.") from exc
    except UnicodeDecodeError as exc:
        raise GlossaryImportError(f"{path.name} is not UTF-8 text, so it is not a pairs file.") from exc
    except OSError as exc:
        raise GlossaryImportError(f"{path.name} could not be read ({exc.strerror or exc}).") from exc
    pairs, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not valid JSON ({exc.msg}, column {exc.colno})")
            continue
        why = _check(obj)
        if why:
            problems.append(f"line {n}: {why}")
            continue
        obj.setdefault("status", "pending")
        if "id" not in obj:
            obj["id"] = pair_id(str(obj.get("concept_id")), str(obj.get("kind", "")), str(obj.get("lang", "")),
                                obj["messages"])
        pairs.append(obj)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise GlossaryImportError(f"{path.name}, {problems[0]}{more}.", report=problems)
    return pairs
