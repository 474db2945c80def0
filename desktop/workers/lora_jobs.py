"""What the Training and Adapters pages ask of the engine: model-thread jobs, and small
reads that are safe on the GUI thread.

Jobs (hand them to ``ModelWorker.submit``; they run on the model thread):

- ``train_job``: LoRA training of the loaded model; the handle's ``progress`` carries one
  ``TrainProgress`` per step (step, total, loss, tokens/s, ETA, held-out losses),
  ``finished`` the ``TrainResult``, and its cancel stops before the next step;
- ``merge_adapter_job``: a new model folder with an adapter merged in.

Loading, removing and deleting an adapter are the jobs of ``desktop.workers.jobs``.

Reads and checks (plain files, no model, no torch; quick enough for the GUI thread,
and never queued behind a training run): ``train_defaults``, ``name_problem``,
``stopped_run``, ``adapter_rows``, ``trainable``.

The engine is imported inside the functions only, so the widgets that import this
module never load torch. Never touches widgets.
"""

from __future__ import annotations

from typing import Any, Callable

from desktop.workers.handle import Job


def train_defaults() -> dict[str, Any]:
    """The engine's default training settings, by field name (target_modules as a list)."""
    from desktop.engine.train import TrainConfig

    return TrainConfig().to_dict()


def train_job(pairs: list[dict], *, config: dict[str, Any], out_name: str, resume: bool,
              glossary_version: int | None = None) -> Job:
    """Train adapter ``out_name`` on ``pairs`` with ``config`` (TrainConfig field values)."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> Any:
        from desktop.engine import engines, train
        from desktop.engine.train.cpu import release_memory

        trained = engines.for_training(lm)  # a copy of its own when llama.cpp runs the model
        try:
            return train.train(trained, pairs, config=train.TrainConfig.from_dict(config), out_name=out_name,
                               on_progress=on_progress, should_stop=should_stop, resume=resume,
                               glossary_version=glossary_version)
        finally:
            trained = None  # noqa: F841 - that copy goes before the memory is given back
            release_memory(lm.device)  # so the status bar's "in use" falls back after training

    return Job("training", run)


def merge_adapter_job(name: str, out_dir: str) -> Job:
    """Write the loaded model with adapter ``name`` merged in to the new folder ``out_dir``."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> str:
        from desktop.engine import adapters

        return str(adapters.merge_to_folder(lm, name, out_dir))

    return Job("merging the adapter", run)


def name_problem(name: str) -> str:
    """Why ``name`` cannot name an adapter, in a sentence; empty when it can."""
    from desktop.engine.adapters import check_name
    from desktop.errors import AdapterError

    try:
        check_name(name)
    except AdapterError as exc:
        return str(exc)
    return ""


def stopped_run(name: str) -> dict[str, Any] | None:
    """The checkpoint a cancelled or crashed run of adapter ``name`` left: step, total,
    losses and the settings that must stay the same to resume it; None when there is none."""
    from desktop.engine.adapters import check_name
    from desktop.engine.train import checkpoint
    from desktop.errors import AdapterError

    try:
        name = check_name(name)
    except AdapterError:
        return None
    meta = checkpoint.read_meta(name)
    if not meta or "step" not in meta:
        return None
    return {"step": int(meta["step"]), "total": int(meta.get("total") or 0), "losses": list(meta.get("losses", [])),
            "val_losses": list(meta.get("val_losses", [])), "config": dict(meta.get("config") or {})}


def adapter_rows() -> list[dict[str, Any]]:
    """Every adapter folder as a plain dict: name, path, base_model, base_fingerprint, created,
    n_pairs, metrics, config, glossary_version, and problem (empty when it can be loaded)."""
    from desktop.engine import adapters

    rows = []
    for a in adapters.list_adapters():
        meta = a.meta or {}
        rows.append({
            "name": a.name, "path": str(a.path), "problem": a.problem,
            "base_model": meta.get("base_model", ""), "base_fingerprint": meta.get("base_fingerprint", ""),
            "created": meta.get("created_at", ""), "n_pairs": meta.get("n_pairs"),
            "metrics": dict(meta.get("metrics") or {}), "config": dict(meta.get("config") or {}),
            "glossary_version": meta.get("glossary_version"),
        })
    return rows


def trainable(pairs: list[dict]) -> list[dict]:
    """The pairs of a set that will train (never a rejected one; only the accepted ones once any is)."""
    from desktop.engine.train.data import select_pairs

    return select_pairs(pairs)
