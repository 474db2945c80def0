"""Encryption at rest: the data key, where it is kept, and encrypted files.

What is encrypted, and how:

* ``termlens.db`` (glossary, conversations, prompts, training-review state) is one
  SQLCipher database encrypted as a whole (see ``desktop.db``). Whole-database
  encryption was chosen over encrypting columns because search keeps working (FTS5
  trigram indexes live inside the encrypted pages) and nothing is ever written in
  the clear: not the tables, not the indexes, not the WAL, not temporary pages.
* Files the app writes that can hold client text (training data, evaluation
  reports, conversation exports the user wants encrypted) are sealed with AES-256-GCM
  by ``encrypt_file``: a small header (magic, version, nonce) and authenticated
  ciphertext, written atomically. GCM detects any change to the file, so a damaged
  or tampered file is refused rather than half read. Its key is derived from the data
  key with HKDF so the two uses never share a key.

Where the data key lives:

* By default, a random 256-bit key in the operating system's keyring (service
  ``TermLens``, one entry per data directory, named by its resolved path).
* Where no secure keyring exists (none at all, or one that stores secrets in a plain
  file, such as keyrings.alt's), or where the person chooses to, the key is wrapped
  with a passphrase: Argon2id (memory-hard, so guessing is slow even on GPUs) turns
  the passphrase into a key-encryption key, and ``keyfile.json`` beside the database
  keeps the salt, the Argon2 parameters and the data key sealed with AES-GCM. There
  is no silent fallback to storing the key in the clear.

Changing the passphrase rewraps the data key; nothing is re-encrypted. A bundle
(``export_bundle``/``import_bundle``) moves a data directory to another machine with
its key wrapped by a passphrase.

Tests select a keyring with ``TERMLENS_KEYRING``: ``memory`` (an in-process store) or
``none`` (no keyring: a passphrase is needed). This module knows nothing of Qt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import struct
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop import log
from desktop.atomic import storage_error, write_bytes_atomic, write_text_atomic
from desktop.errors import StorageError

_log = log.get("security")

SERVICE = "TermLens"
KEYFILE_NAME = "keyfile.json"
DB_NAME = "termlens.db"
BUNDLE_MANIFEST = "termlens-bundle.json"
KEY_BYTES = 32
MIN_PASSPHRASE = 8

Status = Literal["keyring", "passphrase-needed", "new", "key-missing"]


class WrongPassphrase(StorageError):
    """The passphrase does not unlock the key (or the bundle)."""


class PassphraseRequired(StorageError):
    """The key is protected by a passphrase, or no secure keyring exists to keep it."""


# --- keyring backends -----------------------------------------------------------------


class KeyStore(Protocol):
    """What ``KeyManager`` needs of a keyring backend (``keyring`` backends fit it)."""

    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


class MemoryKeyring:
    """An in-process keyring for tests (``TERMLENS_KEYRING=memory``).

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
            raise StorageError("The key file has unusable settings; it may be damaged.")
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
        raise StorageError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")
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


