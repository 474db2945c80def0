"""Ready-made model-thread jobs for the window: checking a model folder and switching,
taking off and deleting adapters.

Each ``*_job`` returns a ``Job`` to hand to ``ModelWorker.submit``, which returns the
job's own ``JobHandle``; its function runs on the model thread and imports the engine
only there, so the widgets never import torch or transformers. Never touches widgets.
Training and merging are in ``lora_jobs``, evaluation in ``evaluation_jobs``.
"""

from __future__ import annotations

from typing import Any, Callable

from desktop.workers.handle import Job


def check_model_job(path: str, *, context_tokens: int = 2048, weights: str = "full") -> Job:
    """Check a model folder without loading it: what it is and the memory it needs (with ``weights``).
    Finishes with a dict: path, name, summary, params, size_bytes, device, needed_bytes,
    free_bytes, fits, chat_template, weights."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> dict:
        from desktop.engine import models

        info = models.inspect_model(path)
        est = models.estimate_memory(info, context_tokens=context_tokens, weights=weights)
        return {"path": str(info.path), "name": info.name, "summary": info.summary(),
                "params": info.n_params, "size_bytes": info.size_bytes, "device": est.device,
                "needed_bytes": est.needed_bytes, "free_bytes": est.free_bytes, "fits": est.fits,
                "chat_template": info.has_chat_template, "weights": weights}

    return Job("checking the model", run, needs_model=False)


def apply_adapter_job(name: str) -> Job:
    """Merge adapter ``name`` into the loaded model; finishes with the name."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> str:
        from desktop.engine import adapters

        adapters.apply_adapter(lm, name)
        return name

    return Job("loading the adapter", run)


def remove_adapter_job() -> Job:
    """Put the loaded model's own weights back."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> None:
        from desktop.engine import adapters

        adapters.remove_adapter(lm)

    return Job("taking the adapter off", run)


def delete_adapter_job(name: str) -> Job:
    """Delete adapter folder ``name``; finishes with the name."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> str:
        from desktop.engine import adapters

        adapters.delete_adapter(name)
        return name

    return Job("deleting the adapter", run, needs_model=False)
