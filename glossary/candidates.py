"""Candidate glossary terms found in the user's own documents.

``propose(documents, known=...)`` reads plain text (``read_document`` turns .txt, .md
and .docx files into text) and ranks words and short phrases that recur in it, look
like domain vocabulary, and are not yet in the glossary. How it decides:

* English: words and phrases of up to four words that neither start nor end with a
  function word and do not cross punctuation ("acute kidney injury", "statute of
  limitations"). Chinese: ``jieba`` segments each run of Chinese characters; one to
  four adjacent segments make a phrase (急性 肾 损伤 -> 急性肾损伤).
* *Rarity* against a general background: for English the rank of a word in
  ``resources/background/en_common.txt`` (about 2,500 everyday words; a word that is
  not there counts as rare), for Chinese the frequency of the word in jieba's own
  dictionary. Abbreviations such as "AKI" or "eGFR" count as rare.
* *Cohesion* for phrases: how often the phrase occurs against its rarest-used word,
  so "informed consent" ranks although both words are everyday English.
* Everyday words alone (rarity below ``MIN_TERMHOOD``) are never proposed.
* Occurrences inside a longer candidate are discounted (C-value), so "kidney injury"
  is not proposed beside "acute kidney injury"; a phrase seen in several documents
  ranks higher; a phrase seen once is not proposed (``min_count``).
* "acute kidney injury (AKI)" in the text pairs the abbreviation with its long form,
  and an accepted candidate becomes a concept with both terms.

Each ``Candidate`` carries its score, counts, an example sentence and the files it
came from. Knows nothing of Qt, torch or the desktop app; reads no network.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from glossary.documents import SUPPORTED, read_document  # noqa: F401 - callers read them from here too
from glossary.model import Concept, Status, Term, TermType, is_cjk_char
from glossary.normalize import norm

BACKGROUND_EN = Path(__file__).resolve().parents[1] / "resources" / "background" / "en_common.txt"
MAX_WORDS = 4
MIN_TERMHOOD = 0.45  # above every everyday word of the background (at most 0.4): those are never proposed

# Function words: a phrase never starts or ends with one ("of" may sit inside: "power of attorney").
_EN_STOP = frozenset("""
a about above after again against all also although am an and any are as at be because been before being
below between both but by can could did do does doing done down during each either else etc even ever every
few for from further had has have having he her here hers herself him himself his how however i if in into
is it its itself just let many may me might more most much must my myself neither no nor not now of off on
once one only or other others otherwise our ours ourselves out over own per rather same shall she should
since so some such than that the their theirs them themselves then there these they this those though
through thus to too under until up upon us very via was we were what when where whether which while who
whom whose why will with within without would yet you your yours yourself yourselves
e.g i.e vs mr mrs ms dr st mg ml kg mm cm g l h min
""".split())
_INSIDE_OK = frozenset({"of", "and", "in", "on", "for", "to"})
_ZH_STOP = frozenset("""
的 了 在 是 和 与 及 或 并 而 且 但 也 都 就 被 把 将 对 为 以 于 从 由 向 等 之 其 这 那 该 此 各 每 某 个 中 上 下
后 前 时 内 外 有 无 不 没 很 更 最 已 又 再 还 可 能 会 要 应 需 让 使 给 着 过 地 得 所 如 若 则 即 因 故 亦 我 你
他 她 它 们 两 一 二 三 四 五 六 七 八 九 十 第 次 年 月 日 号 位 名 例 种 些 来 去 到 说 看 做 用 得 着 吗 呢 吧 啊
我们 你们 他们 她们 它们 以及 或者 但是 因为 所以 如果 虽然 并且 而且 进行 一个 一种 没有 可以 需要 通过 根据 对于
关于 由于 其中 以上 以下 之后 之前 目前 同时 情况 问题 方面 相关 有关 出现 考虑 建议 导致 发现 给予 予以 使用
可能 已经 应当 应该 不能 不得 其他 这些 那些 这个 那个 自己 什么 如何 为了 以后 以前 然后 之间 期间 包括 以外
""".split())

_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*")
_EN_CHUNK = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-'’ \t]*")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SENTENCE = re.compile(r"[^.!?。！？；;\n]+[.!?。！？；;]?")
_ABBR_DEF = re.compile(r"([A-Za-z][A-Za-z\- ]{2,80}?)\s*[(（]\s*([A-Z][A-Za-z0-9]{1,9})\s*[)）]")


@dataclass
class Candidate:
    """A proposed term: ``term`` in ``lang`` with how it was found."""

    term: str
    lang: str
    score: float
    count: int  # occurrences in all documents
    documents: int  # how many documents hold it
    example: str  # a sentence where it occurs
    sources: list[str] = field(default_factory=list)  # names of those documents
    abbreviation: str = ""  # its abbreviation, when the documents define one ("acute kidney injury (AKI)")

    @property
    def label(self) -> str:
        return f"{self.term} ({self.abbreviation})" if self.abbreviation else self.term

    def to_concept(self, *, subject_field: str = "") -> Concept:
        """A draft concept named by this term (and its abbreviation), its example kept as a note."""
        terms = [Term(self.term, self.lang, TermType.PREFERRED)]
        if self.abbreviation:
            terms.append(Term(self.abbreviation, "en", TermType.ABBREVIATION, case_sensitive=True))
        src = ", ".join(self.sources[:3]) + (" …" if len(self.sources) > 3 else "")
        return Concept(
            terms=terms, subject_fields=[subject_field] if subject_field.strip() else [], status=Status.DRAFT,
            note=f"Example: {self.example}" if self.example else "", source=f"Documents: {src}" if src else "",
        )


# --- background ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _en_ranks() -> dict[str, int]:
    ranks: dict[str, int] = {}
    for line in BACKGROUND_EN.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for w in line.split():
            ranks.setdefault(w.lower(), len(ranks) + 1)
    return ranks


def _en_bases(word: str) -> list[str]:
    """The word and the forms it may come from by a regular ending (studies -> study, treated -> treat)."""
    out = [word]
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e"), ("ly", ""), ("er", ""), ("est", ""), ("ment", ""), ("ness", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: -len(suffix)] + repl)
    return out


def _is_abbreviation(token: str) -> bool:
    """"AKI", "eGFR", "HbA1c", "COVID-19": capitals after the first letter, short."""
    letters = [ch for ch in token if ch.isalpha()]
    return 2 <= len(token) <= 10 and sum(ch.isupper() for ch in letters[1:]) >= 1 and \
        sum(ch.isupper() for ch in letters) >= max(2, len(letters) // 2)


def _en_rarity(word: str) -> float:
    """0 for the most common English words, about 0.4 for the least common of the background, 1 outside it."""
    ranks = _en_ranks()
    low = word.lower()
    if _is_abbreviation(word):
        return 1.0 if low not in ranks else 0.3
    rank = min((ranks[b] for b in _en_bases(low) if b in ranks), default=None)
    if rank is None:
        return 1.0
    return 0.05 + 0.35 * math.log(rank) / math.log(len(ranks))


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()  # our own instance: nothing we do changes the default one
    tok.initialize()
    return tok


def _zh_rarity(word: str) -> float:
    tok = _jieba()
    f = tok.FREQ.get(word, 0)
    if f <= 0:
        return 1.0  # not in the general dictionary: a new word found in the documents
    score = -math.log10(f / tok.total)  # 2.3 for 的, 4.2 for 患者, 6.6 for 肌酐
    return min(0.85, max(0.02, (score - 3.5) / 4.5))


# --- units and phrases -----------------------------------------------------------------


@dataclass
class _Stats:
    count: int = 0
    docs: set = field(default_factory=set)
    surfaces: Counter = field(default_factory=Counter)
    example: str = ""
    units: tuple = ()
    lang: str = "en"


def _en_key(token: str) -> str:
    """Case-fold ordinary words, keep abbreviations as written ("AKI", "eGFR")."""
    return token if _is_abbreviation(token) else token.lower()


def _singular(word: str) -> str:
    if _is_abbreviation(word) or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def _en_unit_ok(key: str) -> bool:
    return key.lower() not in _EN_STOP and (len(key) >= 3 or _is_abbreviation(key))


def _zh_unit_ok(word: str) -> bool:
    return word not in _ZH_STOP


def _sentences(text: str) -> list[str]:
    return [" ".join(m.group(0).split()) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


def _en_phrases(sentence: str) -> Iterable[tuple[tuple[str, ...], str]]:
    """(units, surface) of every English phrase of the sentence."""
    for chunk in _EN_CHUNK.finditer(sentence):
        tokens = _EN_TOKEN.findall(chunk.group(0))
        keys = [_en_key(t) for t in tokens]
        for i in range(len(tokens)):
            if not _en_unit_ok(keys[i]):
                continue
            for n in range(1, MAX_WORDS + 1):
                j = i + n
                if j > len(tokens):
                    break
                inner = keys[i:j]
                if any(k.lower() in _EN_STOP and k.lower() not in _INSIDE_OK for k in inner):
                    break
                if not _en_unit_ok(keys[j - 1]):
                    continue
                units = tuple(inner[:-1]) + (_singular(inner[-1]),)
                yield units, " ".join(tokens[i:j])


def _zh_phrases(sentence: str) -> Iterable[tuple[tuple[str, ...], str]]:
    tok = _jieba()
    for run in _CJK_RUN.findall(sentence):
        words = tok.lcut(run, HMM=True)
        for i in range(len(words)):
            if not _zh_unit_ok(words[i]):
                continue
            for n in range(1, MAX_WORDS + 1):
                j = i + n
                if j > len(words):
                    break
                inner = words[i:j]
                if any(w in _ZH_STOP for w in inner):
                    break
                text = "".join(inner)
                if len(text) < 2 or len(text) > 12:
                    continue
                yield tuple(inner), text


def _abbreviation_pairs(text: str) -> dict[tuple[str, ...], str]:
    """Long forms (as English units) defined with an abbreviation in parentheses."""
    out: dict[tuple[str, ...], str] = {}
    for m in _ABBR_DEF.finditer(text):
        words, abbr = _EN_TOKEN.findall(m.group(1)), m.group(2)
        letters = [ch.lower() for ch in abbr if ch.isalpha()]
        if not _is_abbreviation(abbr) or not letters:
            continue
        # the shortest run of final words whose initials, read in order, hold the abbreviation's letters
        for k in range(1, min(len(words), len(letters) + 2) + 1):
            cand = words[-k:]
            if cand[0][0].lower() != letters[0] or cand[0].lower() in _EN_STOP:
                continue
            joined = " ".join(cand).lower()
            pos = 0
            for ch in letters:
                pos = joined.find(ch, pos)
                if pos < 0:
                    break
                pos += 1
            if pos > 0 and sum(1 for w in cand if w.lower() not in _EN_STOP) <= len(letters):
                keys = [_en_key(w) for w in cand]
                out[tuple(keys[:-1]) + (_singular(keys[-1]),)] = abbr
                break
    return out


def _example(sentence: str, surface: str, width: int = 220) -> str:
    if len(sentence) <= width:
        return sentence
    at = max(sentence.find(surface), 0)
    start = max(0, at - width // 2)
    return ("…" if start else "") + sentence[start:start + width].strip() + "…"


def _spelling(surfaces: Counter) -> str:
    """The commonest spelling; a capital that only starts sentences gives way to the lower-case form."""
    def key(x: str) -> tuple:
        capital_of = x[:1].isupper() and (x[:1].lower() + x[1:]) in surfaces
        return (capital_of, -surfaces[x], x)

    return min(surfaces, key=key)


def known_forms(concepts: Iterable[Concept]) -> set[str]:
    """Every term of ``concepts``, normalised as candidates are compared with them."""
    out: set[str] = set()
    for c in concepts:
        for t in c.terms:
            out.add(norm(t.text))
    return out


def _is_known(units: tuple[str, ...], surface: str, lang: str, known: set[str]) -> bool:
    sep = " " if lang == "en" else ""
    forms = {norm(surface), norm(sep.join(units))}
    if lang == "en":  # the glossary may hold the plural or the singular
        forms |= {f + "s" for f in list(forms)} | {_singular(f) for f in list(forms)}
    return bool(forms & known)


def propose(
    documents: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    known: Iterable[str] = (),
    top: int = 50,
    min_count: int = 2,
    should_stop: Callable[[], bool] | None = None,
) -> list[Candidate]:
    """The ``top`` best candidate terms of ``documents`` (name -> text), best first.

    ``known``: terms already in the glossary (``known_forms``), never proposed.
    """
    docs = list(documents.items()) if isinstance(documents, Mapping) else list(documents)
    known_set = {norm(k) for k in known}
    stats: dict[tuple[str, str], _Stats] = {}
    unit_counts: Counter = Counter()
    abbrs: dict[tuple[str, ...], str] = {}
    for name, text in docs:
        abbrs.update(_abbreviation_pairs(text))
        for sentence in _sentences(text):
            if should_stop and should_stop():
                return []
            has_cjk = any(is_cjk_char(ch) for ch in sentence)
            sources = [("en", _en_phrases(sentence))] + ([("zh", _zh_phrases(sentence))] if has_cjk else [])
            for lang, phrases in sources:
                for units, surface in phrases:
                    s = stats.get((lang, units))
                    if s is None:
                        s = stats[(lang, units)] = _Stats(units=units, lang=lang)
                    s.count += 1
                    s.docs.add(name)
                    s.surfaces[surface] += 1
                    if not s.example:
                        s.example = _example(sentence, surface)
                    if len(units) == 1:
                        unit_counts[(lang, units[0])] += 1

    # occurrences inside longer candidates (C-value): "kidney injury" inside "acute kidney injury"
    longer: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
    for (lang, units), s in stats.items():
        if len(units) < 2 or s.count < min_count:
            continue
        subs = {units[i:i + n] for n in range(1, len(units)) for i in range(len(units) - n + 1)}
        for sub in subs:
            key = sub[:-1] + (_singular(sub[-1]),) if lang == "en" else sub
            longer[(lang, key)].append(s.count)

    rarity = {"en": _en_rarity, "zh": _zh_rarity}
    scored: list[Candidate] = []
    for (lang, units), s in stats.items():
        if s.count < min_count:
            continue
        surface = _spelling(s.surfaces)
        if _is_known(units, surface, lang, known_set):
            continue
        nested = longer.get((lang, units))
        freq = s.count - (sum(nested) / len(nested) if nested else 0.0)
        if freq < 0.5:
            continue
        content = [u for u in units if not (lang == "en" and u.lower() in _INSIDE_OK)]
        rare = max(rarity[lang](u) for u in content)
        if len(units) == 1:
            termhood = rare
        else:
            least_used = min(unit_counts.get((lang, u), s.count) for u in content)
            termhood = max(rare, min(1.0, s.count / max(least_used, 1)))
        if termhood < MIN_TERMHOOD:
            continue
        score = freq * termhood * (1 + 0.5 * (len(units) - 1)) * (1 + math.log(len(s.docs)))
        if lang == "en" and len(units) == 1 and not _is_abbreviation(surface) \
                and all(x[:1].isupper() for x in s.surfaces):
            score *= 0.6  # a capitalised word never written in lower case is more likely a name than a term
        abbr = abbrs.get(units, "") if lang == "en" else ""
        scored.append(Candidate(term=surface, lang=lang, score=round(score, 3), count=s.count,
                                documents=len(s.docs), example=s.example, sources=sorted(s.docs),
                                abbreviation=abbr))
    # an abbreviation defined in the text travels with its long form, as one candidate
    by_term = {c.term: c for c in scored if c.lang == "en"}
    long_of = {abbr: units for units, abbr in abbrs.items() if ("en", units) in stats}
    merged: list[Candidate] = []
    for c in scored:
        units = long_of.get(c.term) if c.lang == "en" else None
        if units is not None:
            long_stats = stats[("en", units)]
            long_surface = _spelling(long_stats.surfaces)
            long_c = by_term.get(long_surface)
            if long_c is not None and long_c.abbreviation == c.term:
                continue  # the long form is proposed and names it
            c.abbreviation, c.term = c.term, long_surface
            c.sources = sorted(set(c.sources) | long_stats.docs)
        if c.abbreviation and norm(c.abbreviation) in known_set:
            c.abbreviation = ""  # already a term of the glossary: do not add it twice
        merged.append(c)
    scored = merged
    scored.sort(key=lambda c: (-c.score, -c.count, c.term))
    return scored[:top] if top else scored


def propose_from_files(
    paths: Sequence[str | os.PathLike],
    *,
    known: Iterable[str] = (),
    top: int = 50,
    min_count: int = 2,
    on_progress: Callable[..., None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[Candidate]:
    """``propose`` over files; a file that cannot be read stops it with one sentence naming it."""
    texts: list[tuple[str, str]] = []
    for i, p in enumerate(paths):
        if should_stop and should_stop():
            return []
        texts.append((Path(p).name, read_document(p)))
        if on_progress:
            on_progress(i + 1, len(paths) + 1)
    found = propose(texts, known=known, top=top, min_count=min_count, should_stop=should_stop)
    if on_progress:
        on_progress(len(paths) + 1, len(paths) + 1)
    return found


def add_to_glossary(store, candidates: Iterable[Candidate], *, subject_field: str = "") -> list[int]:  # noqa: ANN001
    """Add each candidate as a draft concept, in one transaction (one undo step); their ids."""
    ids = []
    with store.transaction():
        for c in candidates:
            ids.append(store.add_concept(c.to_concept(subject_field=subject_field)))
    return ids
