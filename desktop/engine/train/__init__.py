"""LoRA training of a loaded model on reviewed glossary pairs.

``train(lm, pairs, config=..., out_name=...)`` wraps the loaded model with PEFT LoRA
layers, trains them on packed rows with the loss on answer tokens only, reports a
``TrainProgress`` after every step, checks ``should_stop`` before every step, writes a checkpoint at the end of every epoch and on
cancel (``adapters/.checkpoints/NAME/``), resumes from it when asked, reports held-out
loss each epoch, and finally saves the adapter (``adapters/NAME/``) with its metadata.
The LoRA layers are removed again before it returns, whatever happened, so the same
``LoadedModel`` answers questions afterwards; an adapter merged before training is
taken out for the run and merged back after.

On CUDA with Liger kernels installed, the output layer and cross-entropy are fused and
RMSNorm, SwiGLU and RoPE use Liger's kernels (see ``loss``); elsewhere the plain code
runs. On a CPU with bfloat16 units the arithmetic runs in bfloat16 over float32 weights, a
group of rows at a time, and the run's memory is given back to the system at the end
(``cpu``). Started with ``accelerate launch`` on several processes, each process trains on
its share of every batch, the LoRA gradients are averaged across them, and only the
first process writes files or reports progress.

A plain function with callbacks: it runs on the caller's thread (the model thread in
the app) and knows nothing of Qt.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
import warnings
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable

from desktop import log
from desktop.engine import offline as _offline  # noqa: F401
from desktop.engine.models import LoadedModel
from desktop.engine.train import checkpoint
from desktop.engine.train.cpu import autocast, micro_batches, release_memory, step_dtype
from desktop.engine.train.group import ProcessGroup
from desktop.engine.train.data import IGNORE, Row, collate, encode_pairs, epoch_order, pack, select_pairs, split
from desktop.engine.train.loss import liger_available, liger_kernels, token_loss
from desktop.errors import OutOfGpuMemory, TrainingError, phrase

_log = log.get("train")


# what must match for a checkpoint to be resumed: every setting that changes the results or the
# memory a run needs (a resume from the command line or the window takes them from the checkpoint)
_RESUME_KEYS = ("rank", "alpha", "dropout", "target_modules", "lr", "batch_size", "epochs", "max_steps",
                "max_seq_len", "val_fraction", "seed", "packing", "warmup_ratio", "weight_decay", "grad_clip",
                "save_every_steps", "gradient_checkpointing", "fused_kernels", "cpu_bf16")


@dataclass
class TrainConfig:
    """LoRA training settings. Each field's help text is shown beside it in the app."""

    rank: int = field(default=16, metadata={"help": "LoRA rank: the size of the learned update. Higher learns more "
                                                    "and takes more memory; 8-32 suits a glossary."})
    alpha: float = field(default=32.0, metadata={"help": "LoRA alpha: the update is scaled by alpha / rank. "
                                                         "Twice the rank is the usual choice."})
    dropout: float = field(default=0.05, metadata={"help": "Share of the LoRA inputs dropped while training, "
                                                           "against memorising. 0 trains a little faster."})
    target_modules: tuple[str, ...] = field(default=("q_proj", "k_proj", "v_proj", "o_proj"), metadata={
        "help": "Which layers get a LoRA update: the attention's query, key, value and output projections."})
    lr: float = field(default=2e-4, metadata={"help": "Learning rate of the AdamW optimiser (peak, after warm-up)."})
    weight_decay: float = field(default=0.0, metadata={"help": "AdamW weight decay on the LoRA weights."})
    warmup_ratio: float = field(default=0.03, metadata={"help": "Share of the steps over which the learning rate "
                                                                "rises from 0; it then falls along a cosine."})
    batch_size: int = field(default=4, metadata={"help": "Rows per step (per GPU). Each row packs several pairs."})
    epochs: int = field(default=3, metadata={"help": "Passes over the training pairs."})
    max_steps: int | None = field(default=None, metadata={"help": "Stop after this many steps (empty: all epochs)."})
    max_seq_len: int = field(default=1024, metadata={"help": "Tokens per row; longer pairs are cut."})
    val_fraction: float = field(default=0.1, metadata={"help": "Share of the pairs held out to measure loss on "
                                                               "pairs the adapter did not train on."})
    seed: int = field(default=0, metadata={"help": "Fixes the split, the order and the initial weights, "
                                                   "so a run can be repeated."})
    gradient_checkpointing: bool = field(default=False, metadata={
        "help": "Recompute activations in the backward pass: less memory, about a third slower."})
    packing: bool = field(default=True, metadata={"help": "Put several short pairs into one row (they cannot see "
                                                          "each other): much faster on short Q&A pairs."})
    grad_clip: float = field(default=1.0, metadata={"help": "Largest gradient norm; steadies training."})
    save_every_steps: int = field(default=0, metadata={"help": "Also checkpoint every N steps (0: each epoch only)."})
    fused_kernels: bool = field(default=True, metadata={"help": "On a GPU, use Liger kernels when installed "
                                                                "(fused output layer and loss): less memory, faster."})
    cpu_bf16: bool = field(default=True, metadata={"help": "On a CPU with bfloat16 units (AMX, AVX-512 BF16), compute "
                                                           "in bfloat16 (weights stay float32): several times faster."})

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["target_modules"] = list(self.target_modules)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        if "target_modules" in kw:
            kw["target_modules"] = tuple(kw["target_modules"])
        return cls(**kw)


