"""Prompt-lookup speculative decoding: several tokens per forward pass when the answer repeats the prompt.

People ask the model to rewrite, correct or summarise text they paste in, so much of an
answer copies its prompt. After each token, the last few tokens of the conversation are
looked up in everything before them; what followed their latest earlier occurrence is a
draft of the next tokens. (The idea of transformers' ``generate(prompt_lookup_num_tokens=)``;
its ``PromptLookupCandidateGenerator`` scans the whole conversation again for every token,
0.4 ms a token on this machine's CPU, a tenth of a 7B step on an H200, so the n-grams are
kept in a dictionary here, updated by the new tokens only.) One forward pass over the current token and the
draft gives the model's own greedy choice at every position; the draft is kept up to its
first disagreement, plus the model's choice there. Every token kept is the one greedy
decoding would have produced, so the answer is the same, token for token; only the
number of passes changes.

``speculative_tokens`` is the loop, over two callables a decoder supplies: ``step``
(one token) and ``verify`` (several). ``PlainSpeculation`` supplies them for any
transformers model over its dynamic cache (cut back after a rejected draft); the fast
path supplies its own over its static cache (``desktop.engine.fastgen``), where nothing
needs cutting back: a rejected position is written again before any later token reads it.

A draft that fails costs a pass wider than one token for nothing. After ``MAX_FAILURES``
failed drafts in a row drafting pauses, for ``PAUSE`` tokens, then twice as long each time
it fails again, so ordinary questions, whose answers rarely copy, run at the plain speed.
Only greedy decoding is sped up (sampling would need the draft's probabilities).
Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from desktop import log

_log = log.get("speculate")

NGRAM = 3  # longest tail looked up (shorter ones are tried when it has no match)
DRAFT_EAGER = 10  # draft length for eager passes (CPU, or a GPU without graphs): 11 tokens cost little more than one
DRAFT_GRAPH = 4  # for the captured verify graph: a 7B pass over 5 tokens reads the weights once, like one token
DRAFT_START = 3  # first draft length where drafts grow and shrink (``Speculator.adaptive``)
MAX_FAILURES = 3  # failed drafts in a row before drafting pauses
MAX_MISSES = 4  # tokens in a row with no draft found before drafting pauses
PAUSE = 16  # tokens of the first pause; doubles with each pause, up to MAX_PAUSE
MAX_PAUSE = 256


def enabled_by_default() -> bool:
    """``TERMLENS_SPECULATE=0`` turns drafting off everywhere (answers are the same either way)."""
    return os.environ.get("TERMLENS_SPECULATE", "1") != "0"


def applies(settings: Any) -> bool:
    """Whether ``settings`` decode greedily (the repetition controls are applied position by
    position inside a verify pass, as single steps would apply them)."""
    return float(getattr(settings, "temperature", 0.0) or 0.0) <= 0 and bool(getattr(settings, "speculate", True))


@dataclass
class SpecStats:
    """What drafting did in one answer."""

    passes: int = 0  # forward passes after the prompt (single steps and verify passes)
    verify_passes: int = 0
    drafted: int = 0  # draft tokens offered
    accepted: int = 0  # draft tokens kept
    tokens: int = 0  # tokens produced after the first
    pauses: int = 0
    failures_in_row: int = 0

    @property
    def tokens_per_pass(self) -> float:
        return self.tokens / self.passes if self.passes else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"passes": self.passes, "verify_passes": self.verify_passes, "drafted": self.drafted,
                "accepted": self.accepted, "tokens": self.tokens, "pauses": self.pauses,
                "tokens_per_pass": round(self.tokens_per_pass, 3)}


@dataclass
class Speculator:
    """Drafts from the conversation itself, and pauses when drafts keep failing.

    ``propose`` may be replaced (tests give drafts of known quality); it takes the token
    ids so far and returns up to ``k`` proposed next ids.

    ``adaptive`` (for passes whose cost grows with their length: eager ones, a CPU's): drafts
    start at ``DRAFT_START`` tokens, grow by 2 (up to ``k``) while they are taken whole and
    shrink by 1 when not, as transformers' assisted generation sizes its drafts. With drafts
    of 10 tokens, ordinary questions ran 0.94-0.96x on a CPU with the default model (a failed
    pass over 11 tokens costs several single steps there); a captured verify graph has a
    fixed width, where a shorter draft saves nothing.
    """

    k: int = DRAFT_EAGER
    ngram: int = NGRAM
    eos_ids: Sequence[int] = ()
    propose: Callable[[list[int]], list[int]] | None = None
    stats: SpecStats = field(default_factory=SpecStats)
    adaptive: bool = False

    def __post_init__(self) -> None:
        self._len = min(self.k, DRAFT_START) if self.adaptive else self.k
        self._pause_until = 0
        self._pause = PAUSE
        self._misses = 0
        self._index: dict[tuple[int, ...], int] = {}
        self._indexed = 0
        if self.propose is None:
            self.propose = self._lookup

    def _lookup(self, history: list[int]) -> list[int]:
        """What followed the latest earlier occurrence of the longest tail (up to ``ngram`` tokens) that has one.

        The index grows by the tokens added since the last call (the conversation only grows
        within an answer), so a lookup costs the same at the 10th token and the 4,000th.
        """
        n, index = self.ngram, self._index
        for i in range(max(1, self._indexed), len(history)):  # token i continues the n-grams ending at i - 1
            for size in range(1, min(n, i) + 1):
                index[tuple(history[i - size:i])] = i
        self._indexed = len(history)
        for size in range(min(n, len(history)), 0, -1):
            start = index.get(tuple(history[len(history) - size:]))
            if start is not None:
                draft = history[start:start + self.k]
                for j, t in enumerate(draft):
                    if t in self.eos_ids:  # never draft past the end of an answer
                        return draft[:j]
                return draft
        return []

    def draft(self, history: list[int], *, room: int) -> list[int]:
        """Up to ``room`` proposed next tokens after ``history`` (``k`` at most); none while paused.

        Finding no draft ``MAX_MISSES`` times in a row pauses drafting as failed drafts do: each
        token without a draft is a single step the host waits for, where a pause queues the steps
        one token ahead (on an H200, an answer that never drafted ran 3.4% slower than without
        drafting)."""
        if room <= 0 or self.stats.tokens < self._pause_until:
            return []
        out = list(self.propose(history))[:min(self._len, room)]
        self._misses = 0 if out else self._misses + 1
        if self._misses >= MAX_MISSES:
            self._misses = 0
            self._start_pause()
        return out

    def paused_for(self) -> int:
        """Tokens still to come before drafting resumes (0: drafting)."""
        return max(0, self._pause_until - self.stats.tokens)

    def record(self, drafted: int, accepted: int) -> None:
        s = self.stats
        if self.adaptive:
            self._len = min(self.k, self._len + 2) if accepted == drafted else max(1, self._len - 1)
        s.verify_passes += 1
        s.drafted += drafted
        s.accepted += accepted
        if accepted:
            s.failures_in_row = 0
            if accepted * 2 >= drafted:
                self._pause = PAUSE
            return
        s.failures_in_row += 1
        if s.failures_in_row >= MAX_FAILURES:
            s.failures_in_row = 0
            self._start_pause()

    def _start_pause(self) -> None:
        self.stats.pauses += 1
        self._pause_until = self.stats.tokens + self._pause
        self._pause = min(MAX_PAUSE, self._pause * 2)


def accepted_tokens(draft: Sequence[int], predicted: Sequence[int]) -> list[int]:
    """The tokens a verify pass produces: the draft up to the model's first disagreement, then
    the model's own token there (``predicted[i]`` is the model's choice after draft[:i])."""
    n = 0
    while n < len(draft) and int(draft[n]) == int(predicted[n]):
        n += 1
    return [int(t) for t in draft[:n]] + [int(predicted[n])]


def speculative_tokens(first: int, *, prompt_ids: Sequence[int], max_new: int, eos_ids: set[int],
                       should_stop: Callable[[], bool], step: Callable[[int, int], int],
                       verify: Callable[[list[int], int], Sequence[int]], spec: Speculator,
                       max_draft: Callable[[int], int] | None = None,
                       stretch: Callable[[int, int, int], Iterator[int]] | None = None) -> Iterator[int]:
    """Greedy token ids after the prompt, several per pass where a draft holds.

    ``first`` is the token the prompt pass chose. ``step(token, pos)`` puts ``token`` at
    position ``pos`` and returns the next token; ``verify(tokens, pos)`` puts ``tokens`` at
    ``pos``, ``pos + 1``, ... and returns the model's choice after each. ``max_draft(pos)``
    may narrow a draft (a cache that ends). ``stretch(token, pos, n)``, when given, yields
    the next ``n`` tokens without drafting, for the tokens of a pause (the fast path keeps
    its step graphs queued one token ahead there, as without drafting).
    """
    answer = _Answer([int(t) for t in prompt_ids] + [int(first)], max_new, eos_ids, should_stop, spec.stats)
    token, pos = int(first), len(prompt_ids)
    yield from answer.take([token], passes=0)
    while not answer.done:
        room = max_new - answer.produced - 1
        if max_draft is not None:
            room = min(room, max_draft(pos))
        paused = spec.paused_for()
        pausing = stretch is not None and paused > 1
        if pausing:
            out = stretch(token, pos, min(paused, max_new - answer.produced))
        else:
            draft = spec.draft(answer.history, room=room)
            if draft:
                out = accepted_tokens(draft, verify([token] + draft, pos))
                spec.record(len(draft), len(out) - 1)
            else:
                out = [int(step(token, pos))]
        kept = yield from answer.take(out, passes=None if pausing else 1)
        if not kept:
            return
        token, pos = kept[-1], pos + len(kept)


class _Answer:
    """The tokens of a speculative answer so far, and whether it has ended."""

    def __init__(self, history: list[int], max_new: int, eos_ids: set[int], should_stop: Callable[[], bool],
                 stats: SpecStats) -> None:
        self.history, self.max_new, self.eos_ids, self.should_stop, self.stats = (history, max_new, eos_ids,
                                                                                  should_stop, stats)
        self.produced = 0
        self.done = False

    def take(self, tokens, *, passes: int | None) -> Iterator[int]:
        """Yield ``tokens`` (a verify pass's, a single step's or a pause's, one pass each when
        ``passes`` is None) until the answer ends; returns those yielded. The first token came
        from the prompt pass: it is not counted in the statistics."""
        kept: list[int] = []
        for t in tokens:
            t = int(t)
            kept.append(t)
            self.produced += 1
            if self.produced > 1:
                self.stats.tokens += 1
                self.history.append(t)
            yield t
            if t in self.eos_ids or self.should_stop() or self.produced >= self.max_new:
                self.done = True
                break
        self.stats.passes += len(kept) if passes is None else passes
        return kept


class PlainSpeculation:
    """``step`` and ``verify`` for a transformers model over a dynamic KV cache (any device, adapters too).

    ``processors`` (transformers' logits processors: the repetition controls) see, at every
    position of a verify pass, the answer as single steps would have had it there.
    """

    def __init__(self, model, first: int, *, cache, cache_kw: str, processors=None) -> None:
        self.model = model
        self.cache = cache
        self.kw = {cache_kw: cache, "use_cache": True}
        self.processors = processors
        self.answer = [int(first)]
        self.device = next(model.parameters()).device

    def _choices(self, tokens: list[int]) -> list[int]:
        import torch

        ids = torch.tensor([tokens], dtype=torch.long, device=self.device)
        logits = self.model(input_ids=ids, **self.kw).logits[0]
        if self.processors is None:
            return logits.argmax(dim=-1).tolist()
        out = []
        for i in range(len(tokens)):
            seen = torch.tensor([self.answer + tokens[1:i + 1]], dtype=torch.long, device=self.device)
            out.append(int(self.processors(seen, logits[i:i + 1].float()).argmax(dim=-1)))
        return out

    def step(self, token: int, pos: int) -> int:
        nxt = self._choices([token])[0]
        self.answer.append(nxt)
        return nxt

    def verify(self, tokens: list[int], pos: int) -> list[int]:
        predicted = self._choices(tokens)
        kept = accepted_tokens(tokens[1:], predicted)
        extra = self.cache.get_seq_length() - (pos + len(kept))  # positions pos .. pos + len(kept) - 1 stay
        if extra > 0:
            self.cache.crop(-extra)
        self.answer += kept
        return predicted


def plain_tokens(model, first: int, *, cache, cache_kw: str, prompt_ids: Sequence[int], max_new: int,
                 eos_ids: set[int], should_stop: Callable[[], bool], processors=None,
                 k: int = DRAFT_EAGER) -> tuple[Iterator[int], SpecStats]:
    """Greedy tokens of the plain path after its prompt pass chose ``first``, drafting from the
    conversation; and the statistics the answer fills in as it goes."""
    plain = PlainSpeculation(model, first, cache=cache, cache_kw=cache_kw, processors=processors)
    spec = Speculator(k=k, eos_ids=sorted(eos_ids), adaptive=True)
    tokens = speculative_tokens(first, prompt_ids=prompt_ids, max_new=max_new, eos_ids=eos_ids,
                                should_stop=should_stop, step=plain.step, verify=plain.verify, spec=spec)
    return tokens, spec.stats


def can_cut_back(cache) -> bool:
    """Whether a cache can drop its last positions (a rejected draft); sliding or linear caches may not."""
    try:
        import inspect

        return callable(getattr(cache, "crop", None)) and "tokens_to_remove" in inspect.signature(cache.crop).parameters
    except (TypeError, ValueError):
        return False
