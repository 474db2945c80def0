"""The chat's repetition defaults reach the decoder on both paths; evaluation stays greedy and unpenalised."""

from __future__ import annotations

from collections import Counter

import pytest
import torch

from desktop.engine import fastgen, generate
from desktop.engine.models import load_model
from desktop.storage.config import Settings

pytestmark = pytest.mark.usefixtures("one_thread")
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a tort?"}]


@pytest.fixture
def lm(tiny_model_dir):
    """A tiny random model whose greedy answers loop, as the small default model's do."""
    loaded = load_model(tiny_model_dir, device="cpu")
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in loaded.model.parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen) / p.shape[1] ** 0.5)  # loops without a penalty
    return loaded


def _max_repeat(ids: list[int], n: int = 4) -> int:
    return max(Counter(tuple(ids[i:i + n]) for i in range(len(ids) - n + 1)).values())


def test_the_chat_defaults_turn_on_a_repetition_penalty():
    s = generate.settings_from(Settings())
    assert s.repetition_penalty > 1.0 and s.temperature == 0.0 and s.max_new_tokens == Settings().max_new_tokens
    # the engine's own default (what evaluation and benchmarks use) is no penalty
    assert generate.GenerationSettings().repetition_penalty == 1.0
    assert generate.settings_from(Settings(), temperature=0.7, seed=3).temperature == 0.7


def test_the_plain_path_penalises_the_answer_as_transformers_does(lm):
    from transformers import LogitsProcessorList, RepetitionPenaltyLogitsProcessor

    s = generate.settings_from(Settings(), max_new_tokens=40)
    g = generate.generate(lm, MESSAGES, settings=s)
    assert g.stats.path == "plain"
    ids = torch.tensor([g.prompt.input_ids])
    ref = lm.model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=40,
                            logits_processor=LogitsProcessorList([RepetitionPenaltyLogitsProcessor(
                                s.repetition_penalty, prompt_ignore_length=ids.shape[1])]),
                            eos_token_id=None, pad_token_id=0)
    assert g.token_ids == ref[0, ids.shape[1]:].tolist()
    plain = generate.generate(lm, MESSAGES, settings=generate.GenerationSettings(max_new_tokens=40))
    assert plain.token_ids != g.token_ids  # the penalty changed the answer
    assert _max_repeat(g.token_ids) < _max_repeat(plain.token_ids)


def test_the_fast_path_gets_the_same_penalty(lm):
    s = generate.settings_from(Settings(), max_new_tokens=40)
    plain = generate.generate(lm, MESSAGES, settings=s)
    unpenalised = generate.generate(lm, MESSAGES, settings=generate.GenerationSettings(max_new_tokens=40))
    lm.fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=512)
    fast = generate.generate(lm, MESSAGES, settings=s)
    assert fast.stats.path == "fast"
    assert fast.token_ids == plain.token_ids
    # and the next answer without a penalty starts from a clean slate
    again = generate.generate(lm, MESSAGES, settings=generate.GenerationSettings(max_new_tokens=40))
    assert again.stats.path == "fast" and again.token_ids == unpenalised.token_ids


def test_blocking_repeated_ngrams_falls_back_to_the_plain_path(lm):
    lm.fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=512)
    g = generate.generate(lm, MESSAGES, settings=generate.GenerationSettings(max_new_tokens=60,
                                                                             no_repeat_ngram_size=3))
    assert g.stats.path == "plain"
    assert _max_repeat(g.token_ids, 3) == 1


def test_continue_goes_on_inside_the_answer_that_was_cut_short(lm):
    s = generate.GenerationSettings(max_new_tokens=8)
    first = generate.generate(lm, MESSAGES, settings=s)
    assert first.stats.finish_reason == "length"
    more = generate.generate(lm, [*MESSAGES, {"role": "assistant", "content": first.text}], settings=s)
    # the prompt ends inside the answer (no end-of-turn marker, no new assistant turn) and the model goes on
    assert more.prompt.text.rstrip().endswith(first.text.strip())
    assert more.prompt.text.count("<|im_start|>assistant") == 1
    assert more.stats.new_tokens > 0
