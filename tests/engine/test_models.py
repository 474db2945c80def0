"""Checking and loading model folders: good ones load, bad ones are refused with a sentence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop.engine import models
from desktop.errors import ModelLoadError


def test_inspect_describes_a_good_folder(tiny_model_dir: Path) -> None:
    info = models.inspect_model(tiny_model_dir)
    assert info.model_type == "qwen2"
    assert info.architecture == "Qwen2ForCausalLM"
    assert info.n_params > 10_000
    assert info.has_chat_template
    assert info.weights_dtype == "F32"


def test_load_on_cpu_in_float32(tiny_model_dir: Path) -> None:
    lm = models.load_model(tiny_model_dir, device="cpu")
    assert lm.device == "cpu" and lm.dtype == "float32"
    assert len(lm.fingerprint) == 16
    assert str(next(lm.model.parameters()).dtype) == "torch.float32"


def test_pickle_only_folder_is_refused(tiny_model_copy: Path) -> None:
    (tiny_model_copy / "model.safetensors").rename(tiny_model_copy / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="pickle"):
        models.inspect_model(tiny_model_copy)


def test_folder_without_tokenizer_is_refused(tiny_model_copy: Path) -> None:
    (tiny_model_copy / "tokenizer.json").unlink()
    with pytest.raises(ModelLoadError, match="no tokenizer"):
        models.inspect_model(tiny_model_copy)


def test_unknown_architecture_is_refused(tiny_model_copy: Path) -> None:
    cfg = json.loads((tiny_model_copy / "config.json").read_text())
    cfg["model_type"] = "my_private_arch"
    (tiny_model_copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelLoadError, match="cannot run"):
        models.inspect_model(tiny_model_copy)
    cfg["model_type"], cfg["architectures"] = "bert", ["BertForMaskedLM"]
    (tiny_model_copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelLoadError, match="not a text-generation model"):
        models.inspect_model(tiny_model_copy)


def test_not_a_model_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="config.json"):
        models.inspect_model(tmp_path)
    with pytest.raises(ModelLoadError, match="not a folder"):
        models.inspect_model(tmp_path / "missing")


def test_truncated_weights_are_refused(tiny_model_copy: Path) -> None:
    w = tiny_model_copy / "model.safetensors"
    data = w.read_bytes()
    w.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="truncated"):
        models.inspect_model(tiny_model_copy)


def test_config_that_lies_about_shapes_is_refused(tiny_model_copy: Path) -> None:
    cfg = json.loads((tiny_model_copy / "config.json").read_text())
    cfg["hidden_size"] = cfg["hidden_size"] * 2
    (tiny_model_copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelLoadError, match="could not be loaded"):
        models.load_model(tiny_model_copy, device="cpu")


def test_fingerprint_tells_checkpoints_apart(tiny_model_dir: Path, tmp_path: Path) -> None:
    from tests.tiny import make_tiny_model

    other = make_tiny_model(tmp_path / "other", seed=1)
    assert models.fingerprint(tiny_model_dir) != models.fingerprint(other)
    same = tmp_path / "same"
    shutil.copytree(tiny_model_dir, same)
    assert models.fingerprint(tiny_model_dir) == models.fingerprint(same)


def test_memory_estimate_covers_the_weights(tiny_model_dir: Path) -> None:
    info = models.inspect_model(tiny_model_dir)
    est = models.estimate_memory(info, device="cpu")
    assert est.needed_bytes > info.n_params * 4
    assert est.free_bytes is None or est.free_bytes > 0
