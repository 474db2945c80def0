"""Keyring backends: where the data key can be kept outside TermLens's own files.

The key goes into the operating system's keyring only when that keyring is secure:
failing and null backends, backends that keyring itself marks "not recommended" and
every keyrings.alt backend (secrets in a plain or home-made file) are refused, and a
chain counts only if each of its members does. Where none is secure,
``default_backend`` returns None and ``KeyManager`` (``desktop.storage.security``) needs a
passphrase instead; there is no silent fallback to storing the key in the clear.

``ServerKeys`` keeps the API key of a model server on the user's network the same way:
in the secure keyring when there is one, else in the encrypted database (a private
setting, sealed with the data key like the conversations); never in ``config.toml``.

Tests select a keyring with ``TERMLENS_KEYRING``: ``memory`` (an in-process store) or
``none`` (no keyring: a passphrase is needed). This module knows nothing of data
directories, of encryption or of Qt.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

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


SERVICE = "TermLens"  # the keyring service, the same as the data key's (desktop.storage.security)


class PrivateSettings(Protocol):
    """Where a secret goes without a keyring: the encrypted database's private settings."""

    def private_setting(self, name: str) -> str | None: ...
    def set_private_setting(self, name: str, value: str) -> None: ...


_AUTO: Any = object()


class ServerKeys:
    """The API key of each model server, by its address: in the secure keyring (``backend``,
    default ``default_backend()``) when there is one, else in ``store`` (encrypted)."""

    def __init__(self, store: PrivateSettings, *, backend: KeyStore | None = _AUTO) -> None:
        self.store = store
        self.backend: KeyStore | None = default_backend() if backend is _AUTO else backend

    @staticmethod
    def entry(url: str) -> str:
        return f"server-key:{url}"

    def get(self, url: str) -> str:
        """The key kept for ``url`` ("" when none)."""
        if not url:
            return ""
        if self.backend is not None:
            try:
                value = self.backend.get_password(SERVICE, self.entry(url))
            except Exception as exc:  # noqa: BLE001 - keyring backends raise their own types
                _log.info("server key not readable from the keyring (%s)", type(exc).__name__)
                value = None
            if value:
                return value
        return self.store.private_setting(self.entry(url)) or ""

    def set(self, url: str, key: str) -> str:
        """Keep ``key`` for ``url`` (an empty key forgets it); returns where: "keyring" or "database"."""
        if not key:
            self.forget(url)
            return ""
        if self.backend is not None:
            try:
                self.backend.set_password(SERVICE, self.entry(url), key)
                if self.backend.get_password(SERVICE, self.entry(url)) == key:
                    if self.store.private_setting(self.entry(url)):
                        self.store.set_private_setting(self.entry(url), "")  # one copy only
                    _log.info("server key kept in keyring %s", backend_name(self.backend))
                    return "keyring"
            except Exception as exc:  # noqa: BLE001 - fall back to the encrypted database
                _log.info("keyring refused the server key (%s); keeping it encrypted in the database",
                          type(exc).__name__)
        self.store.set_private_setting(self.entry(url), key)
        _log.info("server key kept in the encrypted database")
        return "database"

    def forget(self, url: str) -> None:
        if self.backend is not None:
            try:
                self.backend.delete_password(SERVICE, self.entry(url))
            except Exception:  # noqa: BLE001 - nothing kept there, or the keyring is locked
                pass
        if self.store.private_setting(self.entry(url)):
            self.store.set_private_setting(self.entry(url), "")
