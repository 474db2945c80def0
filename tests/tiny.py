"""Tiny random chat models built in the test from a config: no download, no files shipped.

``make_tiny_model(folder)`` writes a 2-layer Qwen2 (or Llama) model with random
weights, a byte-level BPE tokenizer trained on a few sentences, and a ChatML chat
template, in the same layout as a real model folder.
"""

from __future__ import annotations

from pathlib import Path

CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

_CORPUS = [
    "What does CKD-EPI estimate? It estimates the glomerular filtration rate from serum creatinine.",
    "Atrial fibrillation (AF) is an irregular heart rhythm. 心房颤动 房颤 是一种心律失常。",
    "A tort is a civil wrong. Force majeure excuses performance. 不可抗力 侵权 合同",
    "EBITDA means earnings before interest, taxes, depreciation and amortization. 市盈率",
    "The quick brown fox jumps over the lazy dog. 0123456789 ,.;:!?()[]{}'\"-+*/=<>",
]


def make_tokenizer(vocab_size: int = 512):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token=None,
    )
    fast.chat_template = CHATML
    return fast


def make_tiny_model(folder: Path, *, arch: str = "qwen2", layers: int = 2, hidden: int = 64, seed: int = 0) -> Path:
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tok = make_tokenizer()
    cls = Qwen2Config if arch == "qwen2" else LlamaConfig
    cfg = cls(
        vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(cfg)
    model.save_pretrained(folder, safe_serialization=True)
    tok.save_pretrained(folder)
    return folder


def varied_weights(model, seed: int = 0) -> None:
    """Weights large enough that a tiny random model does not just repeat its input (so drafts
    from the prompt fail and greedy decoding takes varied paths)."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen) * 1.5 / p.shape[1] ** 0.5)