@dataclass
class TrainProgress:
    """What a person watching the run sees after each step."""

    step: int  # steps done, resumed ones included
    total: int
    epoch: int  # the epoch this step belongs to, from 1
    epochs: int
    steps_per_epoch: int
    loss: float  # training loss of this step
    tokens_per_s: float
    eta_s: float
    val_losses: list[float]  # held-out loss at the end of each epoch so far
    resumed_from: int  # the step this run resumed at (0: a fresh start)
    history: list[float] = field(default_factory=list)  # first report only: the losses of the steps resumed

    @property
    def val_loss(self) -> float | None:
        return self.val_losses[-1] if self.val_losses else None

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 1.0


ProgressFn = Callable[[TrainProgress], None]


def check_config(config: TrainConfig) -> None:
    """``TrainingError`` naming the first setting out of range; nothing is loaded or changed."""
    problems = (
        (config.rank < 1, phrase("the LoRA rank must be at least 1")),
        (config.alpha <= 0, phrase("LoRA alpha must be above 0")),
        (not 0 <= config.dropout < 1, phrase("dropout must be from 0 up to (not including) 1")),
        (not [m for m in config.target_modules if str(m).strip()], phrase("name at least one target layer")),
        (not 0 < config.lr <= 1, phrase("the learning rate must be above 0 and at most 1")),
        (config.weight_decay < 0, phrase("weight decay cannot be negative")),
        (not 0 <= config.warmup_ratio < 1, phrase("the warm-up share must be from 0 up to 1")),
        (config.batch_size < 1, phrase("the batch size must be at least 1")),
        (config.epochs < 0, phrase("the number of epochs cannot be negative")),
        (config.max_steps is not None and config.max_steps < 0, phrase("the step limit cannot be negative")),
        (not config.epochs and not config.max_steps, phrase("set at least one epoch or a step limit")),
        (config.max_seq_len < 8, phrase("the sequence length must be at least 8 tokens")),
        (not 0 <= config.val_fraction <= 0.5, phrase("the held-out share must be from 0 to 0.5")),
        (config.grad_clip < 0, phrase("the gradient clip cannot be negative")),
        (config.save_every_steps < 0, phrase("the checkpoint interval cannot be negative")),
    )
    for bad, what in problems:
        if bad:
            raise TrainingError.of("The training settings cannot be used: {what}.", what=what)


@dataclass
class TrainResult:
    name: str
    adapter_dir: str | None  # None when the run was stopped before the end
    steps: int
    total_steps: int
    stopped: bool
    resumed_from_step: int
    train_loss: float | None
    val_loss: float | None
    val_losses: list[float]
    losses: list[float]  # training loss of every step, resumed steps included
    tokens_per_s: float
    time_s: float
    n_train_pairs: int
    n_val_pairs: int
    skipped_pairs: int
    fused: bool


