"""Term QA of an answer: which glossary terms it uses, and which it should not.

``check_answer(matcher, question_hits, answer)`` detects the glossary's terms in the
model's answer with the same matcher as the question (every match mode, Chinese
variants) and returns an ``AnswerCheck``:

* ``answer_terms``: each term found in the answer (its span in the answer, the
  concept, the term's status, the concept's preferred term in the term's language);
* ``issues``, one ``TermIssue`` each, in this order:
  - ``non_preferred``: the answer uses a deprecated or superseded term;
  - ``forbidden``: the answer uses a term marked forbidden;
  - ``missing``: a concept of the question that the answer never names, by any of
    its terms in any language (a term of an ambiguous hit's alternative counts too).

``AnswerCheck.reask_instruction()`` is the instruction for "Ask again using the
preferred terms": one sentence per issue naming the term to use. ``to_json()`` gives
the ``answer_terms`` and ``term_issues`` lists of ``ask --json``; evaluation reports
count answers with ``bool(check.issues)``.

Pure: no model, no storage, no Qt. The answer may be checked as it streams (each
call detects the whole text given; about 0.1-0.3 ms per 1,000 characters).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

from glossary.matcher import Hit, Matcher
from glossary.model import TermStatus, guess_language

NON_PREFERRED = "non_preferred"
FORBIDDEN = "forbidden"
MISSING = "missing"


@dataclass(frozen=True)
class AnswerTerm:
    """A glossary term in the answer: ``answer[start:end]`` is ``text``, a form of ``term``."""

    start: int
    end: int
    text: str
    concept_id: int
    term: str
    status: str  # a TermStatus value
    preferred: str  # the concept's preferred term in the term's language


@dataclass(frozen=True)
class TermIssue:
    """One thing to fix in the answer. ``start``/``end`` point into the answer (None for
    ``missing``, whose ``text`` is the term as the question wrote it)."""

    kind: str  # NON_PREFERRED, FORBIDDEN or MISSING
    text: str
    preferred: str
    concept_id: int
    status: str = ""  # the used term's status (non_preferred, forbidden)
    start: int | None = None
    end: int | None = None


@dataclass
class AnswerCheck:
    answer_terms: list[AnswerTerm] = field(default_factory=list)
    issues: list[TermIssue] = field(default_factory=list)
    lang: str = "en"  # the answer's language (guessed): the instruction is written in it

    def to_json(self) -> dict:
        """``{"answer_terms": [...], "term_issues": [...]}`` as plain data."""
        return {"answer_terms": [asdict(t) for t in self.answer_terms],
                "term_issues": [asdict(i) for i in self.issues]}

    def reask_instruction(self) -> str:
        """What to add to the question to ask again with the preferred terms ("" if nothing to fix)."""
        if not self.issues:
            return ""
        zh = self.lang == "zh"
        lines = ["请重新回答，并使用术语表中的首选术语：" if zh else "Answer again using the glossary's preferred terms:"]
        for i in self.issues:
            if i.kind == MISSING:
                lines.append(f"- 请使用“{i.preferred}”。" if zh else f'- Name "{i.preferred}" explicitly.')
            elif i.kind == FORBIDDEN:
                lines.append(f"- 不要使用“{i.text}”（禁用），改用“{i.preferred}”。" if zh
                             else f'- Never use "{i.text}" (forbidden); use "{i.preferred}".')
            else:
                lines.append(f"- 用“{i.preferred}”代替“{i.text}”。" if zh
                             else f'- Use "{i.preferred}" instead of "{i.text}" ({i.status}).')
        return "\n".join(lines)


def _preferred(h: Hit, matcher: Matcher) -> str:
    c = h.concept or matcher.concept(h.concept_id)
    best = c.preferred(h.term.lang)
    if best is None or best.effective_status is not TermStatus.PREFERRED:
        best = c.preferred() or best  # no usable term in that language: the preferred one in any
    return best.text if best is not None else h.text


def check_answer(matcher: Matcher, question_hits: Iterable[Hit], answer: str, *,
                 excluded: Iterable[int] = ()) -> AnswerCheck:
    """Check ``answer`` against the glossary of ``matcher`` and the question's hits (see the
    module docstring). ``excluded``: concepts the user left out of the question's terms, not
    reported as missing."""
    hits = matcher.detect(answer)
    check = AnswerCheck(lang=guess_language(answer) if answer.strip() else "en")
    named: set[int] = set()
    for h in hits:
        named.add(h.concept_id)
        named.update(h.alternatives)
        status = h.status
        preferred = _preferred(h, matcher)
        check.answer_terms.append(AnswerTerm(h.start, h.end, h.text, h.concept_id, h.term.text, status.value, preferred))
        if status in (TermStatus.DEPRECATED, TermStatus.SUPERSEDED, TermStatus.FORBIDDEN):
            kind = FORBIDDEN if status is TermStatus.FORBIDDEN else NON_PREFERRED
            check.issues.append(TermIssue(kind, h.text, preferred, h.concept_id, status.value, h.start, h.end))
    skip = set(excluded)
    reported: set[int] = set()
    for q in question_hits:
        ids = {q.concept_id, *q.alternatives}
        if q.concept_id in skip or q.concept_id in reported or ids & named:
            continue
        reported.add(q.concept_id)
        c = q.concept or matcher.concept(q.concept_id)
        preferred = c.label(check.lang) if any(t.lang == check.lang for t in c.terms) else c.label(q.term.lang)
        check.issues.append(TermIssue(MISSING, q.text, preferred, q.concept_id))
    return check
