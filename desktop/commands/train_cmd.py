"""``main.py train``: train a LoRA adapter on reviewed Q&A pairs, headless.

    python main.py train --data pairs.jsonl --out NAME [--epochs N --max-steps N --lr X --rank R ...]
    python main.py train --from-review --out NAME          # the pairs accepted on the Training data page
    accelerate launch --num_processes N main.py train ...  # data parallel over N GPUs of one host

Progress goes to stderr, one line a second at most (and at every epoch's end); the
result goes to stdout (``--json`` for one JSON object). Ctrl-C stops after the current
step and keeps a checkpoint that ``--resume`` continues. Started by ``accelerate
launch``, every process loads the model onto its own GPU and trains on its share of
each batch; only the first process writes files or prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import MISSING, fields

from desktop.commands.interrupt import StopOnInterrupt
from glossary.errors import TermLensError

# option -> TrainConfig field; their help texts are the engine's
OPTIONS = {
    "--rank": "rank", "--alpha": "alpha", "--dropout": "dropout", "--targets": "target_modules", "--lr": "lr",
    "--weight-decay": "weight_decay", "--warmup-ratio": "warmup_ratio", "--batch": "batch_size",
    "--epochs": "epochs", "--max-steps": "max_steps", "--max-seq-len": "max_seq_len",
    "--val-fraction": "val_fraction", "--seed": "seed", "--grad-clip": "grad_clip",
    "--save-every": "save_every_steps",
}
SWITCHES = {  # option -> (field, value it sets)
    "--gradient-checkpointing": ("gradient_checkpointing", True),
    "--no-packing": ("packing", False),
    "--no-fused-kernels": ("fused_kernels", False),
    "--no-cpu-bf16": ("cpu_bf16", False),
}
SWITCH_HELP = {  # a switch that turns a setting off says what it does, not what the setting does
    "--no-packing": "Train one pair a row instead of packing several short pairs into one (much slower on short "
                    "Q&A pairs; the default packs them).",
    "--no-fused-kernels": "Do not use the Liger fused output layer and loss on a GPU (more memory, slower; the "
                          "default uses them when installed).",
    "--no-cpu-bf16": "On a CPU, compute in float32 throughout (several times slower where the CPU has bfloat16 "
                     "units; the default uses bfloat16 arithmetic there, the weights staying float32).",
}


def _rank() -> tuple[int, int, int]:
    """(rank, local rank, world size) of this process; (0, 0, 1) unless started by a launcher."""
    env = os.environ
    return int(env.get("RANK", "0")), int(env.get("LOCAL_RANK", "0")), int(env.get("WORLD_SIZE", "1"))


def register(sub: argparse._SubParsersAction) -> None:
    from desktop.engine.train import TrainConfig

    p = sub.add_parser("train", help="train a LoRA adapter on reviewed question-answer pairs",
                       description="Train a LoRA adapter on reviewed question-answer pairs. Defaults: r=16, "
                                   "alpha=32, dropout 0.05, q/k/v/o projections, AdamW at 2e-4, batch 4, 3 epochs.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", metavar="FILE", help="pairs as JSONL, one {\"messages\": [...]} a line (rejected "
                                                    "pairs are skipped; if any pair is accepted, only those train)")
    src.add_argument("--from-review", action="store_true", help="the pairs accepted on the Training data page")
    p.add_argument("--out", metavar="NAME", required=True, help="adapter name: it is saved in adapters/NAME")
    p.add_argument("--model", metavar="DIR", help="base model folder (default: the model in the settings, else "
                                                  "the embedded default model)")
    p.add_argument("--device", help="cpu, cuda or cuda:N (default: the GPU when there is one)")
    p.add_argument("--resume", action="store_true", help="continue the stopped run of NAME from its checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace an adapter NAME that exists already")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    g = p.add_argument_group("training settings")
    by_name = {f.name: f for f in fields(TrainConfig)}
    for opt, name in OPTIONS.items():
        f = by_name[name]
        default = f.default if f.default is not MISSING else None
        kind = {"rank": int, "batch_size": int, "epochs": int, "max_steps": int, "max_seq_len": int, "seed": int,
                "save_every_steps": int, "target_modules": str}.get(name, float)
        shown = ",".join(default) if isinstance(default, tuple) else default
        metavar = "LAYERS" if name == "target_modules" else ("N" if kind is int else "X")
        g.add_argument(opt, dest=name, type=kind, default=None, metavar=metavar,
                       help=f"{f.metadata.get('help', '')} (default: {shown if shown is not None else 'none'})")
    for opt, (name, value) in SWITCHES.items():
        g.add_argument(opt, dest=name, action="store_const", const=value, default=None,
                       help=SWITCH_HELP.get(opt) or by_name[name].metadata.get("help", ""))
    p.set_defaults(func=run)


def _config(args: argparse.Namespace, base: dict | None = None):
    """The settings: ``base`` (a stopped run's, when resuming), then every option given."""
    from desktop.engine.train import TrainConfig, check_config

    values = dict(base or {})
    for name in list(OPTIONS.values()) + [n for n, _v in SWITCHES.values()]:
        v = getattr(args, name, None)
        if v is None:
            continue
        if name == "target_modules":
            v = tuple(x.strip() for x in str(v).split(",") if x.strip())
        values[name] = v
    config = TrainConfig.from_dict(values)
    check_config(config)
    return config


def _pairs(args: argparse.Namespace) -> tuple[list[dict], int | None, str]:
    """(pairs, glossary version, where they came from)."""
    if args.from_review:
        from desktop.storage import trainingset
        from desktop.storage.appdata import open_glossary

        pairs = trainingset.accepted()
        if not pairs:
            raise TermLensError("No pairs are accepted yet: review the pairs on the Training data page first.")
        store = open_glossary()
        try:
            version = store.version()
        finally:
            store.close()
        return pairs, version, "the reviewed pairs"
    from glossary import dataset

    return dataset.read_jsonl(args.data), None, os.path.basename(args.data)


def _clock(seconds: float) -> str:
    s = int(max(0, round(seconds)))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _printer(talk: bool, *, resuming: bool):
    """Progress lines on stderr: the first and last step, each epoch's end, else at most one a second."""
    state = {"last": 0.0, "epochs": 0, "first": True}

    def show(p) -> None:
        now = time.monotonic()
        if talk and state["first"]:
            if p.resumed_from:
                print(f"Resuming at step {p.resumed_from} of {p.total}", file=sys.stderr)
            elif resuming:
                print("note: the checkpoint was made from other pairs or settings; training afresh",
                      file=sys.stderr)
        state["first"] = False
        epoch_end = len(p.val_losses) > state["epochs"] or p.step % p.steps_per_epoch == 0
        state["epochs"] = len(p.val_losses)
        if not talk or not (p.step == p.resumed_from + 1 or p.step == p.total or epoch_end
                            or now - state["last"] >= 1.0):
            return
        state["last"] = now
        val = f"  held-out {p.val_loss:.4f}" if p.val_loss is not None else ""
        print(f"step {p.step}/{p.total}  epoch {p.epoch}/{p.epochs}  loss {p.loss:.4f}{val}  "
              f"{p.tokens_per_s:,.0f} tok/s  ETA {_clock(p.eta_s)}", file=sys.stderr, flush=True)

    return show


def run(args: argparse.Namespace) -> int:
    from desktop.storage import config as app_config
    from desktop import paths
    from desktop.engine import adapters, train
    from desktop.engine.train import checkpoint
    from desktop.errors import AdapterError, ModelLoadError, TrainingError

    rank, local_rank, world = _rank()
    talk = rank == 0
    name = adapters.check_name(args.out)
    stopped = checkpoint.read_meta(name)
    # resuming takes the stopped run's settings, so that only the options given anew change them
    cfg = _config(args, stopped.get("config") if args.resume and stopped else None)
    pairs, version, source = _pairs(args)
    pairs = train.select_pairs(pairs)
    if not pairs:
        raise TrainingError(f"There are no training pairs in {source} (rejected pairs never train).")
    if adapters.adapter_dir(name).exists() and not args.overwrite:
        raise AdapterError(f"An adapter named '{name}' exists already; choose another --out, or add --overwrite "
                           "to replace it.")
    if talk and stopped and not args.resume:
        print(f"note: a stopped run of '{name}' (step {stopped.get('step')}) is replaced by this fresh run; add "
              "--resume to continue it instead", file=sys.stderr)
    if talk and args.resume and not stopped:
        print(f"note: there is no stopped run of '{name}'; starting afresh", file=sys.stderr)

    settings = app_config.load()
    model_dir = args.model or settings.model_path or str(paths.default_model_dir())
    if not args.model and not settings.model_path and not (paths.default_model_dir() / "config.json").is_file():
        raise ModelLoadError("The default model is not installed yet. Run: python main.py models fetch-default")
    device = args.device
    if world > 1 and not device:
        import torch

        if torch.cuda.is_available():
            device = f"cuda:{local_rank}"
            torch.cuda.set_device(local_rank)
        else:
            device = "cpu"
    from desktop.engine import models

    if talk:
        print(f"Loading {os.path.basename(os.path.normpath(model_dir))}…", file=sys.stderr, flush=True)
    lm = models.load_model(model_dir, device=device, fast=False)
    if talk:
        print(f"Training '{name}' on {len(pairs)} pairs from {source} ({lm.device}, {lm.dtype}"
              f"{f', {world} processes' if world > 1 else ''})", file=sys.stderr, flush=True)
    try:
        with StopOnInterrupt("Stopping after the current step (Ctrl-C again to quit now)…" if talk else None) as interrupt:
            result = train.train(lm, pairs, config=cfg, out_name=name,
                                 on_progress=_printer(talk, resuming=bool(args.resume and stopped)),
                                 should_stop=interrupt.event.is_set, resume=args.resume, glossary_version=version)
    finally:
        if world > 1:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()
    if not talk:
        return 130 if result.stopped else 0
    if args.json:
        out = {k: getattr(result, k) for k in ("name", "adapter_dir", "steps", "total_steps", "stopped",
                                               "resumed_from_step", "train_loss", "val_loss", "tokens_per_s",
                                               "time_s", "n_train_pairs", "n_val_pairs", "skipped_pairs")}
        print(json.dumps(out, ensure_ascii=False))
    elif result.stopped:
        print(f"Stopped at step {result.steps} of {result.total_steps}; the checkpoint is kept. "
              f"Run the same command with --resume to continue.")
    else:
        val = f", held-out loss {result.val_loss:.4f}" if result.val_loss is not None else ""
        resumed = f" (resumed at step {result.resumed_from_step})" if result.resumed_from_step else ""
        print(f"Adapter '{name}' saved to {result.adapter_dir}: {result.n_train_pairs} pairs, {result.steps} steps"
              f"{resumed} in {_clock(result.time_s)}, training loss {result.train_loss:.4f}{val}, "
              f"{result.tokens_per_s:,.0f} tokens/s.")
        if result.skipped_pairs:
            print(f"note: {result.skipped_pairs} pairs were too long for --max-seq-len and were left out",
                  file=sys.stderr)
    return 130 if result.stopped else 0
