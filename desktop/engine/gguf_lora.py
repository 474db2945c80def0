"""TermLens adapters for llama.cpp and for serving engines.

- ``to_gguf``: a TermLens (PEFT) LoRA adapter written as a GGUF LoRA, the format
  llama.cpp applies at run time, with the ``gguf`` package. It follows llama.cpp's own
  ``convert_lora_to_gguf.py``: tensor names from ``gguf.get_tensor_name_map``
  (``blk.N.attn_q.weight.lora_a`` / ``.lora_b``), ``adapter.lora.alpha`` in the header,
  and for the ``llama`` architecture the rows of ``q_proj``/``k_proj``'s B matrices
  permuted as the base model's weights were when its GGUF was made (rotary layout).
  rsLoRA's scale (alpha/sqrt(r)) is carried as an equivalent alpha (llama.cpp uses alpha/r).
  The file is kept in the adapter's folder (``adapter.gguf``) and rebuilt when the weights change.
- ``apply`` / ``remove``: set or clear the adapter on a llama.cpp model in place.
- ``export_for_server``: the adapter in the PEFT layout vLLM loads with
  ``--enable-lora --lora-modules NAME=PATH`` (SGLang with ``--lora-paths NAME=PATH``).

Knows nothing of Qt.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

from desktop import log
from desktop.engine.adapters import CONFIG_FILE, META_FILE, WEIGHTS_FILE, _module_path, adapter_dir, read_meta
from desktop.engine.models import LoadedModel
from desktop.errors import AdapterError, StorageError

_log = log.get("gguf_lora")

GGUF_FILE = "adapter.gguf"


def _permute_rows(b, n_head: int):
    """llama.cpp's rotary layout of q/k rows (``LlamaModel.permute`` of its converter), applied to B."""
    rows = b.shape[0]
    return b.reshape(n_head, 2, rows // n_head // 2, *b.shape[1:]).swapaxes(1, 2).reshape(b.shape)


def _base_config(lm: LoadedModel) -> dict[str, Any]:
    cfg = Path(lm.info.path) / "config.json"
    if cfg.is_file():
        return json.loads(cfg.read_text(encoding="utf-8"))
    return {}


def to_gguf(name: str, lm: LoadedModel, *, out: Path | None = None) -> Path:
    """Write adapter ``name`` as a GGUF LoRA for ``lm``'s architecture; returns the file."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    folder = adapter_dir(name)
    meta = read_meta(name)
    out = out or folder / GGUF_FILE
    weights = folder / WEIGHTS_FILE
    if out.is_file() and out.stat().st_mtime >= weights.stat().st_mtime:
        return out
    arch = lm.info.architecture
    try:
        arch_id = next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == arch)
    except StopIteration:
        raise AdapterError.of("llama.cpp adapters cannot be made for the architecture '{arch}'.", arch=arch) from None
    lcfg = meta["lora_config"]
    r, alpha = int(lcfg["r"]), float(lcfg["lora_alpha"])
    if lcfg.get("use_rslora"):
        alpha = alpha * math.sqrt(r)  # llama.cpp scales by alpha/r; rsLoRA by alpha/sqrt(r)
    if lcfg.get("fan_in_fan_out"):
        raise AdapterError.of("The adapter '{name}' stores its layers transposed (fan_in_fan_out), which llama.cpp "
                              "does not read.", name=name)
    names = gguf.get_tensor_name_map(arch_id, lm.info.n_layers)
    cfg = _base_config(lm)
    heads = int(cfg.get("num_attention_heads") or 0)
    kv_heads = int(cfg.get("num_key_value_heads") or heads)
    tensors = load_file(str(weights))
    parts: dict[str, dict[str, Any]] = {}
    for key, value in tensors.items():
        where = _module_path(key)
        if where is None:
            raise AdapterError.of("The adapter '{name}' holds weights TermLens cannot apply ({key}); only LoRA "
                                  "layers can be merged.", name=name, key=key)
        parts.setdefault(where[0], {})[where[1]] = value.astype(np.float32)
    tmp = out.with_name(out.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), arch)
    try:
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
        for path, ab in sorted(parts.items()):
            dest = names.get_name(path + ".weight", try_suffixes=(".weight",))
            if dest is None or set(ab) != {"A", "B"}:
                raise AdapterError.of("The adapter '{name}' changes a layer llama.cpp does not know ({layer}).",
                                      name=name, layer=path)
            a, b = ab["A"], ab["B"]
            if arch == "llama" and path.endswith(("q_proj", "k_proj")) and heads:
                b = _permute_rows(b, heads if path.endswith("q_proj") else kv_heads)
            writer.add_tensor(dest + ".lora_a", np.ascontiguousarray(a))
            writer.add_tensor(dest + ".lora_b", np.ascontiguousarray(b))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    except OSError as exc:
        raise StorageError.of("The adapter '{name}' could not be converted for llama.cpp ({reason}).", name=name,
                              reason=exc.strerror or str(exc)) from exc
    finally:
        writer.close()
    tmp.replace(out)
    _log.info("adapter %s written for llama.cpp: %d layers", name, len(parts))
    return out


def apply(lm: LoadedModel, name: str) -> None:
    """Apply adapter ``name`` to a llama.cpp model (converting it once), replacing the one before."""
    import ctypes

    import llama_cpp

    meta = read_meta(name)
    if meta["base_fingerprint"] != lm.fingerprint:
        raise AdapterError.of(
            "The adapter '{name}' was made for {made_for}, not for the loaded model {model} "
            "(their weights differ); load that model, or train a new adapter for this one.",
            name=name, made_for=str(meta.get("base_model") or "another model"), model=lm.info.name)
    path = to_gguf(name, lm)
    runtime = lm.model
    llm = runtime.llm
    handle = llama_cpp.llama_adapter_lora_init(llm._model.model, str(path).encode("utf-8"))  # noqa: SLF001
    if not handle:
        raise AdapterError.of("llama.cpp could not read the adapter '{name}'.", name=name)
    arr = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(handle)
    scales = (ctypes.c_float * 1)(1.0)
    if llama_cpp.llama_set_adapters_lora(llm._ctx.ctx, arr, 1, scales):  # noqa: SLF001
        raise AdapterError.of("llama.cpp could not apply the adapter '{name}'.", name=name)
    runtime.lora = handle
    llm.reset()  # cached prompts were computed without it
    lm.adapter = meta.get("name") or name


def remove(lm: LoadedModel) -> None:
    """Clear the adapter of a llama.cpp model; no-op without one."""
    import llama_cpp

    runtime = lm.model
    if runtime is not None and getattr(runtime, "lora", None) is not None:
        llama_cpp.llama_set_adapters_lora(runtime.llm._ctx.ctx, None, 0, None)  # noqa: SLF001
        runtime.lora = None
        runtime.llm.reset()
    lm.adapter = None


def export_for_server(name: str, out: str | Path, *, base_model: str = "") -> Path:
    """Copy adapter ``name`` into ``out`` in the PEFT layout serving engines load.

    ``base_model`` (the name the server knows the base model by) goes into
    ``adapter_config.json``'s ``base_model_name_or_path``; TermLens's metadata travels along."""
    src = adapter_dir(name)
    read_meta(name)  # a damaged adapter is refused before anything is written
    dest = Path(out).expanduser()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise StorageError.of("{folder} is not empty; choose a new folder for the exported adapter.", folder=str(dest))
    try:
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / WEIGHTS_FILE, dest / WEIGHTS_FILE)
        cfg = json.loads((src / CONFIG_FILE).read_text(encoding="utf-8"))
        if base_model:
            cfg["base_model_name_or_path"] = base_model
        cfg.setdefault("peft_type", "LORA")
        cfg.setdefault("task_type", "CAUSAL_LM")
        (dest / CONFIG_FILE).write_text(json.dumps(cfg, indent=2), encoding="utf-8")
        shutil.copy2(src / META_FILE, dest / META_FILE)
    except OSError as exc:
        raise StorageError.of("The adapter '{name}' could not be exported ({reason}).", name=name,
                              reason=exc.strerror or str(exc)) from exc
    return dest
