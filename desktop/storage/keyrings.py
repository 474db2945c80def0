"""Keyring backends: where the data key can be kept outside TermLens's own files.

The key goes into the operating system's keyring only when that keyring is secure:
failing and null backends, backends that keyring itself marks "not recommended" and
every keyrings.alt backend (secrets in a plain or home-made file) are refused, and a
chain counts only if each of its members does. Where none is secure,
``default_backend`` returns None and ``KeyManager`` (``desktop.storage.security``) needs a
passphrase instead; there is no silent fallback to storing the key in the clear.

Tests select a keyring with ``TERMLENS_KEYRING``: ``memory`` (an in-process store) or
``none`` (no keyring: a passphrase is needed). This module knows nothing of data
directories, of encryption or of Qt.
"""

from __future__ import annotations

import os
from typing import Protocol

from desktop import log

_log = log.get("security")  # the name the keyring lines have always been logged under


class KeyStore(Protocol):
    """What ``KeyManager`` needs of a keyring backend (``keyring`` backends fit it)."""

    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


class MemoryKeyring:
    """An in-process keyring (``TERMLENS_KEYRING=memory``): for tests, and for the throwaway
    data folder of ``main.py --screenshot``.

    Deliberately not a ``keyring.backend.KeyringBackend`` subclass: those register
    themselves for automatic selection, and a key kept only in memory must never be
    chosen for real data.
    """

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


_memory_keyring: MemoryKeyring | None = None


def memory_keyring() -> MemoryKeyring:
    """The process's test keyring (created on first use)."""
    global _memory_keyring
    if _memory_keyring is None:
        _memory_keyring = MemoryKeyring()
    return _memory_keyring


def reset_memory_keyring() -> None:
    """Empty the test keyring (tests call it between cases)."""
    if _memory_keyring is not None:
        _memory_keyring.entries.clear()


def is_secure_backend(backend: object) -> bool:
    """Whether ``backend`` keeps secrets protected by the operating system.

    Failing and null backends, backends of priority below 1 (keyring's own mark for
    "not recommended") and every keyrings.alt backend (plain or home-made file
    storage) are refused; a chain is secure only if each of its members is.
    """
    if backend is None:
        return False
    if isinstance(backend, MemoryKeyring):
        return True
    from keyring.backends import chainer, fail, null

    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        return bool(members) and all(is_secure_backend(b) for b in members)
    if type(backend).__module__.startswith("keyrings.alt"):
        return False
    try:
        return float(backend.priority) >= 1  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a backend that cannot say is not trusted
        return False


def default_backend() -> KeyStore | None:
    """The secure keyring to use, or None when there is none (a passphrase is then needed)."""
    choice = os.environ.get("TERMLENS_KEYRING", "").strip().lower()
    if choice == "memory":
        return memory_keyring()
    if choice in ("none", "off", "fail"):
        return None
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - no keyring is a normal situation
        _log.info("no keyring backend (%s)", type(exc).__name__)
        return None
    if not is_secure_backend(backend):
        _log.info("keyring backend %s is not secure; a passphrase is needed", type(backend).__name__)
        return None
    return backend


def backend_name(backend: object | None) -> str:
    return "none" if backend is None else f"{type(backend).__module__}.{type(backend).__name__}"
