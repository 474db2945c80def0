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
