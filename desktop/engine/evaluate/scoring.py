"""Scoring one answer: multiple choice by log-likelihood, free text by key-point coverage.

Multiple choice: every option is appended to the same prompt and the model's
log-probabilities of the option's tokens are summed (the prompt is run once and
its KV cache shared by one forward pass over a batch of right-padded options). The option
with the highest sum is the answer (``acc``); ``acc_norm`` divides each sum by the
option's length in characters first, as lm-evaluation-harness does, so that long
options are not penalised for having more tokens.

Free text: the greedy answer and each key point are normalised (NFKC, case
folding, punctuation and symbols to spaces) and cut into tokens: Latin words, and
Chinese runs segmented by jieba (with glossary terms and key points added to its
dictionary so they stay whole). A key point is met when its tokens occur, in order
and adjacent, in the answer's tokens; a key point that is a term of a glossary
concept is also met by any other term of that concept. Coverage is the share of
key points met. A key point may list alternative wordings separated by "|"
("anticoagulant|anticoagulation"); any one of them meets it.

Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from glossary.model import Concept, is_cjk_char


@dataclass
class ChoiceScore:
    logprobs: list[float]  # summed log-probability of each option
    lengths: list[int]  # each option's length in characters
    n_tokens: list[int]

    @property
    def pick(self) -> int:
        return max(range(len(self.logprobs)), key=lambda i: (self.logprobs[i], -i))

    @property
    def pick_norm(self) -> int:
        norm = [lp / max(1, n) for lp, n in zip(self.logprobs, self.lengths)]
        return max(range(len(norm)), key=lambda i: (norm[i], -i))


def option_logprobs(model: Any, prompt_ids: Sequence[int], options_ids: Sequence[Sequence[int]], *,
                    device: str = "cpu", pad_id: int = 0, batch_size: int = 8) -> list[float]:
    """The summed log-probability of each option's tokens following ``prompt_ids``.

    The prompt is run once; its KV cache is copied for each batch of options, which
    are right-padded so that every option starts at the same position. The first
    option token is scored from the prompt's last logits, the rest from the batch.
    """
    if getattr(model, "engine", "transformers") != "transformers":  # llama.cpp scores from its own logits
        return model.option_logprobs(prompt_ids, options_ids)
    import copy

    import torch
    from transformers import DynamicCache

    from desktop.engine.generate import cache_kwarg

    p = len(prompt_ids)
    if p == 0:
        raise ValueError("the prompt is empty")
    if any(len(o) == 0 for o in options_ids):
        raise ValueError("an option has no tokens")
    key = cache_kwarg(model)
    sums: list[float] = []
    with torch.inference_mode():
        prompt_cache = DynamicCache(config=getattr(model, "config", None))
        ids = torch.tensor([list(prompt_ids)], dtype=torch.long, device=device)
        first = model(input_ids=ids, use_cache=True, logits_to_keep=1, **{key: prompt_cache}).logits
        first_lp = torch.log_softmax(first[0, -1].float(), dim=-1)
        for start in range(0, len(options_ids), batch_size):
            chunk = [list(o) for o in options_ids[start:start + batch_size]]
            b, longest = len(chunk), max(len(o) for o in chunk)
            opt = torch.full((b, longest), pad_id, dtype=torch.long)
            mask = torch.zeros((b, p + longest), dtype=torch.long)
            mask[:, :p] = 1
            for i, o in enumerate(chunk):
                opt[i, :len(o)] = torch.tensor(o, dtype=torch.long)
                mask[i, p:p + len(o)] = 1
            opt, mask = opt.to(device), mask.to(device)
            lp_first = first_lp[opt[:, 0]]
            rest = torch.zeros(b, device=device)
            if longest > 1:
                cache = copy.deepcopy(prompt_cache)
                cache.batch_repeat_interleave(b)
                out = model(input_ids=opt[:, :-1], attention_mask=mask[:, :-1], use_cache=True,
                            logits_to_keep=longest - 1, **{key: cache})
                logp = torch.log_softmax(out.logits[:, -(longest - 1):, :].float(), dim=-1)
                tok = logp.gather(-1, opt[:, 1:].unsqueeze(-1)).squeeze(-1) * mask[:, p + 1:]
                rest = tok.sum(dim=-1)
            sums.extend(float(x) for x in (lp_first + rest).cpu())
    return sums


def score_choices(model: Any, tokenizer: Any, prompt_ids: Sequence[int], choices: Sequence[str], *,
                  device: str = "cpu", batch_size: int = 8, prompt_text: str | None = None) -> ChoiceScore:
    """Log-likelihood scores of ``choices`` as continuations of the rendered prompt (a model server
    scores ``prompt_text`` itself: ``desktop.engine.server_backend``)."""
    options = [tokenizer(c, add_special_tokens=False)["input_ids"] for c in choices]
    if hasattr(model, "score_text_choices") and prompt_text is not None:
        lps = model.score_text_choices(prompt_text, list(choices))
        return ChoiceScore(logprobs=lps, lengths=[len(c) for c in choices], n_tokens=[len(o) for o in options])
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    lps = option_logprobs(model, prompt_ids, options, device=device, pad_id=pad, batch_size=batch_size)
    return ChoiceScore(logprobs=lps, lengths=[len(c) for c in choices], n_tokens=[len(o) for o in options])


# --- free text ---

_WORD = re.compile(r"[^\W_]+")


def normalize_text(text: str) -> str:
    """NFKC, case folding, punctuation and symbols as spaces, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return " ".join(text.split())


