"""Encryption at rest: the data key of a data directory, where it is kept, and moving it.

What is encrypted:

* ``termlens.db`` (glossary, conversations, prompts, training-review state) is one
  SQLCipher database encrypted as a whole (see ``desktop.storage.db``). Whole-database
  encryption was chosen over encrypting columns because search keeps working (FTS5
  trigram indexes live inside the encrypted pages) and nothing is ever written in
  the clear: not the tables, not the indexes, not the WAL, not temporary pages.
* Files the app writes that can hold client text (training data, evaluation
  reports, conversation exports the user wants encrypted) are sealed with
  AES-256-GCM by ``encrypt_file`` under a key derived from the data key (see
  ``desktop.storage.crypto``).

Where the data key lives (``KeyManager``):

* By default, a random 256-bit key in the operating system's keyring (service
  ``TermLens``, one entry per data directory, named by its resolved path); which
  keyrings count as secure is ``desktop.storage.keyrings``'s call.
* Where no secure keyring exists, or where the person chooses to, the key is wrapped
  with a passphrase (``desktop.storage.crypto``) and ``keyfile.json`` beside the database
  keeps it. There is no silent fallback to storing the key in the clear.

Changing the passphrase rewraps the data key; nothing is re-encrypted. A bundle
(``desktop.storage.bundle``) moves a data directory to another machine with its key wrapped
by a passphrase. The cipher and the key derivation are ``desktop.storage.crypto``'s; import
them from there. This module knows nothing of Qt, and nothing of the database beyond its
file name (``desktop.storage.db`` asks it for the key, never the other way round).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from desktop import log
from desktop.storage.atomic import write_text_atomic
from desktop.storage.crypto import (
    DEFAULT_KDF,
    KEY_BYTES,
    KdfParams,
    check_new_passphrase,
    unwrap_key,
    wrap_key,
)
from desktop.errors import StorageError
from desktop.storage.keyrings import KeyStore, backend_name, default_backend

_log = log.get("security")

SERVICE = "TermLens"
KEYFILE_NAME = "keyfile.json"
DB_NAME = "termlens.db"

Status = Literal["keyring", "passphrase-needed", "new", "key-missing"]


class PassphraseRequired(StorageError):
    """The key is protected by a passphrase, or no secure keyring exists to keep it."""


# --- the key manager --------------------------------------------------------------------

_AUTO: Any = object()


class KeyManager:
    """The data key of one data directory: find it, create it, unlock it, move it.

    ``backend`` is the keyring to use (default: ``default_backend()``; None: no keyring,
    a passphrase is always needed). ``kdf`` sets the Argon2id cost of new wrappings
    (default: ``DEFAULT_KDF``); unwrapping always uses the cost stored with the key.
    The unlocked key is kept on the instance only, until ``lock()``.
    """

    def __init__(self, home: str | os.PathLike[str] | None = None, *, backend: KeyStore | None = _AUTO, kdf: KdfParams | None = None) -> None:
        if home is None:
            from desktop import paths

            home = paths.home()
        self.home = Path(home).expanduser().resolve()
        self.backend: KeyStore | None = default_backend() if backend is _AUTO else backend
        self._kdf = kdf
        self._key: bytes | None = None

    # -- where things are --

    @property
    def keyfile(self) -> Path:
        return self.home / KEYFILE_NAME

    @property
    def db_file(self) -> Path:
        return self.home / DB_NAME

    @property
    def entry(self) -> str:
        """The keyring entry name: one per data directory."""
        return f"data-key:{self.home}"

    @property
    def kdf(self) -> KdfParams:
        # Read here and always passed to wrap_key, so that tests which lower the cost by
        # patching ``security.DEFAULT_KDF`` reach every wrapping.
        return self._kdf or DEFAULT_KDF

    # -- state --

    def _keyring_value(self) -> str | None:
        if self.backend is None:
            return None
        try:
            return self.backend.get_password(SERVICE, self.entry)
        except Exception as exc:  # noqa: BLE001 - keyring backends raise their own types
            raise StorageError.of("The system keyring could not be read; unlock it and try again.") from exc

    def status(self) -> Status:
        """``passphrase-needed`` (a keyfile exists), ``keyring`` (the key is in the keyring),
        ``key-missing`` (a database exists but no key for it) or ``new`` (nothing yet)."""
        if self.keyfile.exists():
            return "passphrase-needed"
        if self._keyring_value():
            return "keyring"
        if self.db_file.exists() and not _is_plaintext_db(self.db_file):
            return "key-missing"
        return "new"  # nothing yet, or a database an older TermLens wrote in the clear

    def has_secure_keyring(self) -> bool:
        return self.backend is not None

    @property
    def unlocked(self) -> bool:
        return self._key is not None

    def lock(self) -> None:
        """Forget the unlocked key (the next use needs ``unlock`` again)."""
        self._key = None

    # -- unlock / create --

    def unlock(self, passphrase: str | None = None) -> bytes:
        """The data key. Raises ``PassphraseRequired``, ``WrongPassphrase`` or ``StorageError``."""
        if self._key is not None:
            return self._key
        if self.keyfile.exists():
            if not passphrase:
                raise PassphraseRequired.of("Enter your passphrase to open your TermLens data.")
            self._key = unwrap_key(self._read_keyfile(), passphrase, what="your TermLens data")
            _log.info("data key unlocked with a passphrase")
            return self._key
        value = self._keyring_value()
        if value:
            try:
                key = bytes.fromhex(value)
            except ValueError:
                key = b""
            if len(key) != KEY_BYTES:
                raise StorageError.of("The key kept in the system keyring for TermLens is damaged.")
            self._key = key
            return key
        if self.db_file.exists() and not _is_plaintext_db(self.db_file):
            raise StorageError.of(
                "The key for this TermLens data directory is missing, so its encrypted data cannot be opened. "
                "If you moved it from another computer, import it with an exported bundle."
            )
        raise StorageError.of("TermLens has no key for this data directory yet.")

    def create(self, passphrase: str | None = None) -> bytes:
        """Make a new data key: in the keyring, or wrapped with ``passphrase`` if one is given.

        Without a passphrase and without a secure keyring this raises
        ``PassphraseRequired``: the key is never stored in the clear.
        """
        if self.status() != "new":
            raise StorageError.of("This data directory already has a key; TermLens will not replace it.")
        key = os.urandom(KEY_BYTES)
        if passphrase is not None:
            self._write_keyfile(key, check_new_passphrase(passphrase))
            _log.info("data key created, protected by a passphrase")
        else:
            self._store_in_keyring(key)
            _log.info("data key created in keyring %s", backend_name(self.backend))
        self._key = key
        return key

    def ensure(self, passphrase: str | None = None) -> bytes:
        """``unlock``, or ``create`` when this data directory has no key yet."""
        if self._key is None and self.status() == "new":
            return self.create(passphrase)
        return self.unlock(passphrase)

    def _store_in_keyring(self, key: bytes) -> None:
        if self.backend is None:
            raise PassphraseRequired.of(
                "This computer has no secure keyring for TermLens's key; choose a passphrase to protect your data."
            )
        try:
            self.backend.set_password(SERVICE, self.entry, key.hex())
            stored = self.backend.get_password(SERVICE, self.entry)
        except Exception as exc:  # noqa: BLE001
            raise StorageError.of("The system keyring refused to keep TermLens's key; unlock it and try again.") from exc
        if stored != key.hex():
            raise StorageError.of("The system keyring did not keep TermLens's key; choose a passphrase instead.")

    # -- passphrase --

    def _read_keyfile(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.keyfile.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StorageError.of("The key file {path} cannot be read; it may be damaged.", path=str(self.keyfile)) from exc
        if not isinstance(doc, dict) or doc.get("format") != "termlens-keyfile":
            raise StorageError.of("{path} is not a TermLens key file.", path=str(self.keyfile))
        if doc.get("version") != 1:
            raise StorageError.of("The key file was written by a newer TermLens; update TermLens to open your data.")
        return doc

    def _write_keyfile(self, key: bytes, passphrase: str) -> None:
        doc = {"format": "termlens-keyfile", "version": 1, **wrap_key(key, passphrase, self.kdf)}
        write_text_atomic(self.keyfile, json.dumps(doc, indent=2) + "\n")

    def change_passphrase(self, old: str | None, new: str) -> None:
        """Rewrap the data key with ``new``. With the key in the keyring, ``old`` is None and
        the key moves from the keyring to a passphrase-protected key file; with no key
        yet, a new one is created under ``new``."""
        check_new_passphrase(new)
        if self.status() == "new":
            self.create(new)
            return
        if self.keyfile.exists():
            if not old:
                raise PassphraseRequired.of("Enter your current passphrase to change it.")
            key = unwrap_key(self._read_keyfile(), old, what="your TermLens data")
            self._write_keyfile(key, new)
            self._key = key
            _log.info("passphrase changed")
            return
        key = self.unlock()
        self._write_keyfile(key, new)
        try:
            if self.backend is not None:
                self.backend.delete_password(SERVICE, self.entry)
        except Exception:  # noqa: BLE001 - the key file now rules (status checks it first)
            _log.warning("could not remove the key from the keyring after setting a passphrase")
        _log.info("data key moved from the keyring to a passphrase")

    def remove_passphrase(self, passphrase: str) -> None:
        """Move the key from the passphrase-protected key file into the secure keyring."""
        if not self.keyfile.exists():
            return
        key = unwrap_key(self._read_keyfile(), passphrase, what="your TermLens data")
        self._store_in_keyring(key)
        self.keyfile.unlink()
        self._key = key
        _log.info("data key moved from a passphrase to the keyring")

    def keep(self, key: bytes, passphrase: str) -> None:
        """Keep ``key`` (one brought from elsewhere, e.g. a bundle) for this data directory:
        in the secure keyring, or wrapped with ``passphrase`` in the key file when none."""
        if self.backend is not None:
            self._store_in_keyring(key)
        else:
            self._write_keyfile(key, passphrase)
        self._key = key


def _is_plaintext_db(path: Path) -> bool:
    """A database written in the clear by an older TermLens (encrypted at its next open), or
    an empty file: neither needs a key that was lost."""
    try:
        with open(path, "rb") as f:
            return f.read(16) in (b"SQLite format 3\x00", b"")
    except OSError:
        return False