def pairs_hash(pairs: list[dict]) -> str:
    """Identity of the training data: the messages of the pairs, in order."""
    h = hashlib.sha256()
    for p in pairs:
        h.update(json.dumps(p["messages"], ensure_ascii=False, sort_keys=True).encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


class _Schedule:
    """Linear warm-up, then cosine decay to zero; its whole state is the step."""

    def __init__(self, optimizer, *, lr: float, warmup: int, total: int) -> None:
        self.optimizer, self.lr, self.warmup, self.total = optimizer, lr, warmup, max(1, total)

    def factor(self, step: int) -> float:
        if self.warmup and step < self.warmup:
            return (step + 1) / (self.warmup + 1)
        progress = (step - self.warmup) / max(1, self.total - self.warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    def set(self, step: int) -> None:
        for g in self.optimizer.param_groups:
            g["lr"] = self.lr * self.factor(step)

    def state_dict(self) -> dict[str, Any]:
        return {"kind": "warmup-cosine", "lr": self.lr, "warmup": self.warmup, "total": self.total}


def _lora_config(config: TrainConfig):
    from peft import LoraConfig

    return LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                      target_modules=list(config.target_modules), bias="none", task_type="CAUSAL_LM")


def _rows_for_step(rows: list[Row], order: list[int], step_in_epoch: int, *, batch: int, world: int,
                   rank: int) -> list[Row]:
    """This process's rows for one step. The last step of an epoch may be short; a process left with
    no row then runs one row without targets, so that it takes part in the step's exchanges while
    adding nothing to the loss or the gradients: N processes train exactly as one does."""
    start = step_in_epoch * batch * world + rank * batch
    mine = [rows[order[j]] for j in range(start, min(start + batch, len(order)))]
    if mine:
        return mine
    filler = rows[order[0]]
    return [Row(filler.input_ids, [IGNORE] * len(filler), filler.position_ids)]


def _one_step(model, rows: list[Row], *, params, optimizer, config: TrainConfig, pad_id: int, device: str,
              fused: bool, dist: ProcessGroup, compute: str) -> float:
    """Forward, backward and update on one batch; the batch's tensors die with this frame."""
    import torch

    n_local = sum(1 for r in rows for x in r.labels if x != IGNORE)
    n_all = dist.all_sum(torch.tensor(float(n_local), device=device)).clamp(min=1)
    total = torch.zeros((), device=device)
    for group in micro_batches(rows, device):
        ids, labels, pos = collate(group, pad_id=pad_id, device=device)
        has_targets = any(x != IGNORE for r in group for x in r.labels)
        with autocast(compute, device):
            loss_sum, _n = token_loss(model, ids, labels, pos, fused=fused and has_targets)
        loss = loss_sum * dist.world / n_all
        loss.backward()
        total += loss.detach().float()
        del ids, labels, pos, loss_sum, loss
    dist.average_grads(params)
    if config.grad_clip:
        torch.nn.utils.clip_grad_norm_(params, config.grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    # the mean over every process's target tokens: each process adds its own share
    return float(dist.all_sum(total.reshape(1) / dist.world))


@dataclass
class _Run:
    rows: list[Row]
    val_rows: list[Row]
    steps_per_epoch: int
    total: int


def _plan(lm: LoadedModel, train_pairs: list[dict], val_pairs: list[dict], config: TrainConfig,
          world: int) -> tuple[_Run, int]:
    max_len = min(config.max_seq_len, lm.context_length)
    examples, skipped = encode_pairs(lm.tokenizer, train_pairs, max_seq_len=max_len)
    val_examples, skipped_val = encode_pairs(lm.tokenizer, val_pairs, max_seq_len=max_len)
    if not examples:
        raise TrainingError.of("None of the training pairs has an answer that fits the sequence length; "
                               "raise 'max sequence length'.")
    rows = pack(examples, max_seq_len=max_len, packing=config.packing)
    val_rows = pack(val_examples, max_seq_len=max_len, packing=config.packing)
    steps_per_epoch = max(1, math.ceil(len(rows) / (config.batch_size * world)))
    total = steps_per_epoch * config.epochs
    if config.max_steps:
        total = min(total, config.max_steps) if config.epochs else config.max_steps
    return _Run(rows, val_rows, steps_per_epoch, max(1, total)), skipped + skipped_val


def _evaluate(model, rows: list[Row], *, config: TrainConfig, pad_id: int, device: str, fused: bool,
              dist: ProcessGroup, compute: str) -> float | None:
    import torch

    if not rows:
        return None
    model.eval()
    total = torch.zeros(2, device=device)
    with torch.no_grad(), autocast(compute, device):
        for i in range(dist.rank * config.batch_size, len(rows), config.batch_size * dist.world):
            ids, labels, pos = collate(rows[i:i + config.batch_size], pad_id=pad_id, device=device)
            loss_sum, n = token_loss(model, ids, labels, pos, fused=fused)
            total += torch.stack([loss_sum.float(), n])
    model.train()
    dist.all_sum(total)
    return float(total[0] / total[1].clamp(min=1))


def _same_run(meta: dict[str, Any], identity: dict[str, Any]) -> bool:
    """Whether a checkpoint's record is this run's; a setting an older checkpoint did not record
    counts as its default (what that run used)."""
    saved = dict(meta.get("config") or {})
    defaults = TrainConfig().to_dict()
    saved = {k: saved.get(k, defaults[k]) for k in _RESUME_KEYS}
    return {k: meta.get(k) for k in identity if k != "config"} == {k: v for k, v in identity.items() if k != "config"} \
        and saved == identity["config"]


def train(lm: LoadedModel, pairs: list[dict], *, config: TrainConfig | None = None, out_name: str,
          on_progress: ProgressFn | None = None, should_stop: Callable[[], bool] | None = None,
          resume: bool = True, glossary_version: int | None = None) -> TrainResult:
    """Train a LoRA adapter named ``out_name`` on ``pairs`` (each with "messages"); see the module docstring."""
    import torch

    from desktop.engine import adapters

    config = config or TrainConfig()
    name = adapters.check_name(out_name)
    if getattr(lm, "weights", "full") != "full":
        raise TrainingError.of("Training needs the model's full-precision weights, and this model is loaded with "
                               "8-bit weights; load it with full-precision weights in the Model manager to train. "
                               "The adapter then works with 8-bit weights too.")
    pairs = select_pairs(pairs)
    if not pairs:
        raise TrainingError.of("There are no training pairs; accept some pairs in the review first.")
    check_config(config)
    stop = should_stop or (lambda: False)
    report = on_progress or (lambda _p: None)
    dist = ProcessGroup(lm.device)
    device = lm.device
    pad_id = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else (lm.tokenizer.eos_token_id or 0)
    fused = bool(config.fused_kernels and device.startswith("cuda") and liger_available())
    compute = step_dtype(lm.model, device, enabled=config.cpu_bf16)

    train_pairs, val_pairs = split(pairs, val_fraction=config.val_fraction, seed=config.seed)
    run, skipped = _plan(lm, train_pairs, val_pairs, config, dist.world)
    data_hash = pairs_hash(train_pairs)
    identity = {"data_hash": data_hash, "base_fingerprint": lm.fingerprint,
                "config": {k: config.to_dict()[k] for k in _RESUME_KEYS}}

    previous_adapter = lm.adapter
    adapters.remove_adapter(lm)
    model = lm.model
    peft_model = optimizer = schedule = params = None
    t_start = time.perf_counter()
    out_of_memory = False
    try:
        from peft import get_peft_model
        from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict

        torch.manual_seed(config.seed)
        random.seed(config.seed)
        try:
            with warnings.catch_warnings():  # PEFT asks transformers 5 a question under its old name
                warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
                peft_model = get_peft_model(model, _lora_config(config))
        except ValueError as exc:  # PEFT names the target layers it did not find
            raise TrainingError.of(
                "The model has no layers named {layers} to train; "
                "choose target layers this model has (for most chat models: q_proj, k_proj, v_proj, o_proj).",
                layers=", ".join(config.target_modules)
            ) from exc
        if config.gradient_checkpointing:
            peft_model.get_base_model().gradient_checkpointing_enable(
                gradient_checkpointing_kwargs={"use_reentrant": False})
        params = [p for p in peft_model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay,
                                      fused=device.startswith("cuda"))
        schedule = _Schedule(optimizer, lr=config.lr, warmup=int(run.total * config.warmup_ratio), total=run.total)

        step, losses, val_losses, resumed_from = 0, [], [], 0
        meta = checkpoint.read_meta(name) if resume else None
        if meta is not None and _same_run(meta, identity):
            weights, meta = checkpoint.load(name, optimizer=optimizer, device=device)
            set_peft_model_state_dict(peft_model, weights)
            step = resumed_from = int(meta["step"])
            losses, val_losses = list(meta.get("losses", [])), list(meta.get("val_losses", []))
            _log.info("resuming '%s' at step %d of %d", name, step, run.total)
        elif meta is not None:
            _log.info("checkpoint of '%s' was made from other data or settings; starting afresh", name)

        def save_checkpoint() -> None:
            if dist.main:
                checkpoint.save(name, trainable=get_peft_model_state_dict(peft_model), optimizer=optimizer,
                                meta={**identity, "step": step, "total": run.total, "losses": losses,
                                      "val_losses": val_losses, "schedule": schedule.state_dict()})
            dist.barrier()

        peft_model.train()
        stopped = False
        history = list(losses)
        tokens_done, t_loop = 0, time.perf_counter()
        order, order_epoch = [], -1
        with liger_kernels(peft_model, enabled=fused):
            while step < run.total:
                if dist.any(stop(), device):
                    stopped = True
                    break
                epoch, in_epoch = divmod(step, run.steps_per_epoch)
                if order_epoch != epoch:
                    order, order_epoch = epoch_order(len(run.rows), seed=config.seed, epoch=epoch), epoch
                batch = _rows_for_step(run.rows, order, in_epoch, batch=config.batch_size, world=dist.world,
                                       rank=dist.rank)
                schedule.set(step)
                value = _one_step(peft_model, batch, params=params, optimizer=optimizer, config=config,
                                  pad_id=pad_id, device=device, fused=fused, dist=dist, compute=compute)
                step += 1
                losses.append(value)
                tokens_done += sum(len(r) for r in batch) * dist.world
                epoch_end = step % run.steps_per_epoch == 0 or step == run.total
                if epoch_end:
                    v = _evaluate(peft_model, run.val_rows, config=config, pad_id=pad_id, device=device,
                                  fused=fused, dist=dist, compute=compute)
                    if v is not None:
                        val_losses.append(v)
                elapsed = time.perf_counter() - t_loop
                tok_s = tokens_done / elapsed if elapsed > 0 else 0.0
                eta = elapsed / (step - resumed_from) * (run.total - step)
                if dist.main:
                    report(TrainProgress(step=step, total=run.total, epoch=epoch + 1,
                                         epochs=math.ceil(run.total / run.steps_per_epoch),
                                         steps_per_epoch=run.steps_per_epoch, loss=value,
                                         tokens_per_s=tok_s, eta_s=eta, val_losses=list(val_losses),
                                         resumed_from=resumed_from, history=history))
                    history = []
                if epoch_end:
                    if step < run.total:
                        save_checkpoint()
                elif config.save_every_steps and step % config.save_every_steps == 0:
                    save_checkpoint()
            if stopped or (step < run.total):
                save_checkpoint()
        elapsed = time.perf_counter() - t_loop
        tok_s = tokens_done / elapsed if elapsed > 0 and tokens_done else 0.0
        tail = losses[-max(1, run.steps_per_epoch):]
        result = TrainResult(
            name=name, adapter_dir=None, steps=step, total_steps=run.total, stopped=stopped,
            resumed_from_step=resumed_from, train_loss=sum(tail) / len(tail) if tail else None,
            val_loss=val_losses[-1] if val_losses else None, val_losses=val_losses, losses=losses,
            tokens_per_s=tok_s, time_s=time.perf_counter() - t_start, n_train_pairs=len(train_pairs),
            n_val_pairs=len(val_pairs), skipped_pairs=skipped, fused=fused,
        )
        if not stopped and dist.main:
            concept_ids = sorted({p["concept_id"] for p in train_pairs if p.get("concept_id") is not None},
                                 key=lambda x: (isinstance(x, str), x))
            lora_cfg = peft_model.peft_config["default"].to_dict()
            lora_cfg["base_model_name_or_path"] = lm.info.name
            folder = adapters.save_adapter(
                name, weights=get_peft_model_state_dict(peft_model), lora_config=lora_cfg,
                meta={
                    "base_model": lm.info.name, "base_model_type": lm.info.model_type,
                    "base_fingerprint": lm.fingerprint, "glossary_version": glossary_version,
                    "data_hash": data_hash, "concept_ids": concept_ids,
                    "pair_ids": [p.get("id") for p in train_pairs], "n_pairs": len(train_pairs),
                    "config": config.to_dict(),
                    "metrics": {"train_loss": result.train_loss, "val_loss": result.val_loss,
                                "val_losses": val_losses, "tokens_per_s": round(tok_s, 1),
                                "time_s": round(result.time_s, 2), "steps": step,
                                "resumed_from_step": resumed_from, "fused_kernels": fused,
                                "compute_dtype": compute},
                },
            )
            result.adapter_dir = str(folder)
            checkpoint.discard(name)
        dist.barrier()
        return result
    except torch.cuda.OutOfMemoryError:
        out_of_memory = True  # raised below, once the failed step's tensors are gone
    finally:
        optimizer = schedule = params = None  # noqa: F841 - drop the optimizer state before releasing memory
        if peft_model is not None:
            if config.gradient_checkpointing:
                peft_model.get_base_model().gradient_checkpointing_disable()
            lm.model = peft_model.unload()
            peft_model = None
        lm.model.eval()
        release_memory(device)  # the peft wrappers and optimizer state hold cycles; then the allocator's pages
        if previous_adapter:
            try:
                adapters.apply_adapter(lm, previous_adapter)
            except Exception as exc:  # noqa: BLE001 - the training result matters more than re-merging
                _log.warning("could not re-apply adapter after training (%s)", type(exc).__name__)
    if out_of_memory:
        raise OutOfGpuMemory.of(
            "The GPU ran out of memory while training; training stopped and its memory was released. "
            "Lower the batch size or the maximum sequence length, or turn on gradient checkpointing."
        )
    raise TrainingError.of("Training ended without a result.")  # not reached: the try block returns or raises
