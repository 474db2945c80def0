"""LoRA adapters on disk, and switching them on a loaded model in seconds.

An adapter is a folder ``adapters/NAME/`` with ``adapter_model.safetensors`` and
``adapter_config.json`` (the PEFT layout) and ``termlens_adapter.json``: the training
config, the base model's name and fingerprint, the glossary version, the data hash,
the concept ids trained on and the metrics.

``apply_adapter`` does not wrap the model: it adds each LoRA delta (scale · B @ A)
into the base weight in place (``param.data.add_``), after copying the original
weights of the touched layers aside. The model keeps its modules and its weight
tensors' storage, so a fast decoder that captured them sees the change, generation
runs at base speed, and ``remove_adapter`` copies the originals back bit for bit.
Switching is remove + apply. Every check (safetensors only, same base model, valid
metadata, matching shapes) runs before the first weight is touched, so a refused
adapter leaves the model as it was. Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop import log, paths
from desktop.engine import offline as _offline  # noqa: F401
from desktop.engine import quant
from desktop.engine.models import PICKLE_SUFFIXES, LoadedModel, read_safetensors_header
from desktop.errors import AdapterError, ModelLoadError, StorageError
from desktop.storage.atomic import fsync_tree, publish_folder

_log = log.get("adapters")

WEIGHTS_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"
META_FILE = "termlens_adapter.json"
META_FORMAT = 1
_BACKUP_ATTR = "_termlens_adapter_backup"  # on the torch model: {module path: original weight}
_NAME = re.compile(r"[^\W_][\w.\- ]{0,63}", re.UNICODE)
_PREFIXES = ("base_model.model.", "base_model.")


@dataclass
class AdapterInfo:
    name: str
    path: Path
    meta: dict[str, Any] | None  # None when the folder cannot be used
    problem: str = ""  # why not, in a sentence

    @property
    def usable(self) -> bool:
        return self.meta is not None


def check_name(name: str) -> str:
    """The adapter name if it is a plain folder name, else ``AdapterError``."""
    name = (name or "").strip()
    if not _NAME.fullmatch(name) or name.endswith((".", " ")):
        raise AdapterError.of(
            "'{name}' cannot be an adapter name: use up to 64 letters, digits, spaces, dots, dashes or underscores, "
            "starting with a letter or digit.", name=name
        )
    return name


def adapter_dir(name: str) -> Path:
    return paths.adapters_dir() / check_name(name)


# --- reading ---------------------------------------------------------------------


def read_meta(name: str) -> dict[str, Any]:
    """The metadata of adapter ``name``, or ``AdapterError`` saying what is wrong with its folder."""
    folder = adapter_dir(name)
    if not folder.is_dir():
        raise AdapterError.of("There is no adapter named '{name}'.", name=name)
    pickled = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickled:
        raise AdapterError.of(
            "The adapter '{name}' holds pickle weights ({files}); TermLens loads only safetensors "
            "files, because pickle files can run code when opened.", name=name, files=", ".join(pickled[:3])
        )
    if not (folder / WEIGHTS_FILE).is_file():
        raise AdapterError.of("The adapter '{name}' has no weights file ({file}).", name=name, file=WEIGHTS_FILE)
    try:
        read_safetensors_header(folder / WEIGHTS_FILE)
    except ModelLoadError as exc:
        raise AdapterError.of("The adapter '{name}' is damaged: {detail}", name=name,
                              detail=exc.args[0] if exc.args else str(exc)) from exc
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        cfg = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AdapterError.of("The adapter '{name}' lacks {file}, so TermLens cannot tell "
                              "which model it was made for.", name=name, file=Path(exc.filename).name) from exc
    except (OSError, ValueError) as exc:
        raise AdapterError.of("The adapter '{name}' has unreadable metadata ({error}).", name=name,
                              error=type(exc).__name__) from exc
    if not isinstance(meta, dict) or not meta.get("base_fingerprint") or not isinstance(cfg, dict):
        raise AdapterError.of("The adapter '{name}' has incomplete metadata (no base model fingerprint).", name=name)
    try:
        int(cfg["r"]), float(cfg["lora_alpha"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AdapterError.of("The adapter '{name}' has an invalid adapter_config.json (rank or alpha missing).",
                              name=name) from exc
    meta["lora_config"] = cfg
    return meta


def list_adapters() -> list[AdapterInfo]:
    """Adapters under ``adapters/``, usable or not (with the reason), by name."""
    out: list[AdapterInfo] = []
    for folder in sorted(paths.adapters_dir().iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        try:
            out.append(AdapterInfo(folder.name, folder, read_meta(folder.name)))
        except AdapterError as exc:
            out.append(AdapterInfo(folder.name, folder, None, str(exc)))
    return out


def delete_adapter(name: str) -> None:
    folder = adapter_dir(name)
    if not folder.is_dir():
        raise AdapterError.of("There is no adapter named '{name}'.", name=name)
    shutil.rmtree(folder)
    shutil.rmtree(paths.adapters_dir() / ".checkpoints" / folder.name, ignore_errors=True)


# --- writing ---------------------------------------------------------------------


def save_adapter(name: str, *, weights: dict[str, Any], lora_config: dict[str, Any], meta: dict[str, Any]) -> Path:
    """Write an adapter folder atomically (beside its place, then renamed over it)."""
    from safetensors.torch import save_file

    final = adapter_dir(name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        tensors = {k: v.detach().to("cpu").contiguous() for k, v in weights.items()}
        save_file(tensors, str(tmp / WEIGHTS_FILE), metadata={"format": "pt"})
        (tmp / CONFIG_FILE).write_text(json.dumps(lora_config, indent=2, default=_jsonable), encoding="utf-8")
        full = {"format": META_FORMAT, "name": final.name, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **meta}
        (tmp / META_FILE).write_text(json.dumps(full, ensure_ascii=False, indent=2, default=_jsonable), encoding="utf-8")
        fsync_tree(tmp)
        publish_folder(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StorageError.of("The adapter '{name}' could not be saved ({reason}).", name=name,
                              reason=exc.strerror or str(exc)) from exc
    return final


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    if hasattr(value, "value"):
        return value.value
    return str(value)


# --- merging into a loaded model ---------------------------------------------------


def _module_path(key: str) -> tuple[str, str] | None:
    """'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' -> ('model.layers.0.self_attn.q_proj', 'A')."""
    m = re.fullmatch(r"(.+)\.lora_([AB])(?:\.[^.]+)?\.weight", key)
    if not m:
        return None
    path = m.group(1)
    for p in _PREFIXES:
        if path.startswith(p):
            path = path[len(p):]
            break
    return path, m.group(2)


def _deltas(lm: LoadedModel, name: str, meta: dict[str, Any]) -> list[tuple[Any, Any, float]]:
    """(weight parameter, A, B · scale) per touched layer, all checked; nothing applied yet."""
    from safetensors import safe_open

    cfg = meta["lora_config"]
    r, alpha = int(cfg["r"]), float(cfg["lora_alpha"])
    scale = alpha / math.sqrt(r) if cfg.get("use_rslora") else alpha / r
    fan_in_fan_out = bool(cfg.get("fan_in_fan_out"))
    parts: dict[str, dict[str, Any]] = {}
    with safe_open(str(adapter_dir(name) / WEIGHTS_FILE), framework="pt", device="cpu") as f:
        for key in f.keys():  # noqa: SIM118 - safe_open is not a mapping
            where = _module_path(key)
            if where is None:
                raise AdapterError.of("The adapter '{name}' holds weights TermLens cannot apply ({key}); only LoRA "
                                      "layers can be merged.", name=name, key=key)
            parts.setdefault(where[0], {})[where[1]] = f.get_tensor(key)
    if not parts:
        raise AdapterError.of("The adapter '{name}' holds no LoRA weights.", name=name)
    modules = dict(lm.model.named_modules())
    out = []
    for path, ab in sorted(parts.items()):
        module = modules.get(path)
        weight = getattr(module, "weight", None)
        if module is None or weight is None or weight.dim() != 2:
            raise AdapterError.of("The adapter '{name}' changes a layer this model does not have ({layer}).", name=name,
                                  layer=path)
        if set(ab) != {"A", "B"}:
            raise AdapterError.of("The adapter '{name}' is incomplete: {layer} lacks half of its LoRA weights.", name=name,
                                  layer=path)
        a, b = ab["A"], ab["B"]
        out_f, in_f = weight.shape if not fan_in_fan_out else weight.shape[::-1]
        if a.dim() != 2 or b.dim() != 2 or a.shape[1] != in_f or b.shape[0] != out_f or a.shape[0] != b.shape[1]:
            raise AdapterError.of(
                "The adapter '{name}' does not fit this model: {layer} is {shape} but the adapter's "
                "layers are {a} and {b}.", name=name, layer=path, shape=str(tuple(weight.shape)),
                a=str(tuple(a.shape)), b=str(tuple(b.shape))
            )
        out.append((weight, a, b * scale))
    return out


def apply_adapter(lm: LoadedModel, name: str) -> None:
    """Merge adapter ``name`` into ``lm``'s weights in place (removing the one applied before)."""
    if getattr(lm, "engine", "transformers") != "transformers":  # llama.cpp applies a GGUF copy of it
        return lm.model.apply_adapter(lm, name)
    import torch

    meta = read_meta(name)
    if meta["base_fingerprint"] != lm.fingerprint:
        if not meta.get("base_model"):
            raise AdapterError.of(
                "The adapter '{name}' was made for another model, not for the loaded model {model} "
                "(their weights differ); load that model, or train a new adapter for this one.",
                name=name, model=lm.info.name
            )
        raise AdapterError.of(
            "The adapter '{name}' was made for {made_for}, not for the loaded model {model} "
            "(their weights differ); load that model, or train a new adapter for this one.",
            name=name, made_for=str(meta["base_model"]), model=lm.info.name
        )
    deltas = _deltas(lm, name, meta)
    fan_in_fan_out = bool(meta["lora_config"].get("fan_in_fan_out"))
    remove_adapter(lm)
    backup: dict[int, tuple[Any, Any]] = {}
    try:
        with torch.no_grad():
            for weight, a, b in deltas:
                delta = b.to(weight.device, torch.float32) @ a.to(weight.device, torch.float32)
                if fan_in_fan_out:
                    delta = delta.T
                backup[id(weight)] = (weight, quant.snapshot(weight))
                quant.add_delta(weight, delta)  # full or 8-bit weights, in place
    except Exception:
        _restore(backup)
        raise
    setattr(lm.model, _BACKUP_ATTR, backup)
    lm.adapter = meta.get("name") or name
    _log.info("adapter applied: %d layers", len(deltas))


