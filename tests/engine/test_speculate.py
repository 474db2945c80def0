"""Prompt-lookup drafting gives exactly the greedy answer, in fewer passes when the answer copies its prompt."""

from __future__ import annotations

import random

import pytest
import torch

from desktop.engine import fastgen, speculate
from desktop.engine.generate import GenerationSettings, PlainDecoder
from desktop.engine.models import load_model
from tests.tiny import varied_weights as _varied

pytestmark = pytest.mark.usefixtures("one_thread")
COPYING = [list(range(3, 60)) + list(range(3, 20)), [7, 8, 9, 10, 11, 7, 8, 9], [5] * 40]


@pytest.fixture
def copier(tiny_model_dir):
    """The tiny model with its initial weights: it continues repeated patterns, so drafts hold."""
    return load_model(tiny_model_dir, device="cpu")


@pytest.fixture
def varied(tiny_model_dir):
    lm = load_model(tiny_model_dir, device="cpu")
    _varied(lm.model)
    return lm


def _run(decoder, prompt, settings):
    return list(decoder.decode(prompt, settings=settings, eos_ids=set(), should_stop=lambda: False))


def _both(make, prompts, settings):
    """Tokens with drafting off and on, and the statistics of the drafted runs."""
    off, on, stats = [], [], []
    for p in prompts:
        d = make()
        d.speculate = False
        off.append(_run(d, p, settings))
        d = make()
        on.append(_run(d, p, settings))
        stats.append(d.spec_stats)
    return off, on, stats


@pytest.mark.parametrize("penalty", [1.0, 1.2])
def test_plain_path_drafts_give_the_greedy_tokens_in_fewer_passes(copier, penalty):
    settings = GenerationSettings(max_new_tokens=40, temperature=0.0, repetition_penalty=penalty)
    off, on, stats = _both(lambda: PlainDecoder(copier.model, "cpu"), COPYING, settings)
    assert on == off
    assert all(len(t) == 40 for t in on)
    assert sum(s.accepted for s in stats) > 0
    assert sum(s.passes for s in stats) < sum(len(t) - 1 for t in on)  # more than one token per pass


@pytest.mark.parametrize("penalty,fold", [(1.0, False), (1.2, False), (1.0, True)])
def test_fast_path_drafts_give_the_greedy_tokens_in_fewer_passes(copier, penalty, fold, monkeypatch):
    """``fold``: the verify pass's attention over query heads folded per KV head (the layout the
    benchmark compares against), which must give the same tokens."""
    from desktop.engine import fast_step

    monkeypatch.setattr(fast_step, "FOLD_HEADS", fold)
    settings = GenerationSettings(max_new_tokens=40, temperature=0.0, repetition_penalty=penalty)
    off, on, stats = _both(lambda: fastgen.FastDecoder(copier.model, device="cpu", max_len=256), COPYING, settings)
    plain = [_run(PlainDecoder(copier.model, "cpu"), p, settings) for p in COPYING]
    assert on == off == plain
    assert sum(s.accepted for s in stats) > 0
    assert sum(s.passes for s in stats) < sum(len(t) - 1 for t in on)


def test_failing_drafts_change_nothing_and_drafting_pauses(varied):
    """A model that does not copy: drafts fail, answers are unchanged, drafting pauses itself."""
    settings = GenerationSettings(max_new_tokens=120, temperature=0.0)
    prompt = [list(range(3, 40)) * 3]
    for make in (lambda: PlainDecoder(varied.model, "cpu"),
                 lambda: fastgen.FastDecoder(varied.model, device="cpu", max_len=512)):
        off, on, stats = _both(make, prompt, settings)
        assert on == off
        s = stats[0]
        assert len(set(on[0])) > 3
        if s.verify_passes >= speculate.MAX_FAILURES and s.accepted == 0:
            assert s.pauses >= 1
            assert s.verify_passes < 40  # paused, not drafting after every token