class Segmenter:
    """Cuts normalised text into tokens; Chinese runs go through a private jieba tokenizer."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._words: set[str] = set()
        self._jieba = None
        self.add_words(words)

    def add_words(self, words: Iterable[str]) -> None:
        """Keep these (glossary terms, key points) whole when segmenting."""
        for w in (normalize_text(x) for x in words):
            if w and w not in self._words and " " not in w and any(is_cjk_char(ch) for ch in w):
                self._words.add(w)
                if self._jieba is not None:
                    self._jieba.add_word(w)

    def _cutter(self):
        if self._jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            for w in self._words:
                tok.add_word(w)
            self._jieba = tok
        return self._jieba

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for word in _WORD.findall(normalize_text(text)):
            for run in _runs(word):
                if is_cjk_char(run[0]):
                    out.extend(t for t in self._cutter().lcut(run, HMM=False) if t.strip())
                else:
                    out.append(run)
        return out


def _runs(word: str) -> list[str]:
    """``word`` cut where it changes between CJK and other characters."""
    runs: list[str] = []
    for ch in word:
        if runs and is_cjk_char(ch) == is_cjk_char(runs[-1][-1]):
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs


def _contains(seq: Sequence[str], sub: Sequence[str]) -> bool:
    n = len(sub)
    return n > 0 and any(list(seq[i:i + n]) == list(sub) for i in range(len(seq) - n + 1))


@dataclass
class KeyPointResult:
    met: list[bool]
    matched_by: list[str]  # the form that met each key point ("" when not met)

    @property
    def coverage(self) -> float:
        return sum(self.met) / len(self.met) if self.met else 0.0


@dataclass
class KeyPointScorer:
    """Key-point coverage with glossary synonyms; build once per run and reuse."""

    concepts: Sequence[Concept] = ()
    _synonyms: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _segmenter: Segmenter = field(default_factory=Segmenter, init=False, repr=False)

    def __post_init__(self) -> None:
        by_form: dict[str, list[Concept]] = {}
        for c in self.concepts:
            for t in c.terms:
                by_form.setdefault(normalize_text(t.text), []).append(c)
        for form, cs in by_form.items():
            alts = [t.text for c in cs for t in c.terms]
            self._synonyms[form] = list(dict.fromkeys(alts))
        self._segmenter.add_words(t.text for c in self.concepts for t in c.terms)

    def alternatives(self, key_point: str) -> list[str]:
        """The forms that meet ``key_point``: its own ("a|b" lists several) and, for each that is a
        glossary term, every term of that concept."""
        forms = [f.strip() for f in key_point.split("|") if f.strip()]
        out = [x for f in forms for x in (f, *self._synonyms.get(normalize_text(f), []))]
        return list(dict.fromkeys(out))

    def score(self, answer: str, key_points: Sequence[str]) -> KeyPointResult:
        alts = {k: self.alternatives(k) for k in key_points}
        seg = self._segmenter
        seg.add_words(a for xs in alts.values() for a in xs)
        answer_tokens = seg.tokens(answer)
        met, by = [], []
        for k in key_points:
            form = next((a for a in alts[k] if _contains(answer_tokens, seg.tokens(a))), "")
            met.append(bool(form))
            by.append(form)
        return KeyPointResult(met=met, matched_by=by)
