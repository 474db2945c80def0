"""8-bit weights: smaller, close to full precision, the fast path agrees with the plain one,
adapters merge in and come off exactly, and what cannot work says so in a sentence."""

from __future__ import annotations

import sys

import pytest
import torch

from desktop.engine import adapters, fastgen, quant
from desktop.engine.generate import GenerationSettings, PlainDecoder
from desktop.engine.models import estimate_memory, inspect_model, load_model
from desktop.errors import AdapterError, ModelLoadError, TrainingError

pytestmark = [pytest.mark.skipif(sys.platform != "linux", reason="torchao, for 8-bit weights, is installed on Linux only"),
              pytest.mark.usefixtures("one_thread")]

GREEDY = GenerationSettings(max_new_tokens=24, temperature=0.0)
PROMPTS = [[1, 5, 7, 9, 11], list(range(3, 140)), [2]]
LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@pytest.fixture(scope="module")
def varied_dir(tmp_path_factory):
    """A tiny model whose weights give varied greedy answers (the default init repeats the input)."""
    from tests.tiny import make_tiny_model

    folder = make_tiny_model(tmp_path_factory.mktemp("quant") / "tiny-varied", hidden=128)
    lm = load_model(folder, device="cpu")
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in lm.model.parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen) * 1.5 / p.shape[1] ** 0.5)
    lm.model.save_pretrained(folder, safe_serialization=True)
    return folder


def _run(decoder, prompt):
    return list(decoder.decode(prompt, settings=GREEDY, eos_ids=set(), should_stop=lambda: False))


def _linear_bytes(model) -> int:
    total = 0
    for name, module in model.named_modules():
        if name.rsplit(".", 1)[-1] in LINEAR:
            w = module.weight
            pieces = quant.parts(w).values() if quant.is_quantized(w) else [w]
            total += sum(p.numel() * p.element_size() for p in pieces)
    return total


def test_int8_weights_take_a_quarter_of_float32_and_stay_close(varied_dir):
    full = load_model(varied_dir, device="cpu")
    small = load_model(varied_dir, device="cpu", weights="int8")
    assert small.weights == "int8" and quant.model_mode(small.model) == "int8"
    assert full.weights == "full" and quant.model_mode(full.model) == "full"
    # int8 data plus one scale per row, against 4-byte floats
    ratio = _linear_bytes(small.model) / _linear_bytes(full.model)
    assert 0.25 <= ratio < 0.3
    assert quant.weight_bytes(small.model) < quant.weight_bytes(full.model)
    ids = torch.tensor([list(range(3, 60))])
    with torch.no_grad():
        a, b = full.model(ids).logits, small.model(ids).logits
    assert (a - b).abs().max() / a.abs().max() < 0.15  # close, not equal
    assert not torch.equal(a, b)


def test_fast_path_with_int8_weights_gives_the_plain_paths_tokens(varied_dir):
    lm = load_model(varied_dir, device="cpu", weights="int8")
    plain = [_run(PlainDecoder(lm.model, "cpu"), p) for p in PROMPTS]
    fast = fastgen.FastDecoder(lm.model, device="cpu", max_len=256)
    assert [_run(fast, p) for p in PROMPTS] == plain
    assert len(set(plain[1])) > 3
    # q/k/v and gate/up now share fused 8-bit weights; the plain path still sees the same values
    assert [_run(PlainDecoder(lm.model, "cpu"), p) for p in PROMPTS] == plain


def _random_adapter(lm, name: str, seed: int = 1) -> None:
    gen = torch.Generator().manual_seed(seed)
    weights = {}
    for i, layer in enumerate(lm.model.model.layers):
        for proj in ("q_proj", "v_proj"):
            w = getattr(layer.self_attn, proj).weight
            key = f"base_model.model.model.layers.{i}.self_attn.{proj}"
            weights[f"{key}.lora_A.weight"] = torch.randn(4, w.shape[1], generator=gen) * 0.3
            weights[f"{key}.lora_B.weight"] = torch.randn(w.shape[0], 4, generator=gen) * 0.3
    adapters.save_adapter(name, weights=weights, lora_config={"r": 4, "lora_alpha": 8, "peft_type": "LORA"},
                          meta={"base_model": lm.info.name, "base_fingerprint": lm.fingerprint})


