"""One turn of the conversation, before it reaches the model: detect the glossary terms in
the question, build the term block under its budget, and compose the messages.

Runs on the GUI thread (and in the CLI) in well under a millisecond for detection;
knows nothing of Qt or torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from glossary import inject
from glossary.model import guess_language
from glossary.matcher import Hit, Matcher


@dataclass
class Turn:
    question: str
    hits: list[Hit]
    block: inject.InjectionBlock
    system: str
    messages: list[dict]
    excluded: set[int] = field(default_factory=set)

    def terms_json(self) -> list[dict]:
        """The detected terms as plain data (for the CLI's --json and for saving with the message)."""
        out = []
        question = self.question
        lang = guess_language(question) if question else self.block.lang  # show terms in the question's language
        for h in self.hits:
            c = h.concept
            out.append({
                "text": h.text, "start": h.start, "end": h.end, "concept_id": h.concept_id,
                "preferred": c.label(lang) if c else h.text,
                "subject_fields": list(c.subject_fields) if c else [],
                "definition": c.definition(lang) if c else "",
                "source": c.source if c else "",
                "alternatives": list(h.alternatives),
                "injected": h.concept_id in self.block.included,
                "excluded": h.concept_id in self.excluded,
            })
        return out


def prepare_turn(question: str, *, history: Iterable[dict] = (), matcher: Matcher | None,
                 base_system: str, injection: bool = True, budget_tokens: int = 400,
                 count_tokens: Callable[[str], int] = lambda s: max(1, len(s) // 3),
                 excluded: Iterable[int] = (), choices: dict[int, int] | None = None,
                 position: str = "system", related: int = 0, pool: Iterable | None = None) -> Turn:
    """Detect, inject and compose. ``excluded`` concept ids stay out of the prompt;
    ``choices`` maps a hit's start offset to the alternative concept the user picked;
    ``position`` puts the definitions into the system prompt, inline in the question right
    after each term's first mention, or both (``glossary.inject.POSITIONS``); ``related`` concepts of
    ``pool`` (``glossary.inject.build``) go to the system prompt in every position."""
    if position not in inject.POSITIONS:
        raise ValueError(f"unknown injection position {position!r}; choose from {', '.join(inject.POSITIONS)}")
    excluded = set(excluded)
    hits = matcher.detect(question) if matcher is not None else []
    if choices and matcher is not None:
        for h in hits:
            pick = choices.get(h.start)
            if pick is not None and pick != h.concept_id and pick in h.alternatives:
                h.alternatives = [h.concept_id] + [a for a in h.alternatives if a != pick]
                h.concept_id, h.concept = pick, matcher.concept(pick)
    chosen = [h for h in hits if h.concept_id not in excluded]
    if injection and chosen:
        block = inject.build(chosen, question=question, budget_tokens=budget_tokens, count_tokens=count_tokens,
                             related=related, pool=pool)
    else:
        block = inject.InjectionBlock(text="")
    system = inject.system_prompt(base_system, block if position != "inline" else inject.related_only(block))
    asked = inject.inline_question(question, chosen, block) if position != "system" and block.text else question
    messages = [{"role": "system", "content": system}, *list(history), {"role": "user", "content": asked}]
    return Turn(question=question, hits=hits, block=block, system=system, messages=messages, excluded=excluded)
