"""From reviewed chat pairs to packed training rows.

``encode_pair`` renders a pair through the model's chat template and marks which
tokens are the assistant's answer (the only tokens the loss counts). It finds the
answer by rendering the conversation with and without it: the prompt rendering is a
prefix of the full one for every common template, and a fast tokenizer's character
offsets tell which tokens lie past that prefix, so no template needs generation tags.

``pack`` places examples into rows of at most ``max_seq_len`` tokens. Each example
keeps its own position ids (restarting at 0), which is how the model's attention
code recognises packed rows and keeps examples from seeing each other. Labels are
shifted inside each example, so no token is ever trained to predict the first token
of the next example. Knows nothing of Qt.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from desktop.errors import TrainingError

IGNORE = -100


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]  # already shifted: labels[t] is the target for the token after input_ids[t], or -100
    pair_id: str = ""

    @property
    def n_targets(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)


@dataclass
class Row:
    input_ids: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    position_ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.input_ids)


def _render(tokenizer, messages: list[dict], *, add_generation_prompt: bool) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)


def encode_pair(tokenizer, messages: list[dict], *, max_seq_len: int, pair_id: str = "") -> Example | None:
    """Token ids and shifted labels for one conversation; None if no answer token fits in ``max_seq_len``."""
    if not messages or messages[-1].get("role") != "assistant":
        raise TrainingError.of("A training pair must end with the assistant's answer.")
    answer = str(messages[-1].get("content", ""))
    full = _render(tokenizer, messages, add_generation_prompt=False)
    prompt = _render(tokenizer, messages[:-1], add_generation_prompt=True)
    if full.startswith(prompt):
        start = len(prompt)
    else:  # a template that rewrites earlier turns: find the answer itself
        start = full.rfind(answer) if answer else -1
        if start < 0:
            raise TrainingError.of("The model's chat template does not reproduce the answer text; it cannot be trained on.")
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(enc["input_ids"])
    offsets = enc["offset_mapping"]
    # the answer ends with the end-of-turn token: the model must learn to stop there
    eos_ids = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    target = [False] * len(ids)
    for i, (_s, e) in enumerate(offsets):
        target[i] = e > start
    # drop what the template adds after the end-of-turn token (a newline): not the answer
    last = None
    for i in range(len(ids)):
        if target[i] and ids[i] in eos_ids:
            last = i
            break
    if last is not None:
        for i in range(last + 1, len(ids)):
            target[i] = False
    if len(ids) > max_seq_len:
        ids, target = ids[:max_seq_len], target[:max_seq_len]
    # shift: the token at t is trained to predict the token at t + 1
    labels = [ids[t + 1] if target[t + 1] else IGNORE for t in range(len(ids) - 1)] + [IGNORE]
    if not any(x != IGNORE for x in labels):
        return None
    return Example(input_ids=ids, labels=labels, pair_id=pair_id)


def encode_pairs(tokenizer, pairs: list[dict[str, Any]], *, max_seq_len: int) -> tuple[list[Example], int]:
    """Encode every pair; returns the examples and how many were too long to keep any answer token."""
    out, skipped = [], 0
    for p in pairs:
        ex = encode_pair(tokenizer, p["messages"], max_seq_len=max_seq_len, pair_id=str(p.get("id", "")))
        if ex is None:
            skipped += 1
        else:
            out.append(ex)
    return out, skipped


def pack(examples: list[Example], *, max_seq_len: int, packing: bool = True) -> list[Row]:
    """Rows of at most ``max_seq_len`` tokens (first-fit decreasing); one example a row without packing."""
    if not packing:
        return [Row(list(e.input_ids), list(e.labels), list(range(len(e.input_ids)))) for e in examples]
    order = sorted(range(len(examples)), key=lambda i: (-len(examples[i].input_ids), i))
    rows: list[Row] = []
    for i in order:
        e = examples[i]
        n = len(e.input_ids)
        for row in rows:
            if len(row) + n <= max_seq_len:
                break
        else:
            row = Row()
            rows.append(row)
        row.input_ids.extend(e.input_ids)
        row.labels.extend(e.labels)
        row.position_ids.extend(range(n))
    return rows


def epoch_order(n_rows: int, *, seed: int, epoch: int) -> list[int]:
    """The order of rows in one epoch: a function of seed and epoch only, so a resumed run replays it."""
    order = list(range(n_rows))
    random.Random(f"{seed}:{epoch}").shuffle(order)
    return order


def collate(rows: list[Row], *, pad_id: int, device: str):
    """Tensors for a batch of rows, right-padded to the longest row.

    Padding gets its own restarting position ids and no targets; because attention is
    causal, no real token ever attends to the padding that follows it.
    """
    import torch

    width = max(len(r) for r in rows)
    ids, labels, pos = [], [], []
    for r in rows:
        pad = width - len(r)
        ids.append(r.input_ids + [pad_id] * pad)
        labels.append(r.labels + [IGNORE] * pad)
        pos.append(r.position_ids + list(range(pad)))
    as_t = lambda x: torch.tensor(x, dtype=torch.long, device=device)  # noqa: E731
    return as_t(ids), as_t(labels), as_t(pos)


def select_pairs(pairs: list[dict]) -> list[dict]:
    """The pairs that train: never a rejected one; only the accepted ones once any pair is accepted.

    A set straight from the review carries its marks; a hand-written file without any
    "status" trains whole.
    """
    kept = [p for p in pairs if p.get("status", "pending") != "rejected"]
    if any(p.get("status") == "accepted" for p in kept):
        kept = [p for p in kept if p.get("status") == "accepted"]
    return kept


def split(pairs: list[dict], *, val_fraction: float, seed: int) -> tuple[list[dict], list[dict]]:
    """A held-out share of the pairs (at least one, when there are at least ten), chosen by seed."""
    if val_fraction <= 0 or len(pairs) < 10:
        return list(pairs), []
    idx = list(range(len(pairs)))
    random.Random(f"split:{seed}").shuffle(idx)
    n_val = max(1, int(round(len(pairs) * val_fraction)))
    val = set(idx[:n_val])
    return [p for i, p in enumerate(pairs) if i not in val], [p for i, p in enumerate(pairs) if i in val]
