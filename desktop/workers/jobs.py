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
        from desktop.engine import engines

        return engines.check(path, context_tokens=context_tokens, weights=weights)  # also engine, engine_reason

    return Job("checking the model", run, needs_model=False)


def find_models_job(extra: list[str] | None = None) -> Job:
    """Models already on the machine (TermLens, Hugging Face cache, LM Studio, Ollama, ``extra`` paths);
    finishes with a list of dicts: name, path, source, size_bytes, quantization, needed_bytes, fits, engine,
    problem."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> list[dict]:
        from desktop.engine import discovery

        return [{"name": m.name, "path": str(m.path), "source": m.source, "size_bytes": m.size_bytes,
                 "quantization": m.quantization, "needed_bytes": m.needed_bytes, "fits": m.fits, "engine": m.engine,
                 "problem": m.problem} for m in discovery.scan(extra=extra or ())]

    return Job("finding models", run, needs_model=False)


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
