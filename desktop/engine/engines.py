"""Which engine runs a model, and loading it there.

- **llama.cpp** (``llama_engine``): a ``.gguf`` file, and a model folder that keeps a GGUF
  beside its safetensors weights (the default model) when the model runs on a CPU.
- **transformers** (``models.load_model``): safetensors folders, every model on an NVIDIA
  GPU, training (``for_training``), and any GGUF folder when llama.cpp is not installed.

``choose`` says which, and why, in a sentence the model manager shows; ``load`` loads
there. Knows nothing of Qt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop.engine import llama_engine, models
from desktop.engine.models import LoadedModel
from desktop.errors import ModelLoadError, TrainingError, phrase

ENGINES = ("auto", "transformers", llama_engine.ENGINE)


@dataclass
class Choice:
    engine: str  # "transformers" or "llama.cpp"
    reason: str  # why, in a sentence
    gguf: Path | None = None  # the file llama.cpp loads


def _cuda(device: str | None) -> bool:
    if device:
        return device.startswith("cuda")
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def choose(path: str | os.PathLike, *, device: str | None = None, engine: str | None = None,
           weights: str | None = None) -> Choice:
    """The engine for the model at ``path`` (a folder or a ``.gguf`` file) on ``device``;
    ``engine`` forces one ("transformers" or "llama.cpp"; "auto" or None chooses). 8-bit
    ``weights`` are a transformers setting, so they choose transformers for a folder."""
    p = Path(path).expanduser()
    engine = engine or "auto"
    if engine not in ENGINES:
        raise ModelLoadError.of("'{engine}' is not an engine; choose from {engines}.", engine=engine,
                                engines=", ".join(ENGINES))
    is_file = p.suffix.lower() == ".gguf"
    gguf = p if is_file else llama_engine.find_gguf(p)
    missing = llama_engine.unavailable()
    if engine == "transformers":
        if is_file:
            raise ModelLoadError.of("{name} is a GGUF file, which transformers runs only after converting it into a "
                                    "model folder (python main.py models import {name}).", name=p.name)
        return Choice("transformers", phrase("chosen by the person"))
    if engine == llama_engine.ENGINE or is_file:
        if missing:
            raise ModelLoadError(missing)
        if gguf is None:
            raise ModelLoadError.of("{name} holds no GGUF file for llama.cpp to run.", name=p.name)
        if engine == llama_engine.ENGINE:
            return Choice(llama_engine.ENGINE, phrase("chosen by the person"), gguf)
        return Choice(llama_engine.ENGINE, phrase("a GGUF file runs on llama.cpp, which reads its quantised weights "
                                                  "directly"), gguf)
    if gguf is None:
        return Choice("transformers", phrase("the folder holds safetensors weights only"))
    if weights == "int8":
        return Choice("transformers", phrase("8-bit weights are a setting of the transformers engine"))
    if _cuda(device):
        return Choice("transformers", phrase("on an NVIDIA GPU transformers runs the full weights with the fast "
                                             "decode path"))
    if missing:
        return Choice("transformers", missing)
    return Choice(llama_engine.ENGINE, phrase("on a CPU llama.cpp runs the folder's {file} several times faster "
                                              "than transformers", file=gguf.name), gguf)


def load(path: str | os.PathLike, *, device: str | None = None, dtype: str | None = None,
         on_progress: Callable[[float, str], None] | None = None, fast: bool = True, weights: str | None = None,
         engine: str | None = None) -> LoadedModel:
    """Load the model at ``path`` on the engine ``choose`` picks (signature of ``models.load_model``)."""
    choice = choose(path, device=device, engine=engine, weights=weights)
    if choice.engine == llama_engine.ENGINE:
        if weights == "int8":
            raise ModelLoadError("8-bit weights are a setting of the transformers engine; a GGUF model is already "
                                 "quantised. Choose full weights, or the transformers engine.")
        p = Path(path).expanduser()
        folder = None if p.suffix.lower() == ".gguf" else p
        fp = models.fingerprint(folder) if folder is not None else None
        return llama_engine.load_gguf(choice.gguf, folder=folder, fingerprint=fp, on_progress=on_progress,
                                      reason=choice.reason)
    lm = models.load_model(path, device=device, dtype=dtype, on_progress=on_progress, fast=fast, weights=weights)
    lm.engine_reason = choice.reason
    return lm


def for_training(lm: LoadedModel) -> LoadedModel:
    """``lm`` itself when transformers runs it; else the same folder loaded by transformers on
    the CPU (LoRA training needs PyTorch's weights). A GGUF file alone cannot be trained."""
    if lm.engine == "transformers":
        return lm
    folder = Path(lm.info.path)
    if not folder.is_dir() or not any(folder.glob("*.safetensors")):
        raise TrainingError.of(
            "{name} runs on {engine} from a GGUF file; training needs the model as a safetensors folder. "
            "Convert it first: python main.py models import {path}", name=lm.info.name, engine=lm.engine,
            path=str(folder))
    return models.load_model(folder, device="cpu", fast=False)


def check(path: str | os.PathLike, *, context_tokens: int = 2048, weights: str = "full") -> dict:
    """What a model folder or GGUF file is, which engine would run it and why, and the memory it
    needs against the memory free, without loading it (for the model manager's Check)."""
    from desktop.engine.gguf_file import read_header

    p = Path(path).expanduser()
    choice = choose(p, weights=weights)
    if choice.engine == llama_engine.ENGINE and choice.gguf is not None:
        info = llama_engine.gguf_info(read_header(choice.gguf), folder=None if p.suffix.lower() == ".gguf" else p)
        needed, free, device = llama_engine.needed_bytes(info), models.free_memory("cpu"), "cpu"
    else:
        info = models.inspect_model(p)
        est = models.estimate_memory(info, context_tokens=context_tokens, weights=weights)
        needed, free, device = est.needed_bytes, est.free_bytes, est.device
    return {"path": str(info.path), "name": info.name, "summary": info.summary(), "params": info.n_params,
            "size_bytes": info.size_bytes, "device": device, "needed_bytes": needed, "free_bytes": free,
            "fits": free is None or needed <= free, "chat_template": info.has_chat_template, "weights": weights,
            "engine": choice.engine, "engine_reason": choice.reason}
