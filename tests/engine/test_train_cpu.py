"""Training without fused kernels (a CPU) never holds the logits of every answer token at once,
and gives the same loss and gradients as doing so."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from desktop.engine.train import loss


def test_chunked_cross_entropy_equals_the_whole_and_holds_one_chunk_of_logits(monkeypatch):
    torch.manual_seed(0)
    head = torch.nn.Linear(16, 300, bias=False)
    head.weight.requires_grad_(False)  # the output layer is frozen under LoRA
    h = torch.randn(70, 16, requires_grad=True)
    target = torch.randint(0, 300, (70,))
    whole = F.cross_entropy(head(h).float(), target, reduction="sum")
    (g_whole,) = torch.autograd.grad(whole, h)

    rows = []
    real = loss._chunk_loss

    def spy(x, *rest):
        rows.append(x.shape[0])
        return real(x, *rest)

    monkeypatch.setattr(loss, "_chunk_loss", spy)
    chunked = loss.chunked_cross_entropy(head, h, target, chunk=16)
    (g_chunked,) = torch.autograd.grad(chunked, h)
    assert torch.allclose(chunked, whole, rtol=1e-5)
    assert torch.allclose(g_chunked, g_whole, atol=1e-6)
    assert max(rows) == 16 and sum(rows) >= 2 * 70  # made again in the backward pass, a chunk at a time


@pytest.mark.usefixtures("one_thread")
def test_token_loss_on_a_cpu_uses_chunks(tiny_model_dir, monkeypatch):
    from desktop.engine.models import load_model
    from desktop.engine.train.data import collate, encode_pairs, pack
    from tests.engine.test_train import make_pairs

    lm = load_model(tiny_model_dir, device="cpu")
    examples, _ = encode_pairs(lm.tokenizer, make_pairs(24), max_seq_len=128)
    rows = pack(examples, max_seq_len=128)
    ids, labels, pos = collate(rows, pad_id=0, device="cpu")
    targets = int((labels != loss.IGNORE).sum())
    whole, n = loss.token_loss(lm.model, ids, labels, pos)
    monkeypatch.setattr(loss, "CE_CHUNK", 32)
    sizes = []
    real = loss._chunk_loss
    monkeypatch.setattr(loss, "_chunk_loss", lambda x, *rest: sizes.append(x.shape[0]) or real(x, *rest))
    chunked, _ = loss.token_loss(lm.model, ids, labels, pos)
    assert targets > 32 and max(sizes) <= 32 and int(n) == targets
    assert torch.allclose(chunked, whole, rtol=1e-5)


@pytest.mark.usefixtures("one_thread")
def test_a_cpu_step_in_groups_trains_the_same_adapter_as_the_whole_batch(tiny_model_dir, monkeypatch):
    """Rows run a group at a time on a CPU (a fraction of the activations held at once); the
    gradients add up to the whole batch's, so the adapter comes out the same."""
    from safetensors.torch import load_file

    from desktop.engine import adapters, train as training
    from desktop.engine.models import load_model
    from desktop.engine.train import cpu
    from tests.engine.test_train import FAST, make_pairs

    lm = load_model(tiny_model_dir, device="cpu")
    # dropout 0: with dropout the masks drawn for a group differ from those for the whole batch
    cfg = training.TrainConfig(epochs=1, dropout=0.0, cpu_bf16=False, **{**FAST, "max_seq_len": 64})
    groups = []
    real = cpu.micro_batches
    monkeypatch.setattr(training, "micro_batches", lambda rows, device: groups.append(real(rows, device)) or groups[-1])
    monkeypatch.setattr(cpu, "CPU_MICRO_TOKENS", 10 ** 9)
    training.train(lm, make_pairs(), config=cfg, out_name="whole")
    assert all(len(g) == 1 for g in groups)
    groups.clear()
    monkeypatch.setattr(cpu, "CPU_MICRO_TOKENS", 64)
    training.train(lm, make_pairs(), config=cfg, out_name="grouped")
    assert any(len(g) > 1 for g in groups)
    assert all(sum(len(r) for r in group) <= 64 for g in groups for group in g)
    a = load_file(str(adapters.adapter_dir("whole") / adapters.WEIGHTS_FILE))
    b = load_file(str(adapters.adapter_dir("grouped") / adapters.WEIGHTS_FILE))
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    assert adapters.read_meta("whole")["metrics"]["train_loss"] == pytest.approx(
        adapters.read_meta("grouped")["metrics"]["train_loss"], rel=1e-5)


def test_a_cpu_step_packs_its_examples_again_into_rows_of_512_tokens():
    """Four rows of about 1,024 tokens become groups of at most 512, each example whole, none lost."""
    from desktop.engine.train import cpu
    from desktop.engine.train.data import Example, pack

    examples = [Example(list(range(n)), [7] * (n - 1) + [loss.IGNORE]) for n in (300, 200, 260, 180, 90, 400, 520)]
    rows = pack(examples, max_seq_len=1024)
    groups = cpu.micro_batches(rows, "cpu")
    assert all(len(g) == 1 for g in groups)
    assert all(len(g[0]) <= cpu.CPU_MICRO_TOKENS for g in groups if g[0].position_ids.count(0) > 1)
    seen = sorted(len(e) for g in groups for e in cpu._examples(g[0]))
    assert seen == sorted(len(e.input_ids) for e in examples)  # every example once, whole (520 alone)
    assert sum(len(g[0]) for g in groups) == sum(len(r) for r in rows)
    assert cpu.micro_batches(rows, "cuda:0") == [rows]
