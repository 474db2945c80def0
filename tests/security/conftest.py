"""Fixtures of the security tests: an isolated data directory, an in-process keyring,
cheap Argon2 settings (the stored settings are what unlocking uses, so this changes
only how long the tests take), and an unlocked key with an open database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.storage import crypto, keyrings, security

PASSPHRASES = ("TERMLENS_PASSPHRASE", "TERMLENS_NEW_PASSPHRASE", "TERMLENS_BUNDLE_PASSPHRASE")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"  # the same folder the root conftest's fixture makes
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("TERMLENS_HOME", str(home))
    monkeypatch.setenv("TERMLENS_KEYRING", "memory")
    for name in PASSPHRASES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(security, "DEFAULT_KDF", crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))
    keyrings.reset_memory_keyring()
    yield home
    keyrings.reset_memory_keyring()


@pytest.fixture
def home(isolated: Path) -> Path:
    return isolated


@pytest.fixture
def key(home: Path) -> bytes:
    return security.KeyManager(home).ensure()


@pytest.fixture
def conn(home: Path, key: bytes):  # noqa: ANN201 - an sqlcipher3 connection
    from desktop.storage import db

    c = db.connect(home / "termlens.db", key)
    yield c
    c.close()
