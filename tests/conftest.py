"""Fixtures shared by every test tier.

Every test runs in its own data directory (``TERMLENS_HOME``) with an in-memory
keyring, offscreen Qt, and the offline environment. ``default_model_dir`` is the
embedded default model installed by ``python main.py models fetch-default`` (found
before the home is isolated, then linked into each test's home); ``tiny_model_dir``
is a tiny random Qwen2 model built once per session from a config.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TERMLENS_KEYRING", "memory")

from desktop.engine import offline  # noqa: E402,F401  (offline environment before transformers)


def _find_default_model() -> Path | None:
    """The installed default model, looked up in the real data directory before isolation."""
    candidates = []
    if os.environ.get("TERMLENS_TEST_MODEL"):
        candidates.append(Path(os.environ["TERMLENS_TEST_MODEL"]))
    from desktop import paths

    candidates.append(paths.default_model_dir())
    for c in candidates:
        if (c / "model.safetensors").is_file() and (c / "config.json").is_file():
            return c
    return None


_DEFAULT_MODEL = _find_default_model()


def _forget_keys() -> None:
    from desktop import errors
    from desktop.storage import appdata, keyrings

    appdata.forget_keys()
    keyrings.reset_memory_keyring()
    errors.set_translator(None)  # error sentences in English unless a test switches the language


@pytest.fixture(autouse=True)
def termlens_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TERMLENS_HOME", str(home))
    monkeypatch.setenv("TERMLENS_KEYRING", "memory")
    monkeypatch.delenv("TERMLENS_PASSPHRASE", raising=False)
    _forget_keys()  # each test starts locked, with an empty keyring
    yield home
    _forget_keys()


@pytest.fixture(scope="session")
def installed_default_model() -> Path:
    if _DEFAULT_MODEL is None:
        pytest.skip("the default model is not installed: run `python main.py models fetch-default`")
    return _DEFAULT_MODEL


@pytest.fixture
def default_model_dir(installed_default_model: Path, termlens_home: Path) -> Path:
    """The default model, visible at its usual place inside this test's home."""
    target = termlens_home / "models" / installed_default_model.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.symlink_to(installed_default_model, target_is_directory=True)
    return target


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-qwen2")


@pytest.fixture
def tiny_model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny model a test may damage."""
    dest = tmp_path / "tiny-copy"
    shutil.copytree(tiny_model_dir, dest)
    return dest


def pytest_collection_modifyitems(config, items):
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except Exception:  # noqa: BLE001
        has_cuda = False
    skip_cuda = pytest.mark.skip(reason="needs an NVIDIA GPU")
    for item in items:
        if "cuda" in item.keywords and not has_cuda:
            item.add_marker(skip_cuda)