def test_drafts_of_mixed_quality_keep_exactly_the_greedy_answer(varied):
    """An oracle that knows the answer but spoils some drafts: kept tokens are always the model's."""
    settings = GenerationSettings(max_new_tokens=60, temperature=0.0)
    prompt = list(range(3, 30))
    d = PlainDecoder(varied.model, "cpu")
    d.speculate = False
    truth = _run(d, prompt, settings)
    rng = random.Random(3)

    def oracle(history: list[int]) -> list[int]:
        done = len(history) - len(prompt)
        draft = list(truth[done:done + rng.randint(1, 8)])
        if draft and rng.random() < 0.5:
            draft[rng.randrange(len(draft))] = 511  # a wrong token somewhere in the draft
        return draft

    fd = fastgen.FastDecoder(varied.model, device="cpu", max_len=256)
    for make_step, make_verify in ((None, None),):
        spec = speculate.Speculator(k=8, propose=oracle)
        with torch.no_grad():
            fd._sync()
            fd._set_sampling(settings)
            first = fd._prefill(torch.tensor([prompt]), True)
            out = list(speculate.speculative_tokens(int(first.item()), prompt_ids=prompt, max_new=60, eos_ids=set(),
                                                    should_stop=lambda: False, step=fd._step_once,
                                                    verify=fd.verifier.run, spec=spec, max_draft=fd.verifier.room))
        assert out == truth
        assert spec.stats.accepted > 10 and spec.stats.accepted < spec.stats.drafted


def test_drafting_stops_at_end_of_answer_and_eos():
    calls = []

    def step(token, pos):
        calls.append(("step", pos))
        return token + 1

    def verify(tokens, pos):
        calls.append(("verify", pos, len(tokens)))
        return [t + 1 for t in tokens]

    spec = speculate.Speculator(k=5, propose=lambda h: [h[-1] + 1 + i for i in range(5)])
    out = list(speculate.speculative_tokens(10, prompt_ids=[1, 2, 3], max_new=9, eos_ids=set(),
                                            should_stop=lambda: False, step=step, verify=verify, spec=spec))
    assert out == list(range(10, 19))  # exactly max_new tokens, the draft trimmed to the room left
    assert [c[0] for c in calls] == ["verify", "verify"]
    out = list(speculate.speculative_tokens(10, prompt_ids=[1], max_new=50, eos_ids={13}, should_stop=lambda: False,
                                            step=step, verify=verify,
                                            spec=speculate.Speculator(k=5, propose=lambda h: [h[-1] + 1])))
    assert out == [10, 11, 12, 13]


def test_a_pause_is_decoded_in_one_stretch_without_drafts():
    """While drafting pauses, the decoder's own undrafted loop produces the tokens (on a GPU it keeps
    its step graphs queued one token ahead); the answer continues exactly where it left off."""
    truth = list(range(10, 70))
    calls = []

    def step(token, pos):
        calls.append("step")
        return token + 1

    def verify(tokens, pos):
        calls.append("verify")
        return [t + 1 for t in tokens[:1]] + [0] * len(tokens[1:])  # every draft fails at once

    def stretch(token, pos, n):
        calls.append(("stretch", pos, n))
        for i in range(n):
            yield token + 1 + i

    spec = speculate.Speculator(k=3, propose=lambda h: [999, 998])
    out = list(speculate.speculative_tokens(10, prompt_ids=[1, 2, 3], max_new=60, eos_ids=set(),
                                            should_stop=lambda: False, step=step, verify=verify, spec=spec,
                                            stretch=stretch))
    assert out == truth
    stretches = [c for c in calls if isinstance(c, tuple)]
    assert calls[:3] == ["verify"] * 3 and stretches[0] == ("stretch", 3 + 3, speculate.PAUSE - 1)
    assert spec.stats.pauses >= 2 and spec.stats.tokens == 59


def test_finding_no_draft_again_and_again_pauses_drafting_too():
    """An answer that never repeats finds no draft: after a few single steps (each waited for) the
    tokens come from the decoder's undrafted loop, and the answer is unchanged."""
    calls = []

    def step(token, pos):
        calls.append("step")
        return token + 1

    def stretch(token, pos, n):
        calls.append(("stretch", n))
        for i in range(n):
            yield token + 1 + i

    spec = speculate.Speculator(k=3, propose=lambda h: [])
    out = list(speculate.speculative_tokens(10, prompt_ids=[1, 2, 3], max_new=100, eos_ids=set(),
                                            should_stop=lambda: False, step=step, verify=None, spec=spec,
                                            stretch=stretch))
    assert out == list(range(10, 110))
    assert calls[:speculate.MAX_MISSES] == ["step"] * speculate.MAX_MISSES
    assert calls[speculate.MAX_MISSES] == ("stretch", speculate.PAUSE - 1)
    assert calls.count("step") <= 4 * speculate.MAX_MISSES and spec.stats.pauses >= 2
    assert spec.stats.tokens == 99 and spec.stats.verify_passes == 0


