"""Models already on the machine: LM Studio's and Ollama's GGUF files are offered, one runs on
llama.cpp directly and one is converted into a safetensors folder and loaded by transformers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from desktop.engine import discovery, engines, generate, gguf_file, models
from desktop.errors import ModelLoadError
from tests.engine.llama_server import default_gguf


@pytest.fixture
def fake_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed_default_model: Path) -> dict[str, Path]:
    """A home with an LM Studio model folder and an Ollama store holding the default model's GGUF."""
    gguf = default_gguf(installed_default_model)
    home = tmp_path / "user"
    lms = home / ".lmstudio" / "models" / "HuggingFaceTB" / "SmolLM2-135M-Instruct-GGUF"
    lms.mkdir(parents=True)
    (lms / "smollm2-135m-instruct-q4_1.gguf").symlink_to(gguf)
    ollama = home / ".ollama" / "models"
    digest = hashlib.sha256(gguf.name.encode()).hexdigest()  # any 64-hex name: Ollama's blobs are content-named
    (ollama / "blobs").mkdir(parents=True)
    (ollama / "blobs" / f"sha256-{digest}").symlink_to(gguf)
    manifest = ollama / "manifests" / "registry.ollama.ai" / "library" / "smollm2" / "135m"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"schemaVersion": 2, "layers": [
        {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "0" * 64, "size": 10},
        {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}", "size": gguf.stat().st_size},
    ]}))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("OLLAMA_MODELS", raising=False)
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_HOME", raising=False)
    return {"lmstudio": lms, "ollama": ollama}


def test_lm_studio_and_ollama_models_are_offered_with_size_quantisation_and_memory(fake_stores) -> None:
    found = {f.source: f for f in discovery.scan() if f.source in ("LM Studio", "Ollama")}
    assert set(found) == {"LM Studio", "Ollama"}
    assert found["Ollama"].name == "smollm2:135m"
    assert found["LM Studio"].name == "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF/smollm2-135m-instruct-q4_1"
    for f in found.values():
        assert f.quantization == "Q4_1" and f.architecture == "llama" and f.engine == "llama.cpp"
        assert 130e6 < f.n_params < 140e6 and 90e6 < f.size_bytes < 110e6
        assert f.fits is True and f.needed_bytes > f.size_bytes and f.convertible and not f.problem


def test_a_found_gguf_runs_on_llama_cpp_directly(fake_stores) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    lms = next(f for f in discovery.scan() if f.source == "LM Studio")
    lm = engines.load(lms.path)
    try:
        assert lm.engine == "llama.cpp"
        g = generate.generate(lm, [{"role": "user", "content": "Say hello."}],
                              settings=generate.GenerationSettings(max_new_tokens=8))
        assert g.text.strip()
    finally:
        models.unload(lm)


def test_an_ollama_model_is_converted_once_and_loaded_by_transformers(fake_stores, termlens_home) -> None:
    ollama = next(f for f in discovery.scan() if f.source == "Ollama")
    folder = discovery.import_gguf(ollama.path, name="smollm2-135m")
    assert folder == termlens_home / "models" / "smollm2-135m"
    assert (folder / "model.safetensors").is_file() and (folder / "config.json").is_file()
    lm = models.load_model(folder, device="cpu")
    try:
        g = generate.generate(lm, [{"role": "user", "content": "Say hello."}],
                              settings=generate.GenerationSettings(max_new_tokens=8))
        assert g.text.strip()
    finally:
        models.unload(lm)
    assert any(f.path == folder and f.source == "TermLens" for f in discovery.scan())
    with pytest.raises(Exception, match="already installed"):
        discovery.import_gguf(ollama.path, name="smollm2-135m")


def test_an_architecture_transformers_cannot_read_is_named(tmp_path, monkeypatch, installed_default_model) -> None:
    header = gguf_file.read_header(default_gguf(installed_default_model))
    header.metadata["general.architecture"] = "rwkv6"
    monkeypatch.setattr(discovery, "read_header", lambda _p: header)
    with pytest.raises(ModelLoadError, match="'rwkv6' model, which transformers cannot read from GGUF"):
        discovery.import_gguf(tmp_path / "x.gguf")


def test_a_damaged_file_is_listed_with_its_reason(tmp_path) -> None:
    (tmp_path / "half.gguf").write_bytes(b"GGUF\x03\x00\x00\x00\x05")
    (tmp_path / "other.gguf").write_bytes(b"PK\x03\x04zip")
    rows = {f.path.name: f for f in discovery.describe_path(tmp_path)}
    assert "truncated" in rows["half.gguf"].problem and rows["half.gguf"].fits is None
    assert "not a GGUF file" in rows["other.gguf"].problem
