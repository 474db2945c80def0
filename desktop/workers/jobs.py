"""Ready-made model-thread jobs for the window: checking a model folder, adapters,
training and evaluation.

Each ``*_job`` returns a ``Job`` to hand to ``ModelWorker.request_job``; its function
runs on the model thread and imports the engine only there, so the widgets never
import torch or transformers. ``available(name)`` tells whether an engine module is
installed yet, without importing it. Never touches widgets.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Callable

from desktop.workers.model_worker import Job


def available(module: str) -> bool:
    """True when ``desktop.engine.<module>`` (or a dotted module) can be imported."""
    name = module if "." in module else f"desktop.engine.{module}"
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def check_model_job(path: str, *, context_tokens: int = 2048, weights: str = "full") -> Job:
    """Check a model folder without loading it: what it is and the memory it needs (with ``weights``)."""

    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> dict:
        from desktop.engine import models

        info = models.inspect_model(path)
        est = models.estimate_memory(info, context_tokens=context_tokens, weights=weights)
        return {"path": str(info.path), "name": info.name, "summary": info.summary(),
                "params": info.n_params, "size_bytes": info.size_bytes, "device": est.device,
                "needed_bytes": est.needed_bytes, "free_bytes": est.free_bytes, "fits": est.fits,
                "chat_template": info.has_chat_template, "weights": weights}

    return Job("check model", run, needs_model=False)


def list_adapters_job() -> Job:
    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> list[dict]:
        from desktop.engine import adapters

        out = []
        for a in adapters.list_adapters():
            if isinstance(a, dict):
                out.append(dict(a))
            elif hasattr(a, "__dataclass_fields__"):
                from dataclasses import asdict

                out.append({k: (str(v) if not isinstance(v, (int, float, str, bool, type(None), list, dict)) else v)
                            for k, v in asdict(a).items()})
            else:
                out.append({"name": str(getattr(a, "name", a))})
        return out

    return Job("list adapters", run, needs_model=False)


def apply_adapter_job(name: str) -> Job:
    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> str:
        from desktop.engine import adapters

        adapters.apply_adapter(lm, name)
        return name

    return Job("apply adapter", run)


def remove_adapter_job() -> Job:
    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> None:
        from desktop.engine import adapters

        adapters.remove_adapter(lm)

    return Job("remove adapter", run)


def delete_adapter_job(name: str) -> Job:
    def run(lm: Any, on_progress: Callable, should_stop: Callable) -> str:
        from desktop.engine import adapters

        adapters.delete_adapter(name)
        return name

    return Job("delete adapter", run, needs_model=False)
