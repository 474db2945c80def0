"""The fast decode path gives the plain path's answers, sees in-place weight changes, and steps aside on failure."""

from __future__ import annotations

import logging

import pytest
import torch

from desktop.engine import fast_step, fastgen
from desktop.engine.generate import GenerationSettings, PlainDecoder, generate
from desktop.engine.models import load_model
from tests.tiny import varied_weights as _varied

GREEDY = GenerationSettings(max_new_tokens=24, temperature=0.0)
PROMPTS = [[1, 5, 7, 9, 11], list(range(3, 140)), [2]]
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def lm(tiny_model_dir):
    loaded = load_model(tiny_model_dir, device="cpu")
    _varied(loaded.model)
    return loaded


def _run(decoder, prompt, settings=GREEDY):
    return list(decoder.decode(prompt, settings=settings, eos_ids=set(), should_stop=lambda: False))


def test_fast_and_plain_paths_give_the_same_greedy_tokens(lm):
    plain = [_run(PlainDecoder(lm.model, "cpu"), p) for p in PROMPTS]
    fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=256)
    assert [_run(fast, p) for p in PROMPTS] == plain
    assert len(set(plain[1])) > 3  # a real answer, not one token repeated
    # the fused projections are views: the plain path still sees the same weights afterwards
    assert [_run(PlainDecoder(lm.model, "cpu"), p) for p in PROMPTS] == plain


def test_generation_uses_the_fast_path_and_streams_the_same_text(lm):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a tort?"}]
    settings = GenerationSettings(max_new_tokens=20)
    plain = generate(lm, messages, settings=settings)
    lm.fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=512)
    deltas: list[str] = []
    fast = generate(lm, messages, settings=settings, on_token=deltas.append)
    assert fast.stats.path == "fast"
    assert fast.text == plain.text and fast.token_ids == plain.token_ids
    assert "".join(deltas) == fast.text and len(deltas) > 1


def test_a_failing_fast_path_falls_back_to_the_plain_one(lm, caplog):
    class Broken:
        name = "fast"

        def decode(self, *_a, **_k):
            raise RuntimeError("graph replay failed")
            yield  # noqa: unreachable - makes this a generator

    messages = [{"role": "user", "content": "What does EBITDA mean?"}]
    expected = generate(lm, messages, settings=GenerationSettings(max_new_tokens=12))
    lm.fast = Broken()
    with caplog.at_level(logging.WARNING, logger="termlens"):
        g = generate(lm, messages, settings=GenerationSettings(max_new_tokens=12))
    assert g.stats.path == "plain" and g.token_ids == expected.token_ids
    assert any("fast decode path failed" in r.getMessage() for r in caplog.records)


def test_a_prompt_longer_than_the_fast_cache_takes_the_plain_path(lm, caplog):
    lm.fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=24)
    messages = [{"role": "user", "content": "Atrial fibrillation is an irregular heart rhythm; explain it."}]
    with caplog.at_level(logging.WARNING, logger="termlens"):
        g = generate(lm, messages, settings=GenerationSettings(max_new_tokens=8))
    assert g.stats.path == "plain" and g.stats.new_tokens > 0
    assert any("FastPathUnavailable" in r.getMessage() for r in caplog.records)


def test_in_place_weight_changes_reach_the_fast_path(lm):
    fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=256)
    prompt = PROMPTS[1]
    before = _run(fast, prompt)
    q = lm.model.model.layers[0].self_attn.q_proj.weight
    original = q.detach().clone()
    # as the adapter code merges LoRA: param.data.add_ on the model's own parameter (a view of the fused weight)
    q.data.add_(torch.randn(q.shape, generator=torch.Generator().manual_seed(1)) * 0.5)
    fast.merge_delta(1, "down_proj", torch.randn(lm.model.model.layers[1].mlp.down_proj.weight.shape) * 0.5)
    changed = _run(fast, prompt)
    assert changed != before
    assert changed == _run(PlainDecoder(lm.model, "cpu"), prompt)
    # replacing .data outright (not in place) is repaired at the next answer
    q.data = original.clone()
    lm.model.model.layers[1].mlp.down_proj.weight.data = lm.model.model.layers[1].mlp.down_proj.weight.data.clone()
    plain_now = _run(PlainDecoder(lm.model, "cpu"), prompt)
    assert _run(fast, prompt) == plain_now
    assert q.data_ptr() == fast._fused[0][0][0].data_ptr()  # pointed back into the fused weight


