"""The cryptography of encryption at rest: passphrase wrapping and encrypted files.

* Wrapping: Argon2id (memory-hard, so guessing is slow even on GPUs) turns a
  passphrase into a key-encryption key, which seals the data key with AES-GCM.
  ``wrap_key`` returns the salt, the Argon2 parameters and the sealed key as a
  JSON-ready dict, kept in ``keyfile.json`` or in a bundle's manifest.
* Files that can hold client text are sealed with AES-256-GCM by ``encrypt_file``:
  a small header (magic, version, nonce) and authenticated ciphertext, written
  atomically. GCM detects any change to the file, so a damaged or tampered file is
  refused rather than half read. Its key is derived from the data key with HKDF so
  the two uses never share a key.

Keys come in and go out as bytes: where the data key is kept is the business of
``desktop.storage.security`` and ``desktop.storage.keyrings``. This module knows nothing of the
database or of Qt.
"""

from __future__ import annotations

import base64
import os
import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.storage.atomic import write_bytes_atomic
from desktop.errors import StorageError

KEY_BYTES = 32
MIN_PASSPHRASE = 8


class WrongPassphrase(StorageError):
    """The passphrase does not unlock the key (or the bundle)."""


# --- passphrase wrapping ----------------------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: ``memory_cost`` in KiB. The defaults follow RFC 9106's second recommendation."""

    time_cost: int = 3
    memory_cost: int = 64 * 1024
    parallelism: int = 4

    def check(self) -> KdfParams:
        ok = (
            1 <= self.time_cost <= 64
            and 1 <= self.parallelism <= 64
            and 8 * self.parallelism <= self.memory_cost <= 4 * 1024 * 1024
        )
        if not ok:
            raise StorageError.of("The key file has unusable settings; it may be damaged.")
        return self


DEFAULT_KDF = KdfParams()
_WRAP_AAD = b"TermLens data key v1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def check_new_passphrase(passphrase: str | None) -> str:
    """Refuse a passphrase too short to protect anything; return it."""
    if not passphrase or len(passphrase) < MIN_PASSPHRASE:
        raise StorageError.of("Choose a passphrase of at least {n} characters.", n=MIN_PASSPHRASE)
    return passphrase


def _kek(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def wrap_key(key: bytes, passphrase: str, params: KdfParams | None = None) -> dict[str, Any]:
    """The data key sealed with a key derived from ``passphrase`` (a JSON-ready dict)."""
    params = (params or DEFAULT_KDF).check()
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_kek(passphrase, salt, params)).encrypt(nonce, key, _WRAP_AAD)
    return {
        "kdf": {"name": "argon2id", "salt": _b64(salt), **asdict(params)},
        "cipher": "aes-256-gcm",
        "nonce": _b64(nonce),
        "wrapped_key": _b64(sealed),
    }


def unwrap_key(wrapped: dict[str, Any], passphrase: str, *, what: str = "your TermLens data") -> bytes:
    """The data key from ``wrap_key``'s dict; ``WrongPassphrase`` if the passphrase does not fit."""
    try:
        kdf = wrapped["kdf"]
        if kdf["name"] != "argon2id" or wrapped["cipher"] != "aes-256-gcm":
            raise ValueError("unknown algorithm")
        params = KdfParams(int(kdf["time_cost"]), int(kdf["memory_cost"]), int(kdf["parallelism"]))
        salt, nonce, sealed = _unb64(kdf["salt"]), _unb64(wrapped["nonce"]), _unb64(wrapped["wrapped_key"])
    except (KeyError, TypeError, ValueError) as exc:
        if what == "this bundle":
            raise StorageError.of("The key file for this bundle is damaged or was written by a newer TermLens.") from exc
        raise StorageError.of("The key file for your TermLens data is damaged or was written by a newer "
                              "TermLens.") from exc
    params.check()
    try:
        key = AESGCM(_kek(passphrase, salt, params)).decrypt(nonce, sealed, _WRAP_AAD)
    except InvalidTag:
        if what == "this bundle":
            raise WrongPassphrase.of("That passphrase does not unlock this bundle. Check it and try again.") from None
        raise WrongPassphrase.of("That passphrase does not unlock your TermLens data. Check it and try again.") from None
    if len(key) != KEY_BYTES:
        if what == "this bundle":
            raise StorageError.of("The key file for this bundle is damaged.")
        raise StorageError.of("The key file for your TermLens data is damaged.")
    return key


# --- encrypted files -----------------------------------------------------------------

FILE_MAGIC = b"TLENC"
FILE_VERSION = 1
_HEADER = struct.Struct(">5sB12s")  # magic, version, nonce


def file_key(data_key: bytes) -> bytes:
    """The key for encrypted files, derived from the data key (never the database key itself)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"TermLens file encryption v1").derive(data_key)


def encrypt_bytes(data: bytes, key: bytes) -> bytes:
    """``data`` sealed with AES-256-GCM under ``file_key(key)``; the header is authenticated too."""
    header = _HEADER.pack(FILE_MAGIC, FILE_VERSION, os.urandom(12))
    return header + AESGCM(file_key(key)).encrypt(header[-12:], data, header)


def decrypt_bytes(blob: bytes, key: bytes, *, name: str = "The file") -> bytes:
    if not is_encrypted_blob(blob):
        raise StorageError.of("{name} is not a TermLens encrypted file.", name=name)
    magic, version, nonce = _HEADER.unpack_from(blob)
    if version != FILE_VERSION:
        raise StorageError.of("{name} was written by a newer TermLens; update TermLens to open it.", name=name)
    try:
        return AESGCM(file_key(key)).decrypt(nonce, blob[_HEADER.size :], blob[: _HEADER.size])
    except InvalidTag:
        raise StorageError.of("{name} cannot be decrypted: it was changed or damaged, or belongs to another data "
                              "directory.", name=name) from None


def is_encrypted_blob(blob: bytes) -> bool:
    return len(blob) >= _HEADER.size + 16 and blob[:5] == FILE_MAGIC


def is_encrypted_file(path: str | os.PathLike[str]) -> bool:
    try:
        with open(path, "rb") as f:
            return is_encrypted_blob(f.read(_HEADER.size + 16))
    except OSError:
        return False


def encrypt_file(data: bytes, path: str | os.PathLike[str], *, key: bytes) -> None:
    """Write ``data`` encrypted to ``path``, atomically (the old file stays if anything fails)."""
    write_bytes_atomic(path, encrypt_bytes(data, key))


def decrypt_file(path: str | os.PathLike[str], *, key: bytes) -> bytes:
    """The plaintext of a file written by ``encrypt_file``; ``StorageError`` if it was altered."""
    p = Path(path)
    try:
        blob = p.read_bytes()
    except OSError as exc:
        raise StorageError.of("{name} could not be read ({reason}).", name=p.name,
                              reason=exc.strerror or type(exc).__name__) from exc
    return decrypt_bytes(blob, key, name=p.name)