def _restore(backup: dict[int, tuple[Any, Any]]) -> None:
    import torch

    with torch.no_grad():
        for weight, original in backup.values():
            quant.restore(weight, original)


def remove_adapter(lm: LoadedModel) -> None:
    """Put back the exact weights the model had before ``apply_adapter``; no-op without an adapter."""
    if getattr(lm, "engine", "transformers") != "transformers":
        return lm.model.remove_adapter(lm)
    backup = getattr(lm.model, _BACKUP_ATTR, None) if lm.model is not None else None
    if backup:
        _restore(backup)
    if lm.model is not None and hasattr(lm.model, _BACKUP_ATTR):
        delattr(lm.model, _BACKUP_ATTR)
    lm.adapter = None


MERGED_FILE = "termlens_merged.json"


def merge_to_folder(lm: LoadedModel, name: str, out_dir: str | Path) -> Path:
    """Write a new model folder: ``lm``'s base weights with adapter ``name`` merged in.

    The folder loads like any other model; ``termlens_merged.json`` in it records the
    base model and the adapter's metadata it was made from.
    """
    out = Path(out_dir)
    if getattr(lm, "weights", "full") != "full":
        raise AdapterError.of("A merged model folder is written from full-precision weights, and this model is loaded "
                              "with 8-bit weights; load it with full-precision weights, then merge.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StorageError.of("{folder} is not empty; choose a new folder for the merged model.", folder=str(out))
    previous = lm.adapter
    apply_adapter(lm, name)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".merge.", dir=out.parent))
    except OSError as exc:
        remove_adapter(lm)
        if previous:
            apply_adapter(lm, previous)
        raise StorageError.of("The merged model could not be written to {folder} ({reason}).", folder=str(out),
                              reason=exc.strerror or str(exc)) from exc
    try:
        lm.model.save_pretrained(tmp, safe_serialization=True)
        lm.tokenizer.save_pretrained(tmp)
        meta = {k: v for k, v in read_meta(name).items() if k not in ("pair_ids",)}
        (tmp / MERGED_FILE).write_text(json.dumps({"base_model": lm.info.name, "base_fingerprint": lm.fingerprint,
                                                   "adapter": meta}, ensure_ascii=False, indent=2,
                                                  default=_jsonable), encoding="utf-8")
        if out.exists():
            out.rmdir()
        shutil.move(str(tmp), str(out))
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StorageError.of("The merged model could not be written to {folder} ({reason}).", folder=str(out),
                              reason=exc.strerror or str(exc)) from exc
    finally:
        remove_adapter(lm)
        if previous:
            apply_adapter(lm, previous)
    return out