def test_adaptive_drafts_grow_while_taken_whole_and_shrink_when_not():
    """Eager passes cost more the longer they are: drafts start short, grow while the model takes
    them whole and shrink when it does not; the answer is the greedy one all the same."""
    lengths = []

    def verify(tokens, pos):
        lengths.append(len(tokens) - 1)
        # the model follows the counting draft up to position 30, then goes its own way (+2)
        return [t + 1 if pos + i < 30 else t + 2 for i, t in enumerate(tokens)]

    def step(token, pos):
        return token + 1 if pos < 30 else token + 2

    spec = speculate.Speculator(k=10, propose=lambda h: [h[-1] + 1 + i for i in range(10)], adaptive=True)
    out = list(speculate.speculative_tokens(10, prompt_ids=[1, 2, 3], max_new=40, eos_ids=set(),
                                            should_stop=lambda: False, step=step, verify=verify, spec=spec))
    expected = [10]
    for pos in range(3, 42):
        expected.append(expected[-1] + (1 if pos < 30 else 2))
    assert out == expected[:40]
    assert lengths[:4] == [speculate.DRAFT_START, 5, 7, 9]  # taken whole: +2 each time
    assert min(lengths[4:]) < max(lengths[:4])  # then drafts fail and shrink
    fixed = speculate.Speculator(k=10, propose=lambda h: [h[-1] + 1 + i for i in range(10)])
    assert fixed.draft([1, 2, 3], room=20) == list(range(4, 14))  # not adaptive: always k


def test_accepted_tokens_and_which_settings_draft():
    assert speculate.accepted_tokens([5, 6, 7], [5, 6, 9, 1]) == [5, 6, 9]
    assert speculate.accepted_tokens([5, 6], [4, 6, 7]) == [4]
    assert speculate.accepted_tokens([5, 6], [5, 6, 7]) == [5, 6, 7]
    assert speculate.applies(GenerationSettings(temperature=0.0, repetition_penalty=1.2))
    assert not speculate.applies(GenerationSettings(temperature=0.7))


def test_lookup_drafts_what_followed_the_last_words():
    spec = speculate.Speculator(k=4)
    assert spec.draft([1, 2, 3, 4, 5, 6, 9, 2, 3], room=10) == [4, 5, 6, 9]
    assert spec.draft([1, 2, 3, 4, 5, 6, 9, 2, 3], room=2) == [4, 5]
    assert spec.draft([1, 2, 3, 4], room=10) == []


@pytest.mark.cuda
def test_captured_verify_graphs_give_the_greedy_tokens(tiny_model_dir):
    lm = load_model(tiny_model_dir, device="cuda", dtype="float32", fast=False)
    lm.model.config.max_position_embeddings = 2048
    fast = fastgen.attach(lm, max_len=2048)
    assert fast is not None and fast.use_graphs and fast.verifier._graphs
    settings = GenerationSettings(max_new_tokens=40, temperature=0.0)
    for penalty in (1.0, 1.2):
        settings.repetition_penalty = penalty
        fast.speculate = False
        off = [_run(fast, p, settings) for p in COPYING]
        fast.speculate = True
        before = fastgen.recompile_count()
        on = [_run(fast, p, settings) for p in COPYING]
        assert fastgen.recompile_count() == before
        assert on == off
        assert fast.spec_stats.accepted > 0
    # a model that does not copy: drafts fail, drafting pauses, the pauses run pipelined
    gen = torch.Generator(device="cuda").manual_seed(0)
    with torch.no_grad():
        for p in lm.model.parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen, device="cuda") * 1.5 / p.shape[1] ** 0.5)
    settings = GenerationSettings(max_new_tokens=200, temperature=0.0)
    prompt = list(range(3, 40)) * 3
    fast.speculate = False
    off = _run(fast, prompt, settings)
    fast.speculate = True
    assert _run(fast, prompt, settings) == off == _run(PlainDecoder(lm.model, "cuda"), prompt, settings)
    assert fast.spec_stats.pauses >= 1
