"""The few-row product kernel of the fast path (desktop.engine.int8_gemv).

On a CPU the operator computes exactly torchao's weight-only int8 product (the fast path's
8-bit tokens are checked against the plain path's in test_quant.py); where Triton is
installed its interpreter runs the kernel itself, every tuned setting, on a CPU; on a GPU
(marked cuda) the compiled kernel is checked on the 7B shape's products.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from desktop.engine import int8_gemv

ROOT = Path(__file__).resolve().parents[2]


def _quantised(n: int, k: int, *, device: str = "cpu", seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(n, k, generator=g) * 0.02
    s = w.abs().amax(dim=1) / 127
    q = torch.round(w / s[:, None]).clamp(-128, 127).to(torch.int8)
    return w.to(device), q.to(device), s.to(device)


def test_on_a_cpu_the_operator_is_torchaos_product_exactly():
    from torchao.quantization import Int8WeightOnlyConfig, quantize_

    lin = torch.nn.Linear(96, 40, bias=False)
    quantize_(lin, Int8WeightOnlyConfig(version=2))
    x = torch.randn(2, 3, 96)
    expected = F.linear(x, lin.weight)
    got = int8_gemv.linear(x, (lin.weight.qdata, lin.weight.scale))
    assert got.shape == (2, 3, 40)
    assert torch.equal(got, expected)


def test_a_full_precision_weight_on_a_cpu_is_a_plain_product():
    w = torch.randn(24, 32)
    x = torch.randn(1, 5, 32)
    assert torch.equal(int8_gemv.linear(x, w), F.linear(x, w))


def test_the_operator_traces_under_compile_with_its_declared_shape():
    _w, q, s = _quantised(40, 64)
    x = torch.randn(5, 64)
    compiled = torch.compile(lambda a: int8_gemv.int8_linear(a, q, s) * 2, fullgraph=True, backend="eager")
    assert torch.allclose(compiled(x), int8_gemv.reference(x, q, s) * 2)


def test_every_tuned_setting_of_the_kernel_gives_the_product_in_the_interpreter():
    triton = pytest.importorskip("triton")
    del triton
    script = textwrap.dedent("""
        import torch
        from desktop.engine import int8_gemv as g
        g_ = torch.Generator().manual_seed(0)
        bad = []
        for c in g.configs():
            for m in ([1] if c["MODE"] == 0 else [2, 5]):
                n, k = 37, 300  # neither a multiple of any block: the masks are exercised
                w = torch.randn(n, k, generator=g_) * 0.02
                s = w.abs().amax(1) / 127
                q = torch.round(w / s[:, None]).clamp(-128, 127).to(torch.int8)
                x = torch.randn(m, k, generator=g_)
                for got, want in ((g.rows_product(x, q, s, c), g.reference(x, q, s)),
                                  (g.rows_product(x, w, None, c), x @ w.T)):
                    if not torch.allclose(got, want, atol=1e-5, rtol=1e-4):
                        bad.append((c, m, float((got - want).abs().max())))
        print("BAD", bad)
    """)
    env = dict(os.environ, TRITON_INTERPRET="1")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "BAD []" in proc.stdout


@pytest.mark.cuda
@pytest.mark.parametrize("rows", [1, 5])
def test_the_kernel_on_a_gpu_matches_the_dequantised_product(rows):
    for n, k in ((4608, 3584), (3584, 18944), (1000, 3000)):
        w, q, s = _quantised(n, k, device="cuda")
        x = torch.randn(rows, k, device="cuda", dtype=torch.bfloat16)
        want = x.float() @ (q.float() * s[:, None]).T
        got = int8_gemv.int8_linear(x, q, s).float()
        assert (got - want).abs().max() <= 0.01 * want.abs().max()
        if rows > 1:
            wb = w.to(torch.bfloat16)
            want = x.float() @ wb.float().T
            got = int8_gemv.rows_linear(x, wb).float()
            assert (got - want).abs().max() <= 0.01 * want.abs().max()


@pytest.mark.cuda
def test_8_bit_graphs_on_a_gpu_give_the_plain_8_bit_tokens_with_and_without_drafts(tmp_path):
    """float32 activations: the kernel's sums and torchao's differ only in rounding, so greedy tokens agree."""
    from desktop.engine import fastgen
    from desktop.engine.generate import GenerationSettings, PlainDecoder
    from desktop.engine.models import load_model
    from tests.tiny import make_tiny_model, varied_weights

    folder = make_tiny_model(tmp_path / "tiny", hidden=128)
    lm = load_model(folder, device="cpu")
    varied_weights(lm.model)
    lm.model.save_pretrained(folder, safe_serialization=True)
    lm = load_model(folder, device="cuda", dtype="float32", fast=False, weights="int8")
    settings = GenerationSettings(max_new_tokens=40, temperature=0.0)

    def run(decoder, prompt):
        return list(decoder.decode(prompt, settings=settings, eos_ids=set(), should_stop=lambda: False))

    prompts = [[1, 5, 7, 9, 11], list(range(3, 60)) * 2]
    plain = [run(PlainDecoder(lm.model, "cuda"), p) for p in prompts]
    fast = fastgen.FastDecoder(lm.model, device="cuda", max_len=1024)
    fast.warm_up()
    assert fast.speculate and fast.verifier._graphs  # drafting is on for 8-bit weights with the kernel
    for drafting in (False, True):
        fast.speculate = drafting
        assert [run(fast, p) for p in prompts] == plain
