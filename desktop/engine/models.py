"""Find, check and load local model folders; estimate the memory they need.

A model folder is a Hugging Face layout: ``config.json``, safetensors weights, a
tokenizer and a chat template. ``inspect_model`` checks all of that without loading
any weights (it reads only the safetensors headers), so the UI can show what a load
will cost and refuse a bad folder with a sentence. ``load_model`` then loads it with
``local_files_only``, ``use_safetensors`` and no remote code. Knows nothing of Qt.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from desktop import paths
from desktop.engine import offline as _offline  # noqa: F401
from desktop.errors import ModelLoadError, OutOfGpuMemory, phrase

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "spiece.model")
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "F8_E4M3": 1, "F8_E5M2": 1}


@dataclass
class ModelInfo:
    """What a model folder holds, read without loading its weights."""

    path: Path
    name: str
    model_type: str
    architecture: str
    n_params: int
    weights_dtype: str  # as stored: "F32", "BF16", ...
    size_bytes: int
    context_length: int
    n_layers: int
    hidden_size: int
    n_kv_heads: int
    head_dim: int
    has_chat_template: bool
    weight_files: list[str] = field(default_factory=list)
    linear_params: int = 0  # in 2-D weights other than the embeddings and the output layer (what 8-bit shrinks)

    def kv_bytes_per_token(self, dtype_bytes: int) -> int:
        return 2 * self.n_layers * self.n_kv_heads * self.head_dim * dtype_bytes

    def summary(self) -> str:
        return (f"{self.name}: {self.architecture}, {self.n_params / 1e6:,.0f}M parameters, "
                f"{self.weights_dtype}, {self.size_bytes / 1e9:.2f} GB, context {self.context_length}")


@dataclass
class MemoryEstimate:
    needed_bytes: int
    free_bytes: int | None
    device: str

    @property
    def fits(self) -> bool:
        return self.free_bytes is None or self.needed_bytes <= self.free_bytes


@dataclass
class LoadedModel:
    """A model and its tokenizer, ready to generate. Owned by the model thread."""

    model: Any
    tokenizer: Any
    info: ModelInfo
    device: str
    dtype: str  # "float32", "bfloat16", ...
    load_s: float
    fingerprint: str
    adapter: str | None = None
    fast: Any = None  # a fast decoder (desktop.engine.fastgen) when one is active
    weights: str = "full"  # "full" or "int8" (desktop.engine.quant)
    engine: str = "transformers"  # or "llama.cpp" (desktop.engine.llama_engine), "server" (server_backend)
    engine_reason: str = ""  # why this engine runs the model, for the model manager

    @property
    def context_length(self) -> int:
        return self.info.context_length


def _valid_header(header: Any) -> bool:
    """True when ``header`` has the safetensors layout: tensor name -> {dtype: text, shape: list of
    non-negative ints, data_offsets: [begin, end]}, plus an optional ``__metadata__`` of text."""
    if not isinstance(header, dict):
        return False
    for name, meta in header.items():
        if name == "__metadata__":
            if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
                return False
            continue
        if not isinstance(meta, dict) or not isinstance(meta.get("dtype"), str):
            return False
        shape, offsets = meta.get("shape"), meta.get("data_offsets")
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
            return False
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int for o in offsets)
                and 0 <= offsets[0] <= offsets[1]):
            return False
    return True


def read_safetensors_header(path: Path) -> dict[str, Any]:
    """The JSON header of a safetensors file; checks that the file is not truncated."""
    size = path.stat().st_size
    with path.open("rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            raise ModelLoadError.of("The weights file {file} is empty or truncated.", file=path.name)
        (n,) = struct.unpack("<Q", raw)
        if n > min(size, 100_000_000):
            raise ModelLoadError.of("The weights file {file} is not a valid safetensors file.", file=path.name)
        try:
            header = json.loads(f.read(n))
        except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, a 5,000-digit number, nested too deep
            raise ModelLoadError.of("The weights file {file} has a damaged header.", file=path.name) from exc
    if not _valid_header(header):
        raise ModelLoadError.of("The weights file {file} has a damaged header.", file=path.name)
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
    if 8 + n + end > size:
        raise ModelLoadError.of(
            "The weights file {file} is truncated ({size:,} bytes, {expected:,} expected); copy the model folder again.",
            file=path.name, size=size, expected=8 + n + end)
    return header


def _supported_causal_lm(model_type: str) -> bool:
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    return model_type in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES


def inspect_model(path: str | os.PathLike) -> ModelInfo:
    """Check a model folder and describe it, or raise ``ModelLoadError`` saying what is wrong."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ModelLoadError.of("{folder} is not a folder. Choose the folder that holds config.json.", folder=str(folder))
    cfg_path = folder / "config.json"
    if not cfg_path.is_file():
        raise ModelLoadError.of("{name} has no config.json, so it is not a model folder.", name=folder.name)
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError.of("config.json in {name} is not valid JSON ({detail}).", name=folder.name, detail=str(exc)) from exc
    model_type = str(cfg.get("model_type", ""))
    if not model_type or not _supported_causal_lm(model_type):
        raise ModelLoadError.of(
            "{name} holds a model of type '{model_type}', which TermLens cannot run as a chat model "
            "(it needs a causal language model such as Qwen2, Llama or Mistral).",
            name=folder.name, model_type=model_type or "unknown")
    archs = cfg.get("architectures") or []
    if archs and not any(a.endswith(("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")) for a in archs):
        raise ModelLoadError.of(
            "{name} is a {architecture}, not a text-generation model; TermLens needs a chat model "
            "(a ...ForCausalLM such as Qwen2ForCausalLM).", name=folder.name, architecture=archs[0])
    weight_files = sorted(p for p in folder.glob("*.safetensors"))
    if not weight_files:
        pickled = [p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES]
        if pickled:
            raise ModelLoadError.of(
                "{name} holds only pickle weights ({files}); TermLens loads only safetensors files, because "
                "pickle files can run code when opened. Convert the model to safetensors.",
                name=folder.name, files=", ".join(pickled[:3]))
        raise ModelLoadError.of("{name} has no weights (*.safetensors).", name=folder.name)
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ModelLoadError.of("{name} has no tokenizer (tokenizer.json or tokenizer.model).", name=folder.name)
    has_template = (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file()
    tok_cfg = folder / "tokenizer_config.json"
    if not has_template and tok_cfg.is_file():
        try:
            has_template = bool(json.loads(tok_cfg.read_text(encoding="utf-8")).get("chat_template"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelLoadError.of("tokenizer_config.json in {name} is not valid JSON.", name=folder.name) from exc

    n_params, dtypes, size, linear = 0, {}, 0, 0
    for wf in weight_files:
        header = read_safetensors_header(wf)
        size += wf.stat().st_size
        for name, meta in header.items():
            if name == "__metadata__":
                continue
            count = 1
            for d in meta["shape"]:
                count *= int(d)
            n_params += count
            dtypes[meta["dtype"]] = dtypes.get(meta["dtype"], 0) + count
            if len(meta["shape"]) == 2 and name.endswith(".weight") and not any(
                    k in name for k in ("embed", "lm_head", "wte", "output.weight")):
                linear += count
    text_cfg = cfg.get("text_config", cfg)
    hidden = int(text_cfg.get("hidden_size", 0) or 0)
    heads = int(text_cfg.get("num_attention_heads", 1) or 1)
    head_dim = int(text_cfg.get("head_dim", 0) or (hidden // heads if hidden else 0))
    return ModelInfo(
        path=folder,
        name=folder.name,
        model_type=model_type,
        architecture=(cfg.get("architectures") or [model_type])[0],
        n_params=n_params,
        weights_dtype=max(dtypes, key=dtypes.get) if dtypes else "?",
        size_bytes=size,
        context_length=int(text_cfg.get("max_position_embeddings", 2048) or 2048),
        n_layers=int(text_cfg.get("num_hidden_layers", 0) or 0),
        hidden_size=hidden,
        n_kv_heads=int(text_cfg.get("num_key_value_heads", heads) or heads),
        head_dim=head_dim,
        has_chat_template=has_template,
        weight_files=[p.name for p in weight_files],
        linear_params=linear,
    )


def pick_device(device: str | None = None) -> str:
    import torch

    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def pick_dtype(device: str, dtype: str | None = None) -> str:
    if dtype:
        return dtype
    return "bfloat16" if device.startswith("cuda") else "float32"


def free_memory(device: str) -> int | None:
    """Free bytes on the device (GPU memory, or available RAM for the CPU)."""
    try:
        if device.startswith("cuda"):
            import torch

            free, _total = torch.cuda.mem_get_info(torch.device(device))
            return int(free)
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # noqa: BLE001 - an unknown figure is shown as unknown, not as an error
        return None


def estimate_memory(info: ModelInfo, *, device: str | None = None, dtype: str | None = None,
                    context_tokens: int | None = None, weights: str | None = None) -> MemoryEstimate:
    """Weights at the load dtype (linear layers at one byte with 8-bit weights), a KV cache for
    ``context_tokens`` and 10% working memory."""
    from desktop.engine.quant import check_mode

    device = pick_device(device)
    nbytes = 4 if pick_dtype(device, dtype) == "float32" else 2
    ctx = min(context_tokens or 4096, info.context_length)
    weight_bytes = info.n_params * nbytes
    if check_mode(weights) == "int8":
        weight_bytes -= info.linear_params * (nbytes - 1)
    needed = int((weight_bytes + info.kv_bytes_per_token(nbytes) * ctx) * 1.10)
    return MemoryEstimate(needed_bytes=needed, free_bytes=free_memory(device), device=device)


def fingerprint(path: str | os.PathLike) -> str:
    """A short identity of a model's weights: config, tensor names and shapes, and sampled bytes.

    Reads the first MiB of each weights file rather than hashing gigabytes, so it is
    instant, yet tells apart two checkpoints of the same architecture.
    """
    folder = Path(path)
    h = hashlib.sha256()
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    for key in ("model_type", "hidden_size", "num_hidden_layers", "vocab_size", "intermediate_size"):
        h.update(f"{key}={cfg.get(key)};".encode())
    for wf in sorted(folder.glob("*.safetensors")):
        header = read_safetensors_header(wf)
        for name in sorted(k for k in header if k != "__metadata__"):
            h.update(f"{name}:{header[name]['shape']};".encode())
        with wf.open("rb") as f:
            f.seek(8 + struct.unpack("<Q", f.read(8))[0])
            h.update(f.read(1 << 20))
    return h.hexdigest()[:16]


def load_model(path: str | os.PathLike, *, device: str | None = None, dtype: str | None = None,
               on_progress: Callable[[float, str], None] | None = None, fast: bool = True,
               weights: str | None = None) -> LoadedModel:
    """Load a checked model folder onto ``device`` (CUDA bf16 when present, else CPU float32).

    ``weights="int8"`` quantises the linear layers to 8 bits while loading
    (``desktop.engine.quant``): about half the memory, for GPUs too small for the full model.

    On CUDA, ``fast`` also prepares the fast decode path (``desktop.engine.fastgen.attach``:
    compiled, graph-captured steps, ready before the first question); without it, or if
    that fails, answers take the plain path.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # progress goes to on_progress, not to a terminal bar
    report = on_progress or (lambda _f, _s: None)
    report(0.05, phrase("Checking the model folder"))
    from desktop.engine import quant

    weights = quant.check_mode(weights)
    info = inspect_model(path)
    device = pick_device(device)
    dtype = pick_dtype(device, dtype)
    qconfig = quant.transformers_config(weights)
    est = estimate_memory(info, device=device, dtype=dtype, context_tokens=2048, weights=weights)
    if not est.fits:
        raise ModelLoadError.of(
            "{name} needs about {needed:.1f} GB on {device}, but only {free:.1f} GB is free. "
            "Close other programs or choose a smaller model.",
            name=info.name, needed=est.needed_bytes / 1e9, device=device, free=(est.free_bytes or 0) / 1e9)
    t0 = time.perf_counter()
    report(0.15, phrase("Loading the tokenizer"))
    try:
        tokenizer = AutoTokenizer.from_pretrained(info.path, local_files_only=True, trust_remote_code=False)
    except Exception as exc:  # noqa: BLE001
        raise ModelLoadError.of("The tokenizer in {name} could not be read ({detail}).", name=info.name,
                                  detail=f"{type(exc).__name__}: {exc}") from exc
    if getattr(tokenizer, "chat_template", None) is None:
        raise ModelLoadError.of("{name} has no chat template, so TermLens cannot format a conversation for it.",
                                  name=info.name)
    millions = info.n_params / 1e6
    report(0.3, phrase("Loading {n:,.0f}M parameters onto {device} as 8-bit weights", n=millions, device=device)
           if weights == "int8" else phrase("Loading {n:,.0f}M parameters onto {device}", n=millions, device=device))
    try:
        model = AutoModelForCausalLM.from_pretrained(
            info.path,
            dtype=getattr(torch, dtype),
            local_files_only=True,
            use_safetensors=True,
            trust_remote_code=False,
            device_map=device if device.startswith("cuda") else None,
            quantization_config=qconfig,
        )
    except torch.cuda.OutOfMemoryError as exc:
        torch.cuda.empty_cache()
        raise OutOfGpuMemory.of("The GPU ran out of memory while loading {name}; the previous model stays in use. "
                                "Choose a smaller model.", name=info.name) from exc
    except Exception as exc:  # noqa: BLE001 - corrupt or lying folders surface in many exception types
        msg = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        raise ModelLoadError.of("{name} could not be loaded: {detail}", name=info.name, detail=msg) from exc
    model.eval()
    if model.generation_config is not None and tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    lm = LoadedModel(
        model=model,
        tokenizer=tokenizer,
        info=info,
        device=device,
        dtype=dtype,
        load_s=time.perf_counter() - t0,
        fingerprint=fingerprint(info.path),
        weights=weights,
    )
    if fast and device.startswith("cuda"):
        from desktop.engine.fastgen import attach

        attach(lm, on_progress=lambda f, s: report(0.9 + 0.1 * f, s))
        lm.load_s = time.perf_counter() - t0
    report(1.0, phrase("Model ready"))
    return lm


def unload(lm: LoadedModel | None) -> None:
    """Drop a model and give its memory back to the device."""
    if lm is None:
        return
    import gc

    import torch

    close = getattr(lm.model, "close", None) if getattr(lm, "engine", "transformers") != "transformers" else None
    if close is not None:
        close()  # llama.cpp's memory, a server's connections
    lm.model = None
    lm.fast = None
    gc.unfreeze()  # the model's objects were exempted from collection when it loaded (settle_heap)
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def settle_heap() -> None:
    """Exempt the objects alive now (libraries, the loaded model, compiled kernels) from the
    garbage collector's full passes; ``unload`` gives them back.

    Once the fast path has compiled, a process holds about 650,000 objects, and each full
    collection walked them all: 0.3-0.48 s during which whichever thread triggered it stood
    still, the GUI thread right after an answer included (seen on an H200). Objects
    made later (one answer's text, tensors) are collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()


def list_models() -> list[ModelInfo | tuple[Path, str]]:
    """Installed model folders under ``models/``: a ModelInfo, or (folder, why it is unusable)."""
    found: list[ModelInfo | tuple[Path, str]] = []
    for folder in sorted(paths.models_dir().iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        try:
            found.append(inspect_model(folder))
        except ModelLoadError as exc:
            found.append((folder, str(exc)))
    return found


def default_model_dir() -> Path:
    return paths.default_model_dir()