def test_an_adapter_merges_into_int8_weights_and_comes_off_exactly(varied_dir, termlens_home):
    full = load_model(varied_dir, device="cpu")
    small = load_model(varied_dir, device="cpu", weights="int8")
    _random_adapter(full, "sharp")
    ids = torch.tensor([list(range(3, 40))])
    q = small.model.model.layers[0].self_attn.q_proj.weight
    before = {n: t.clone() for n, t in quant.parts(q).items()}
    fast = fastgen.FastDecoder(small.model, device="cpu", max_len=256)
    base_tokens = _run(fast, PROMPTS[1])
    with torch.no_grad():
        base_logits = small.model(ids).logits
        adapters.apply_adapter(full, "sharp")
        adapters.apply_adapter(small, "sharp")
        want, got = full.model(ids).logits, small.model(ids).logits
    assert small.adapter == "sharp"
    assert (got - want).abs().max() / want.abs().max() < 0.15  # the adapter's effect, at 8-bit precision
    assert (got - base_logits).abs().max() > 3 * (got - want).abs().max()  # the effect outweighs the 8-bit error
    # merged in place: the fast path's fused weights see it, and agree with the plain path
    assert _run(fast, PROMPTS[1]) == _run(PlainDecoder(small.model, "cpu"), PROMPTS[1]) != base_tokens
    adapters.remove_adapter(small)
    assert all(torch.equal(t, before[n]) for n, t in quant.parts(q).items())
    assert _run(fast, PROMPTS[1]) == base_tokens


def test_what_needs_full_precision_says_so(varied_dir, termlens_home, tmp_path):
    small = load_model(varied_dir, device="cpu", weights="int8")
    from desktop.engine.train import train

    pairs = [{"id": "p1", "concept_id": 1, "status": "accepted", "messages": [
        {"role": "user", "content": "What is a tort?"}, {"role": "assistant", "content": "A civil wrong."}]}]
    with pytest.raises(TrainingError, match="full-precision weights"):
        train(small, pairs, out_name="never")
    assert not adapters.adapter_dir("never").exists()
    _random_adapter(small, "sharp")
    with pytest.raises(AdapterError, match="8-bit weights"):
        adapters.merge_to_folder(small, "sharp", tmp_path / "merged")
    assert not (tmp_path / "merged").exists()
    with pytest.raises(ModelLoadError, match="'int4' is not a weight mode"):
        load_model(varied_dir, device="cpu", weights="int4")


def test_memory_estimate_counts_8_bit_linear_layers(varied_dir):
    info = inspect_model(varied_dir)
    assert 0 < info.linear_params < info.n_params  # the tied embedding is not a linear layer here
    full = estimate_memory(info, device="cpu", dtype="bfloat16", context_tokens=128)
    small = estimate_memory(info, device="cpu", dtype="bfloat16", context_tokens=128, weights="int8")
    saved = full.needed_bytes - small.needed_bytes
    assert saved == pytest.approx(info.linear_params * 1.10, rel=0.01)  # one byte of two per linear weight


def test_decode_benchmark_runs_with_int8_weights_on_a_cpu():
    from desktop.engine.bench import run_decode_bench

    r = run_decode_bench(shape="tiny", prompt=32, new=12, turns=2, repeat=1, device="cpu", weights="int8",
                         emit=lambda _s: None)
    assert r["weights"] == "int8" and r["greedy_identical"] and r["recompiles_in_turns"] == 0
    assert r["inplace_change_seen"] and r["inplace_plain_agrees"]
    full = run_decode_bench(shape="tiny", prompt=32, new=12, turns=2, repeat=1, device="cpu", plain=False,
                            emit=lambda _s: None)
    assert r["weight_gb"] < 0.6 * full["weight_gb"]


def test_an_evaluation_report_says_it_ran_on_8_bit_weights(varied_dir, tmp_path):
    from desktop.engine.evaluate import run_eval
    from tests.engine.test_evaluate import _glossary, _items

    small = load_model(varied_dir, device="cpu", weights="int8")
    report = run_eval(small, _items()[:2], methods="base", glossary_concepts=_glossary(), seed=0)
    assert report.meta["device"] == "cpu (float32, 8-bit weights)"
    assert "- Device: cpu (float32, 8-bit weights)" in report.write(tmp_path / "r")["md"].read_text(encoding="utf-8")


def test_8_bit_weights_are_tuned_without_timing_several_starting_settings(varied_dir, monkeypatch):
    """Their dequantising kernels have many more settings to time: on a GPU that option cost a
    quarter of the cold start's warm-up and gained nothing (README, 8-bit weights)."""
    seen = []

    def record(fn, **kw):  # torch.compile compiles on first call only; record what it was asked
        seen.append(kw.get("options") or {})
        return fn

    monkeypatch.setattr(torch, "compile", record)
    first = []
    for weights in ("full", "int8"):
        lm = load_model(varied_dir, device="cpu", weights=weights)
        first.append(len(seen))  # the decoder layer is compiled first (the verify pass after it)
        fastgen.FastDecoder(lm.model, device="cpu", max_len=256, compile=True)
    full, eight = seen[first[0]], seen[first[1]]
    assert full["coordinate_descent_tuning"] and full["max_autotune_pointwise"]
    assert eight["coordinate_descent_tuning"] and not eight["max_autotune_pointwise"]
