"""Models already on the machine: TermLens's own, the Hugging Face cache, LM Studio, Ollama,
and any folder or ``.gguf`` file the person points at.

- Hugging Face cache (``$HF_HUB_CACHE``, ``$HF_HOME/hub``, ``~/.cache/huggingface/hub``):
  each ``models--org--name/snapshots/REV`` folder with safetensors weights, and GGUF files.
- LM Studio (``~/.lmstudio/models``, ``~/.cache/lm-studio/models``): its GGUF files.
- Ollama (``$OLLAMA_MODELS``, ``~/.ollama/models``, ``/usr/share/ollama/.ollama/models``):
  each manifest under ``manifests/`` names its model layer's blob (``blobs/sha256-…``),
  a GGUF; the model is called by the manifest's path (``llama3.2:3b``).

Each is described without loading it: name, size, quantisation, parameters, and
whether it fits in the memory free now. A GGUF runs on llama.cpp directly; ``import_gguf``
converts one into a safetensors folder under ``models/`` (for training, or a GPU) with the
default model's conversion, for the architectures transformers reads from GGUF
(``CONVERTIBLE``); the folder keeps a link to the GGUF so that llama.cpp still runs it on a
CPU. Knows nothing of Qt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from desktop import paths
from desktop.engine import llama_engine, models
from desktop.engine.gguf_file import read_header
from desktop.errors import ModelLoadError, StorageError

# transformers.integrations.ggml.GGUF_CONFIG_MAPPING (5.x): GGUF architectures it de-quantizes into a model
CONVERTIBLE = ("bloom", "deci", "falcon", "gemma2", "gemma3", "gpt2", "llama", "mamba", "mistral", "nemotron", "phi3",
               "qwen2", "qwen2moe", "qwen3", "qwen3moe", "stablelm", "starcoder2")


@dataclass
class FoundModel:
    name: str
    path: Path  # a model folder or a .gguf file
    source: str  # "TermLens", "Hugging Face cache", "LM Studio", "Ollama", "chosen"
    kind: str  # "gguf" or "safetensors"
    size_bytes: int = 0
    quantization: str = ""
    architecture: str = ""
    n_params: int = 0
    needed_bytes: int = 0
    free_bytes: int | None = None
    problem: str = ""  # why it cannot be used, in a sentence

    @property
    def fits(self) -> bool | None:
        if self.problem or self.free_bytes is None:
            return None
        return self.needed_bytes <= self.free_bytes

    @property
    def engine(self) -> str:
        return llama_engine.ENGINE if self.kind == "gguf" else "transformers"

    @property
    def convertible(self) -> bool:
        return self.kind == "gguf" and self.architecture in CONVERTIBLE


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def hf_cache_dirs() -> list[Path]:
    out = []
    if os.environ.get("HF_HUB_CACHE"):
        out.append(Path(os.environ["HF_HUB_CACHE"]))
    if os.environ.get("HF_HOME"):
        out.append(Path(os.environ["HF_HOME"]) / "hub")
    out.append(_home() / ".cache" / "huggingface" / "hub")
    return out


def lmstudio_dirs() -> list[Path]:
    return [_home() / ".lmstudio" / "models", _home() / ".cache" / "lm-studio" / "models"]


def ollama_dirs() -> list[Path]:
    out = [Path(os.environ["OLLAMA_MODELS"])] if os.environ.get("OLLAMA_MODELS") else []
    return out + [_home() / ".ollama" / "models", Path("/usr/share/ollama/.ollama/models")]


def describe_gguf(path: Path, *, source: str, name: str | None = None) -> FoundModel:
    free = models.free_memory("cpu")
    try:
        header = read_header(path)
        if header.is_adapter:
            raise ModelLoadError.of("{name} is a LoRA adapter, not a model.", name=path.name)
        info = llama_engine.gguf_info(header)
        return FoundModel(name=name or path.stem, path=path, source=source, kind="gguf", size_bytes=header.size_bytes,
                          quantization=header.quantization, architecture=header.architecture,
                          n_params=header.n_params, needed_bytes=llama_engine.needed_bytes(info), free_bytes=free)
    except ModelLoadError as exc:
        return FoundModel(name=name or path.stem, path=path, source=source, kind="gguf", problem=str(exc))


def describe_folder(folder: Path, *, source: str, name: str | None = None) -> FoundModel:
    try:
        info = models.inspect_model(folder)
        est = models.estimate_memory(info, device="cpu")
        return FoundModel(name=name or info.name, path=folder, source=source, kind="safetensors",
                          size_bytes=info.size_bytes, quantization=info.weights_dtype, architecture=info.model_type,
                          n_params=info.n_params, needed_bytes=est.needed_bytes, free_bytes=est.free_bytes)
    except ModelLoadError as exc:
        return FoundModel(name=name or folder.name, path=folder, source=source, kind="safetensors", problem=str(exc))


def _ggufs(root: Path) -> Iterable[Path]:
    for p in sorted(root.rglob("*.gguf")):
        if p.is_file() and not p.name.startswith("mmproj"):  # vision projectors are not chat models
            yield p


def scan_hf_cache(root: Path) -> list[FoundModel]:
    found = []
    for repo in sorted(root.glob("models--*")):
        name = repo.name.removeprefix("models--").replace("--", "/")
        snaps = sorted((repo / "snapshots").glob("*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for snap in snaps[:1]:  # the newest revision
            if (snap / "config.json").is_file() and any(snap.glob("*.safetensors")):
                found.append(describe_folder(snap, source="Hugging Face cache", name=name))
            found += [describe_gguf(g, source="Hugging Face cache", name=f"{name}/{g.name}") for g in _ggufs(snap)]
    return found


def scan_lmstudio(root: Path) -> list[FoundModel]:
    return [describe_gguf(g, source="LM Studio", name=str(g.relative_to(root).with_suffix(""))) for g in _ggufs(root)]


def scan_ollama(root: Path) -> list[FoundModel]:
    found = []
    manifests = root / "manifests"
    for manifest in sorted(p for p in manifests.rglob("*") if p.is_file()) if manifests.is_dir() else []:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        layer = next((x for x in data.get("layers", []) if x.get("mediaType") == "application/vnd.ollama.image.model"),
                     None)
        if not layer or not re.fullmatch(r"sha256:[0-9a-f]{64}", str(layer.get("digest", ""))):
            continue
        blob = root / "blobs" / layer["digest"].replace(":", "-")
        rel = manifest.relative_to(manifests).parts
        name = f"{rel[-2]}:{rel[-1]}" if len(rel) >= 2 else rel[-1]
        if rel[-3:-2] and rel[-3] != "library":
            name = f"{rel[-3]}/{name}"
        if blob.is_file():
            found.append(describe_gguf(blob, source="Ollama", name=name))
    return found


def scan(*, extra: Iterable[str | os.PathLike] = ()) -> list[FoundModel]:
    """Every model found: TermLens's own folders first, then the other stores, then ``extra``."""
    found: list[FoundModel] = []
    for folder in sorted(p for p in paths.models_dir().iterdir() if p.is_dir() and not p.name.startswith(".")):
        found.append(describe_folder(folder, source="TermLens"))
    for root in hf_cache_dirs():
        if root.is_dir():
            found += scan_hf_cache(root)
    for root in lmstudio_dirs():
        if root.is_dir():
            found += scan_lmstudio(root)
    for root in ollama_dirs():
        if root.is_dir():
            found += scan_ollama(root)
    for item in extra:
        found += describe_path(item)
    seen, unique = set(), []
    for f in found:
        key = os.path.abspath(f.path)  # two stores may link one file: both are offered
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def describe_path(item: str | os.PathLike) -> list[FoundModel]:
    """A folder or file the person chose: a model folder, a GGUF, or a folder of GGUF files."""
    p = Path(item).expanduser()
    if p.is_file():
        return [describe_gguf(p, source="chosen")]
    if (p / "config.json").is_file():
        return [describe_folder(p, source="chosen")]
    if p.is_dir():
        return [describe_gguf(g, source="chosen", name=str(g.relative_to(p).with_suffix(""))) for g in _ggufs(p)]
    return [FoundModel(name=p.name, path=p, source="chosen", kind="", problem=f"{p} does not exist.")]


