"""Training checkpoints: adapter weights, optimizer, schedule, random state and step.

A checkpoint is a folder ``adapters/.checkpoints/NAME/`` holding ``state.safetensors``
(every tensor: the trainable weights, the optimizer moments, the random generators'
states) and ``state.json`` (step, epoch, schedule, losses so far, and what the run was
made from, so a resume can tell whether it still fits). No pickle is written or read.
The folder is written beside its final place and renamed over it, so a crash while
saving leaves the previous checkpoint whole.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.errors import TrainingError
from desktop.storage.atomic import aside, fsync_tree, publish_folder, recover_folder

STATE_FILE = "state.safetensors"
META_FILE = "state.json"


def checkpoint_dir(name: str) -> Path:
    return paths.adapters_dir() / ".checkpoints" / name


def _rng_tensors() -> dict[str, Any]:
    import torch

    out = {"rng.cpu": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            out[f"rng.cuda.{i}"] = s
    return out


def _restore_rng(tensors: dict[str, Any], py_state: list | None) -> None:
    import torch

    if "rng.cpu" in tensors:
        torch.set_rng_state(tensors["rng.cpu"].to("cpu"))
    cuda = [tensors[k] for k in sorted(k for k in tensors if k.startswith("rng.cuda."))]
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([t.to("cpu") for t in cuda])
    if py_state:
        random.setstate((py_state[0], tuple(py_state[1]), py_state[2]))


def save(name: str, *, trainable: dict[str, Any], optimizer, meta: dict[str, Any]) -> Path:
    """Write the checkpoint for run ``name`` atomically; returns its folder."""
    import torch
    from safetensors.torch import save_file

    tensors: dict[str, Any] = {f"w.{k}": v.detach().to("cpu").contiguous() for k, v in trainable.items()}
    opt = optimizer.state_dict()
    for idx, state in opt["state"].items():
        for key, value in state.items():
            if isinstance(value, torch.Tensor):
                tensors[f"opt.{idx}.{key}"] = value.detach().to("cpu").contiguous().reshape(value.shape)
    tensors.update(_rng_tensors())
    groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in opt["param_groups"]]
    py = random.getstate()
    meta = dict(meta, optimizer_groups=groups, python_rng=[py[0], list(py[1]), py[2]])
    final = checkpoint_dir(name)
    final.parent.mkdir(parents=True, exist_ok=True)
    _recover(name)
    for stale in final.parent.glob(f".{name}.*"):  # temporary folders of a save that was killed
        if stale != aside(final):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=final.parent))
    try:
        save_file(tensors, str(tmp / STATE_FILE), metadata={"format": "pt"})
        (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        fsync_tree(tmp)  # durable before the rename publishes them
        publish_folder(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise TrainingError.of("The training checkpoint could not be written ({reason}).",
                               reason=exc.strerror or str(exc)) from exc
    return final


def _recover(name: str) -> None:
    """A save killed between its two renames left only the previous checkpoint, aside: put it back."""
    recover_folder(checkpoint_dir(name))


def read_meta(name: str) -> dict[str, Any] | None:
    _recover(name)
    path = checkpoint_dir(name) / META_FILE
    if not path.is_file() or not (path.parent / STATE_FILE).is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load(name: str, *, optimizer, device: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Restore optimizer and random state; returns (trainable weights by name, meta)."""
    import torch
    from safetensors.torch import load_file

    folder = checkpoint_dir(name)
    meta = read_meta(name)
    if meta is None:
        raise TrainingError.of("The checkpoint of '{name}' is missing or damaged; start the training again.", name=name)
    tensors = load_file(str(folder / STATE_FILE), device="cpu")
    weights = {k[2:]: v for k, v in tensors.items() if k.startswith("w.")}
    state: dict[int, dict[str, Any]] = {}
    for k, v in tensors.items():
        if k.startswith("opt."):
            _, idx, key = k.split(".", 2)
            state.setdefault(int(idx), {})[key] = v if key == "step" else v.to(device)
    groups = []
    for g in meta["optimizer_groups"]:
        g = dict(g)
        if isinstance(g.get("betas"), list):
            g["betas"] = tuple(g["betas"])
        groups.append(g)
    optimizer.load_state_dict({"state": state, "param_groups": groups})
    _restore_rng(tensors, meta.get("python_rng"))
    return weights, meta


def discard(name: str) -> None:
    shutil.rmtree(checkpoint_dir(name), ignore_errors=True)