def test_wrapped_layers_make_the_fast_path_step_aside(lm):
    fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=256)
    attn = lm.model.model.layers[0].self_attn

    class Wrapped(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner(x)

    attn.q_proj = Wrapped(attn.q_proj)
    with pytest.raises(fastgen.FastPathUnavailable):
        _run(fast, PROMPTS[0])
    with pytest.raises(fastgen.FastPathUnavailable):
        fastgen.check_supported(lm.model)


def test_sampling_repeats_with_a_seed_and_top_p_narrows_it(lm):
    fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=256)
    prompt = PROMPTS[1]
    s = GenerationSettings(max_new_tokens=20, temperature=1.0, top_p=0.95, seed=7)
    a, b = _run(fast, prompt, s), _run(fast, prompt, s)
    assert a == b
    other = _run(fast, prompt, GenerationSettings(max_new_tokens=20, temperature=1.0, top_p=0.95, seed=8))
    assert other != a
    # a nucleus this small holds only the most likely token: sampling becomes greedy
    tiny_p = _run(fast, prompt, GenerationSettings(max_new_tokens=20, temperature=1.0, top_p=1e-6, seed=9))
    assert tiny_p == _run(fast, prompt, GenerationSettings(max_new_tokens=20, temperature=0.0))


def test_sampled_tokens_follow_the_model_distribution():
    head = fast_step.make_head(fast_step.Shape(1, 1, 4, 1e-6, 1.0), greedy=False)
    h = torch.tensor([[[2.0, 1.0, 0.0, -1.0]]])  # with a unit norm and an identity output layer: logits = h / rms(h)
    counts = torch.zeros(4)
    for step in range(2000):
        tok = head(h, torch.ones(4), torch.eye(4), torch.ones(1), torch.full((1,), 2.0), torch.tensor([3]),
                   torch.tensor([step]))
        counts[int(tok)] += 1
    expected = torch.softmax(h[0, 0] / h.pow(2).mean().sqrt(), 0)
    assert torch.allclose(counts / counts.sum(), expected, atol=0.04)


def test_attach_declines_without_a_gpu(lm, caplog):
    with caplog.at_level(logging.WARNING, logger="termlens"):
        assert fastgen.attach(lm) is None
    assert lm.fast is None
    assert any("needs a CUDA GPU" in r.getMessage() for r in caplog.records)


@pytest.mark.cuda
def test_cuda_graphs_agree_with_plain_see_weight_changes_and_never_recompile(tiny_model_dir):
    lm = load_model(tiny_model_dir, device="cuda", dtype="float32", fast=False)
    lm.model.config.max_position_embeddings = 2048  # room for several attention windows (default rope)
    _varied(lm.model)
    fast = fastgen.attach(lm, max_len=2048)
    assert fast.windows == [1024, 2048]
    assert fast is not None and lm.fast is fast and fast.use_graphs
    plain = [_run(PlainDecoder(lm.model, "cuda"), p) for p in PROMPTS]
    assert [_run(fast, p) for p in PROMPTS] == plain
    before = fastgen.recompile_count()
    for i, n in enumerate([3, 700, 31, 1500, 64, 9, 1000, 257, 128, 1]):
        s = GenerationSettings(max_new_tokens=5 + i, temperature=0.0 if i % 2 else 0.8, seed=i)
        assert len(_run(fast, [1 + j % 500 for j in range(n)], s)) == 5 + i  # ids within the tiny vocabulary
    assert fastgen.recompile_count() == before
    q = lm.model.model.layers[0].self_attn.q_proj.weight
    q.data.add_(torch.randn_like(q) * 0.5)
    assert _run(fast, PROMPTS[1]) == _run(PlainDecoder(lm.model, "cuda"), PROMPTS[1]) != plain[1]


def test_weights_of_a_type_it_cannot_read_are_refused_before_anything_is_fused(lm):
    """A quantised tensor of another kind passes for a float tensor; the fast path must not fuse it."""

    class OtherQuantised(torch.Tensor):
        pass

    proj = lm.model.model.layers[1].mlp.up_proj
    before = proj.weight.detach().clone()
    proj.weight = torch.nn.Parameter(before.clone().as_subclass(OtherQuantised), requires_grad=False)
    with pytest.raises(fastgen.FastPathUnavailable, match="OtherQuantised"):
        fastgen.FastDecoder(lm.model, device="cpu", max_len=256)
    assert torch.equal(proj.weight.detach().as_subclass(torch.Tensor), before)  # left as it was
    assert len(_run(PlainDecoder(lm.model, "cpu"), PROMPTS[0])) == GREEDY.max_new_tokens  # still answers