def unwrap_key(wrapped: dict[str, Any], passphrase: str, *, what: str = "the data") -> bytes:
    """The data key from ``wrap_key``'s dict; ``WrongPassphrase`` if the passphrase does not fit."""
    try:
        kdf = wrapped["kdf"]
        if kdf["name"] != "argon2id" or wrapped["cipher"] != "aes-256-gcm":
            raise ValueError("unknown algorithm")
        params = KdfParams(int(kdf["time_cost"]), int(kdf["memory_cost"]), int(kdf["parallelism"]))
        salt, nonce, sealed = _unb64(kdf["salt"]), _unb64(wrapped["nonce"]), _unb64(wrapped["wrapped_key"])
    except (KeyError, TypeError, ValueError) as exc:
        raise StorageError(f"The key file for {what} is damaged or was written by a newer TermLens.") from exc
    params.check()
    try:
        key = AESGCM(_kek(passphrase, salt, params)).decrypt(nonce, sealed, _WRAP_AAD)
    except InvalidTag:
        raise WrongPassphrase(f"That passphrase does not unlock {what}. Check it and try again.") from None
    if len(key) != KEY_BYTES:
        raise StorageError(f"The key file for {what} is damaged.")
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
        raise StorageError(f"{name} is not a TermLens encrypted file.")
    magic, version, nonce = _HEADER.unpack_from(blob)
    if version != FILE_VERSION:
        raise StorageError(f"{name} was written by a newer TermLens; update TermLens to open it.")
    try:
        return AESGCM(file_key(key)).decrypt(nonce, blob[_HEADER.size :], blob[: _HEADER.size])
    except InvalidTag:
        raise StorageError(f"{name} cannot be decrypted: it was changed or damaged, or belongs to another data directory.") from None


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
        raise StorageError(f"{p.name} could not be read ({exc.strerror or type(exc).__name__}).") from exc
    return decrypt_bytes(blob, key, name=p.name)


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
        return self._kdf or DEFAULT_KDF

    # -- state --

    def _keyring_value(self) -> str | None:
        if self.backend is None:
            return None
        try:
            return self.backend.get_password(SERVICE, self.entry)
        except Exception as exc:  # noqa: BLE001 - keyring backends raise their own types
            raise StorageError("The system keyring could not be read; unlock it and try again.") from exc

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
                raise PassphraseRequired("Enter your passphrase to open your TermLens data.")
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
                raise StorageError("The key kept in the system keyring for TermLens is damaged.")
            self._key = key
            return key
        if self.db_file.exists() and not _is_plaintext_db(self.db_file):
            raise StorageError(
                "The key for this TermLens data directory is missing, so its encrypted data cannot be opened. "
                "If you moved it from another computer, import it with an exported bundle."
            )
        raise StorageError("TermLens has no key for this data directory yet.")

    def create(self, passphrase: str | None = None) -> bytes:
        """Make a new data key: in the keyring, or wrapped with ``passphrase`` if one is given.

        Without a passphrase and without a secure keyring this raises
        ``PassphraseRequired``: the key is never stored in the clear.
        """
        if self.status() != "new":
            raise StorageError("This data directory already has a key; TermLens will not replace it.")
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
            raise PassphraseRequired(
                "This computer has no secure keyring for TermLens's key; choose a passphrase to protect your data."
            )
        try:
            self.backend.set_password(SERVICE, self.entry, key.hex())
            stored = self.backend.get_password(SERVICE, self.entry)
        except Exception as exc:  # noqa: BLE001
            raise StorageError("The system keyring refused to keep TermLens's key; unlock it and try again.") from exc
        if stored != key.hex():
            raise StorageError("The system keyring did not keep TermLens's key; choose a passphrase instead.")

    # -- passphrase --

    def _read_keyfile(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.keyfile.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StorageError(f"The key file {self.keyfile} cannot be read; it may be damaged.") from exc
        if not isinstance(doc, dict) or doc.get("format") != "termlens-keyfile":
            raise StorageError(f"{self.keyfile} is not a TermLens key file.")
        if doc.get("version") != 1:
            raise StorageError("The key file was written by a newer TermLens; update TermLens to open your data.")
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
                raise PassphraseRequired("Enter your current passphrase to change it.")
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

    # -- moving to another machine --

    def export_bundle(self, dest: str | os.PathLike[str], passphrase: str, *, include_models: bool = False) -> Path:
        """Write a folder that carries this data directory to another computer.

        The database is copied as a consistent snapshot (still encrypted with the
        data key) with the other user files; the data key travels wrapped with
        ``passphrase``. Models, logs, caches and backups stay behind unless
        ``include_models``. Needs the key unlocked (or in the keyring).
        """
        check_new_passphrase(passphrase)
        key = self.unlock()
        out = Path(dest).expanduser().resolve()
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise StorageError(f"{out} is not empty; choose a new or empty folder for the bundle.")
        if out == self.home or self.home in out.parents:
            raise StorageError("Choose a folder outside the TermLens data directory for the bundle.")
        work = out.with_name(out.name + ".partial")
        shutil.rmtree(work, ignore_errors=True)
        try:
            data = work / "data"
            data.mkdir(parents=True)
            if self.db_file.exists():
                from desktop import db

                db.snapshot(self.db_file, data / DB_NAME, key=key)
            for rel in _bundle_files(self.home, include_models=include_models):
                target = data / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.home / rel, target)
            manifest = {
                "format": "termlens-bundle",
                "version": 1,
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "key": wrap_key(key, passphrase, self.kdf),
                "files": {p.relative_to(data).as_posix(): _sha256(p) for p in sorted(data.rglob("*")) if p.is_file()},
            }
            write_text_atomic(work / BUNDLE_MANIFEST, json.dumps(manifest, indent=2) + "\n")
            if out.exists():
                out.rmdir()
            os.replace(work, out)
        except OSError as exc:
            shutil.rmtree(work, ignore_errors=True)
            raise storage_error(exc, "The bundle") from exc
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        _log.info("bundle exported (%d files)", len(manifest["files"]))
        return out

    def import_bundle(self, src: str | os.PathLike[str], passphrase: str) -> bytes:
        """Fill this (empty) data directory from a bundle; keep its key in the keyring, or
        wrapped with the same passphrase when no secure keyring exists. Returns the key."""
        source = Path(src).expanduser().resolve()
        try:
            manifest = json.loads((source / BUNDLE_MANIFEST).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StorageError(f"{source} is not a TermLens bundle (its {BUNDLE_MANIFEST} is missing or unreadable).") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != "termlens-bundle":
            raise StorageError(f"{source} is not a TermLens bundle.")
        if manifest.get("version") != 1:
            raise StorageError("This bundle was written by a newer TermLens; update TermLens to import it.")
        key = unwrap_key(manifest.get("key") or {}, passphrase, what="this bundle")
        files: dict[str, str] = manifest.get("files") or {}
        data = source / "data"
        for rel, digest in files.items():
            p = (data / rel).resolve()
            if data.resolve() not in p.parents:
                raise StorageError("This bundle names files outside itself; it was not imported.")
            if not p.is_file() or _sha256(p) != digest:
                raise StorageError(f"The bundle is incomplete or damaged ({rel} does not match); nothing was imported.")
        if self.db_file.exists() or self.keyfile.exists():
            raise StorageError(
                f"{self.home} already holds TermLens data; import into an empty data directory, or move it away first."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        # The database goes last: its presence marks a finished import.
        ordered = sorted(files, key=lambda r: r == DB_NAME)
        try:
            for rel in ordered:
                target = self.home / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{target.name}.import")
                shutil.copy2(data / rel, tmp)
                os.replace(tmp, target)
        except OSError as exc:
            raise storage_error(exc, "The imported data") from exc
        if self.db_file.exists():
            from desktop import db

            conn = db.connect(self.db_file, key=key)
            try:
                if not db.integrity_check(conn):
                    raise StorageError("The database in the bundle is damaged; it was copied but should not be trusted.")
            finally:
                conn.close()
        if self.backend is not None:
            self._store_in_keyring(key)
        else:
            self._write_keyfile(key, passphrase)
        self._key = key
        _log.info("bundle imported (%d files)", len(files))
        return key


def import_bundle(
    src: str | os.PathLike[str], passphrase: str, home: str | os.PathLike[str] | None = None, *, backend: KeyStore | None = _AUTO
) -> KeyManager:
    """Import a bundle into ``home`` (default: ``paths.home()``); return its unlocked ``KeyManager``."""
    km = KeyManager(home, backend=backend)
    km.import_bundle(src, passphrase)
    return km


_NOT_CARRIED = {"logs", "cache", "backups", "models"}


def _bundle_files(home: Path, *, include_models: bool) -> list[Path]:
    """The files of a data directory that a bundle carries (relative paths), besides the database."""
    out: list[Path] = []
    for p in sorted(home.rglob("*")):
        rel = p.relative_to(home)
        top = rel.parts[0]
        if not p.is_file() or p.is_symlink():
            continue
        if top in _NOT_CARRIED and not (include_models and top == "models"):
            continue
        name = rel.name
        if rel == Path(KEYFILE_NAME) or name.startswith(".") or name.startswith(DB_NAME) or name == "termlens.lock":
            continue
        out.append(rel)
    return out


def _is_plaintext_db(path: Path) -> bool:
    """A database written in the clear by an older TermLens (encrypted at its next open), or
    an empty file: neither needs a key that was lost."""
    try:
        with open(path, "rb") as f:
            return f.read(16) in (b"SQLite format 3\x00", b"")
    except OSError:
        return False


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