def safe_folder_name(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "-", name).strip("-.")[:80] or "model"


def import_gguf(gguf: str | os.PathLike, *, name: str | None = None,
                on_progress: Callable[[float, str], None] | None = None) -> Path:
    """Convert a GGUF into a safetensors model folder under ``models/`` (atomically); returns it."""
    from desktop.engine.fetch import convert_gguf

    src = Path(gguf).expanduser()
    header = read_header(src)
    if header.architecture not in CONVERTIBLE:
        raise ModelLoadError.of(
            "{name} is a '{arch}' model, which transformers cannot read from GGUF, so it cannot be converted for "
            "training; llama.cpp still runs it for answers. Convertible: {archs}.", name=src.name,
            arch=header.architecture, archs=", ".join(CONVERTIBLE))
    target = paths.models_dir() / safe_folder_name(name or src.stem)
    if target.exists():
        raise StorageError.of("A model named {name} is already installed; choose another name.", name=target.name)
    work = Path(tempfile.mkdtemp(prefix=".import-", dir=target.parent))
    try:
        staged = work / "model"
        staged.mkdir()
        convert_gguf(src, staged, on_progress)
        (staged / "TERMLENS_SOURCE.json").write_text(json.dumps({"gguf": str(src.resolve())}, indent=2),
                                                     encoding="utf-8")
        link = staged / (src.name if src.suffix == ".gguf" else f"{safe_folder_name(src.name)}.gguf")
        link.symlink_to(src.resolve())  # llama.cpp keeps running the original on a CPU
        staged.rename(target)
    except OSError as exc:
        raise StorageError.of("The model could not be converted ({reason}); nothing was installed.",
                              reason=exc.strerror or str(exc)) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
